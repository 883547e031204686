/**
 * Every parameter of an scGNN run, with its default (`scgnnDefaults`). Defaults follow the scGNN papers and
 * the reference tools (reference note §1, §2.5) except where listed at `scgnnDefaults`; each measured
 * deviation has a file in docs/decisions/.
 */
import { bulkDefaults } from '../bulk/defaults.ts';
import type { BulkParams } from '../bulk/types.ts';
import type { ClusterParams } from '../cluster/cluster.ts';
import { deepMerge, type DeepPartial } from '../deep-merge.ts';
import { clusterDefaults } from '../cluster/cluster.ts';
import type { KRule, PruneMethod } from '../graph/prune.ts';
import type { LtmgParams } from '../ltmg/ltmg.ts';
import { ltmgDefaults } from '../ltmg/ltmg.ts';
import type { GraphAeParams } from '../nn/graph-ae.ts';
import { graphAeDefaults } from '../nn/graph-ae.ts';
import type { TrainParams } from '../nn/train.ts';
import { clusterAeDefaults, featureAeDefaults, imputeAeDefaults } from '../nn/train.ts';
import type { PreprocessParams } from '../preprocess/preprocess.ts';
import { imputeDefaults, type ImputeParams } from '../impute/impute.ts';
import {
  validateZeroInflatedParams,
  zeroInflatedDefaults,
  type ZeroInflatedParams,
} from '../impute/zero-inflated.ts';
import { preprocessDefaults } from '../preprocess/preprocess.ts';

export interface ScgnnParams {
  /** Seed of every random choice (initialisation, batches, sampling, k-means, Louvain). */
  readonly seed: number;
  readonly preprocess: PreprocessParams;
  /**
   * Model input scaling. 'none' = ln(1 + count), the reference (which has no normalisation anywhere);
   * 'library-size' = ln(1 + count · m / total_i) with m the median total per cell, so sequencing depth does
   * not dominate the embedding. Outputs are always mapped back to ln(1 + count) of the input's own scale.
   */
  readonly normalize: 'none' | 'library-size';
  /** LTMG regulariser of the feature autoencoder (scGNN 1.0 `--regulized-type LTMG`). */
  readonly ltmg: LtmgParams & { readonly enabled: boolean };
  readonly featureAe: {
    /** Bottleneck activation: 'relu' (reference) or 'linear'. */
    readonly latentActivation: 'relu' | 'linear';
    /** Added to the bottleneck biases at initialisation so z units start active (0 = torch's init). */
    readonly latentBiasInit: number;
    readonly hidden: number;
    readonly latent: number;
    /** Initial training (reference: 500 full-batch epochs with the LTMG term). */
    readonly pretrain: TrainParams;
    /** Training per EM iteration on the cluster autoencoders' reconstruction (reference: 200 epochs). */
    readonly iteration: TrainParams;
  };
  readonly graph: {
    /** Neighbours per cell with kRule 'fixed' (reference 10). */
    readonly k: number;
    /**
     * 'fixed': k neighbours (scGNN 1.0); 'fraction': round(kFraction · N), at least 1 (scGNN 2.0's
     * `--graph_AE_graph_construction v2`, reference note §2.1). See graph/prune.ts `neighbourCount`.
     */
    readonly kRule: KRule;
    /** Fraction of the cells that are a cell's neighbours with kRule 'fraction' (scGNN 2.0: 0.05). */
    readonly kFraction: number;
    readonly prune: PruneMethod;
    /**
     * Edge weights: 'binary' 1 (scGNN 1.0), 'inverse-distance' 1/d (scGNN 2.0). Louvain and the 'graph' /
     * 'zero-inflated' imputations read them; the graph autoencoder and the imputation AE's degree weights
     * do not (both references give their GAE a 0/1 adjacency).
     */
    readonly weights: 'binary' | 'inverse-distance';
  };
  /** Graph autoencoder; when enabled its embedding is what is clustered (scGNN 1.0 paper runs, scGNN 2.0). */
  readonly graphAe: GraphAeParams & { readonly enabled: boolean };
  readonly cluster: ClusterParams;
  readonly clusterAe: TrainParams & { readonly enabled: boolean };
  readonly iterations: {
    /** At most this many EM iterations (reference 10). */
    readonly max: number;
    /** Stop when the ARI between successive clusterings reaches this (reference 0.99; label-free). */
    readonly minAgreement: number;
    /** ...or when the fraction of changed graph edges falls to this. */
    readonly maxGraphChange: number;
  };
  readonly impute: {
    readonly enabled: boolean;
    /**
     * 'zero-inflated' (default): every entry is its posterior mean under a zero-inflated negative binomial
     *   whose mean is the cell's neighbourhood in the scGNN cell graph (joined with a kNN graph of the input):
     *   observed counts are shrunk toward it, a zero becomes the level if detected where the data show excess
     *   zeros and the neighbourhood makes a zero improbable, else the small NB posterior given a zero
     *   (src/core/impute/zero-inflated.ts; docs/decisions/imputation-zero-inflated.md);
     * 'graph': each zero is filled with the gene's level where it is detected among the cell's
     *   neighbours in the same graph, observed values kept (src/core/impute/impute.ts;
     *   docs/decisions/imputation-graph.md, scripts/impute-experiments/README.md);
     * 'scgnn1': a fresh autoencoder (initial weights) with the graph and cell-type regularisers (paper §1.10);
     * 'closed-loop': scGNN 2.0, the last cluster-autoencoder reconstruction is the imputation.
     */
    readonly mode: 'zero-inflated' | 'graph' | 'scgnn1' | 'closed-loop';
    /** Settings of the 'graph' mode, and the graph and level estimate of the 'zero-inflated' mode. */
    readonly graph: ImputeParams;
    /** Settings of the 'zero-inflated' mode. */
    readonly zeroInflated: ZeroInflatedParams;
    readonly train: TrainParams;
    /** Weight of the graph regulariser: per-cell error weighted by node degree (reference 0.3). */
    readonly graphWeight: number;
    /** Weight of the cell-type regulariser: per-cell error weighted by cluster size (reference 0.1). */
    readonly celltypeWeight: number;
  };
  /**
   * Bulk RNA-seq integration (scGNN 2.0, reference note §2.4): used only when the run is given a bulk matrix
   * (ScgnnInput.bulk); the deconvolution's optimisers, the gene-overlap check and the feedback into the EM
   * iterations.
   */
  readonly bulk: BulkParams;
}

/**
 * Cells up to which the training stages run their full epochs (`TrainParams.budgetCells`). Every labelled
 * dataset in ../shared/data is below it, so their figures do not depend on it.
 */
export const TRAINING_BUDGET_CELLS = 10_000;

/**
 * Pipeline defaults. Where they differ from the reference tools (figures: `npm run scgnn -- eval`, 10 %
 * dropout, seed 1; the README's "Measured so far" section has the full table):
 * - library-size normalisation of the model input (sequencing depth otherwise dominates the embedding);
 * - feature / cluster AEs on shuffled mini-batches of 32 cells, Adam lr 2e-3 (cluster AEs 1e-3), 40
 *   pre-training epochs and 10 per EM iteration / cluster AE instead of 500 / 200 full-batch epochs.
 *   Decision: docs/decisions/ae-training-schedule.md
 * - L1 weight 0.1 instead of 1.0 (1.0 lost goolam's structure, 0 could collapse celseq2).
 *   Decision: docs/decisions/feature-ae-l1-weight.md
 * - bottleneck biases start at +0.1 (with 0 most z units end dead).
 *   Decision: docs/decisions/latent-bias-init.md
 * - at most 3 EM iterations (the clustering rarely changes after the second), stopping label-free (README:
 *   both reference tools stop on agreement with the true labels) once two successive clusterings agree at
 *   ARI ≥ 0.95 (scGNN 2.0's threshold; 0.99 let a third iteration split a cell line that the second had
 *   whole). Decision: docs/decisions/iterations-stop-agreement.md
 * - no graph autoencoder: the feature AE's embedding is clustered, as `scGNN.py` does by default
 *   (`--useGAEembedding` off); `graphAe.enabled: true` (CLI `--graph-ae gcn`) restores the paper runs' GAE.
 *   Decision: docs/decisions/graph-ae-off.md
 * - clustering: SNN-Louvain picks k, on the embedding scaled to unit length (see cluster.ts).
 *   Decisions: docs/decisions/clustering-louvain-k.md, docs/decisions/clustering-embedding-norm.md
 * - a training budget: above 10,000 cells each training stage runs ⌈epochs · 10,000 / N⌉ epochs, so its steps
 *   stop growing with N (the reference trains fixed epochs). Decision: docs/decisions/training-step-budget.md
 * - imputation: the 'zero-inflated' mode (see zero-inflated.ts) instead of the imputation autoencoder.
 *   Decisions: docs/decisions/imputation-zero-inflated.md (supersedes docs/decisions/imputation-graph.md)
 */
const miniBatch = { batchSize: 32, learningRate: 2e-3, l1: 0.1, budgetCells: TRAINING_BUDGET_CELLS } as const;

export const scgnnDefaults: ScgnnParams = {
  seed: 1,
  preprocess: preprocessDefaults,
  normalize: 'library-size',
  ltmg: { ...ltmgDefaults, enabled: true },
  featureAe: {
    latentActivation: 'relu',
    // With 0 most z units end dead for every cell. Decision: docs/decisions/latent-bias-init.md
    latentBiasInit: 0.1,
    hidden: 512,
    latent: 128,
    pretrain: { ...featureAeDefaults, ...miniBatch, epochs: 40 },
    // EM phases train without the LTMG term (v1 `noregu`: plain SSE, weight 1).
    iteration: { ...featureAeDefaults, ...miniBatch, epochs: 10, mseWeight: 1, ltmgWeight: 0 },
  },
  graph: { k: 10, kRule: 'fixed', kFraction: 0.05, prune: 'mean-std', weights: 'binary' },
  graphAe: { ...graphAeDefaults, epochs: 100, enabled: false },
  cluster: clusterDefaults,
  clusterAe: { ...clusterAeDefaults, ...miniBatch, learningRate: 1e-3, epochs: 10, enabled: true },
  iterations: { max: 3, minAgreement: 0.95, maxGraphChange: 0.01 },
  impute: {
    enabled: true,
    mode: 'zero-inflated',
    graph: imputeDefaults,
    zeroInflated: zeroInflatedDefaults,
    train: { ...imputeAeDefaults, epochs: 30, batchSize: 32, budgetCells: TRAINING_BUDGET_CELLS },
    graphWeight: 0.3,
    celltypeWeight: 0.1,
  },
  bulk: bulkDefaults,
};

export type ScgnnParamsOverride = DeepPartial<ScgnnParams>;

/** Defaults overridden by a (deep) partial set of parameters. */
export function withParams(overrides: ScgnnParamsOverride, base: ScgnnParams = scgnnDefaults): ScgnnParams {
  return deepMerge(base, overrides);
}

/** Problems with a parameter set (empty when valid). */
export function validateParams(p: ScgnnParams): string[] {
  const problems: string[] = [];
  const positiveInt = (v: number, name: string): void => {
    if (!(Number.isInteger(v) && v > 0)) problems.push(`${name} must be a positive integer (got ${v})`);
  };
  positiveInt(p.graph.k, 'graph.k');
  positiveInt(p.iterations.max, 'iterations.max');
  positiveInt(p.featureAe.hidden, 'featureAe.hidden');
  positiveInt(p.featureAe.latent, 'featureAe.latent');
  for (const [name, t] of [
    ['featureAe.pretrain', p.featureAe.pretrain],
    ['featureAe.iteration', p.featureAe.iteration],
    ['clusterAe', p.clusterAe],
    ['impute.train', p.impute.train],
  ] as const) {
    if (!(Number.isInteger(t.epochs) && t.epochs >= 0))
      problems.push(`${name}.epochs must be a non-negative integer`);
    positiveInt(t.batchSize, `${name}.batchSize`);
    if (!(t.learningRate > 0)) problems.push(`${name}.learningRate must be positive`);
    if (!((t.observedWeight ?? 0) >= 0)) problems.push(`${name}.observedWeight must be non-negative`);
    if (!((t.budgetCells ?? 0) >= 0))
      problems.push(`${name}.budgetCells must be non-negative (0: no budget)`);
  }
  if (!(p.iterations.minAgreement >= 0 && p.iterations.minAgreement <= 1))
    problems.push('iterations.minAgreement must be in [0, 1]');
  if (!Number.isInteger(p.seed)) problems.push('seed must be an integer');
  const oneOf = (v: unknown, allowed: readonly string[], name: string): void => {
    if (!allowed.includes(v as string))
      problems.push(`${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
  };
  oneOf(p.normalize, ['none', 'library-size'], 'normalize');
  oneOf(p.ltmg.mode, ['reference', 'full'], 'ltmg.mode');
  oneOf(p.featureAe.latentActivation, ['relu', 'linear'], 'featureAe.latentActivation');
  oneOf(p.graph.prune, ['mean-std', 'isolation-forest', 'none'], 'graph.prune');
  oneOf(p.graph.kRule, ['fixed', 'fraction'], 'graph.kRule');
  if (!(p.graph.kFraction > 0 && p.graph.kFraction <= 1))
    problems.push(`graph.kFraction must be in (0, 1] (got ${p.graph.kFraction})`);
  oneOf(p.graph.weights, ['binary', 'inverse-distance'], 'graph.weights');
  oneOf(p.graphAe.model, ['gcn', 'gat'], 'graphAe.model');
  // The refinement needs a clustering to start from, which the pipeline does not pass (an experiment option of
  // runGraphAe: docs/decisions/graph-ae-off.md); refuse it rather than ignore it.
  if (p.graphAe.refineEpochs !== 0)
    problems.push(
      'graphAe.refineEpochs is an option of the graph AE experiments, not of the pipeline: use 0',
    );
  oneOf(p.cluster.method, ['louvainK', 'louvain', 'kmeans'], 'cluster.method');
  oneOf(p.cluster.louvainGraph, ['snn', 'cell-graph'], 'cluster.louvainGraph');
  oneOf(p.cluster.embeddingNorm, ['l2', 'none'], 'cluster.embeddingNorm');
  oneOf(p.cluster.resolutionScaling, ['sqrt-cells', 'none'], 'cluster.resolutionScaling');
  if (!(p.cluster.resolutionCells > 0)) problems.push('cluster.resolutionCells must be positive');
  if (!(p.cluster.resolutionMax > 0)) problems.push('cluster.resolutionMax must be positive');
  oneOf(p.impute.mode, ['zero-inflated', 'graph', 'scgnn1', 'closed-loop'], 'impute.mode');
  problems.push(...validateZeroInflatedParams(p.impute.zeroInflated));
  problems.push(...validateBulkParams(p.bulk));
  const { resolution } = p.cluster;
  if (!(resolution === 'auto' || (typeof resolution === 'number' && resolution > 0)))
    problems.push(
      `cluster.resolution must be 'auto' or a positive number (got ${JSON.stringify(resolution)})`,
    );
  return problems;
}

/** Problems with the bulk-integration parameters (empty when valid). */
export function validateBulkParams(b: BulkParams): string[] {
  const problems: string[] = [];
  if (!(Number.isInteger(b.minGenes) && b.minGenes > 0))
    problems.push(`bulk.minGenes must be a positive integer (got ${b.minGenes})`);
  if (!(b.minGeneFraction >= 0 && b.minGeneFraction <= 1))
    problems.push(`bulk.minGeneFraction must be in [0, 1] (got ${b.minGeneFraction})`);
  for (const [name, o] of [
    ['bulk.proportions', b.proportions],
    ['bulk.profiles', b.profiles],
    ['bulk.geneScale', b.geneScale],
  ] as const) {
    if (!(o.learningRate > 0)) problems.push(`${name}.learningRate must be positive (got ${o.learningRate})`);
    if (!(Number.isInteger(o.maxSteps) && o.maxSteps >= 0))
      problems.push(`${name}.maxSteps must be a non-negative integer (got ${o.maxSteps})`);
    if (!(o.tolerance >= 0)) problems.push(`${name}.tolerance must be non-negative (got ${o.tolerance})`);
  }
  if (!(b.proportions.priorWeight >= 0))
    problems.push(`bulk.proportions.priorWeight must be non-negative (got ${b.proportions.priorWeight})`);
  if (!(b.profiles.regularisation >= 0))
    problems.push(`bulk.profiles.regularisation must be non-negative (got ${b.profiles.regularisation})`);
  if (typeof b.feedback !== 'boolean')
    problems.push(`bulk.feedback must be true or false (got ${JSON.stringify(b.feedback)})`);
  if (!(Number.isInteger(b.blendSampleCells) && b.blendSampleCells > 0))
    problems.push(`bulk.blendSampleCells must be a positive integer (got ${b.blendSampleCells})`);
  return problems;
}
