/**
 * Named parameter sets offered by the page and the CLI (`--preset`). Each is an override of the defaults
 * (params.ts); the same preset gives the same run in both. Preprocessing is not part of a preset: the page's
 * preprocessing settings (and the CLI's flags) own it, so a preset changes the same run in both.
 *
 * 'scgnn1-paper' and 'scgnn2' set every value the reference note (`../shared/docs/scgnn-reference.md`, cited
 * as §) gives for the reference tools, overriding each of this project's deviations (params.ts header); what
 * the parameters cannot express is listed at each preset. presets.test.ts checks the resolved values.
 */
import { deepMerge } from '../deep-merge.ts';
import type { ScgnnParamsOverride } from './params.ts';

export type PresetName = 'default' | 'quick' | 'scgnn1-paper' | 'scgnn2';

export interface Preset {
  readonly name: PresetName;
  readonly title: string;
  readonly description: string;
  readonly params: ScgnnParamsOverride;
}

/** Full batch in the reference: `batch_size` 12,800 cells with `shuffle=False` (§1.4, §2.5). */
const REFERENCE_BATCH = 12800;

/** LouvainK exactly as both references (§1.7, §2.1): the cell graph, igraph's resolution 1, one run. */
const referenceLouvainK = {
  method: 'louvainK',
  // k = int(0.8 · c) below 2,000 cells, int(0.5 · c) from 2,000; 2 if that is below 3.
  resolution: 'auto',
  louvainResolution: 1,
  resolutionScaling: 'none',
  louvainGraph: 'cell-graph',
  louvainRuns: 1,
  // Every Louvain community counts (this project drops singletons by default).
  countMinSize: 1,
  // KMeans on the embedding as it is (no unit-length rows).
  embeddingNorm: 'none',
  // trimClustering's numbers (§1.7); here small clusters merge into the nearest one (not representable:
  // the reference relabels them to a pooled cluster "30").
  minClusterSize: 5,
  maxClusters: 30,
} as const;

/** The reference's feature autoencoder (§1.4, §2.1): 512 / 128, ReLU bottleneck, torch's bias init. */
const referenceFeatureAe = { latentActivation: 'relu', latentBiasInit: 0, hidden: 512, latent: 128 } as const;

/**
 * One training phase of the reference tools: full batch, Adam lr 1e-3, summed plain SSE, no LTMG term, no L1
 * or L2, fixed epochs. Each phase below states what it changes (reference note §1.4, §1.8, §1.10, §2.2, §2.5).
 */
const referencePhase = {
  batchSize: REFERENCE_BATCH,
  learningRate: 1e-3,
  mseWeight: 1,
  ltmgWeight: 0,
  l1: 0,
  l2: 0,
  reduction: 'sum',
  // Fixed epochs whatever the number of cells (no training budget).
  budgetCells: 0,
} as const;

/**
 * Feature-AE pre-training of both reference tools (§1.4, §2.5): 500 epochs, 0.1·SSE + 0.9·LTMG-weighted SSE,
 * no L1 (both benchmarks apply it only in a later phase).
 */
const referencePretrain = { ...referencePhase, epochs: 500, mseWeight: 0.1, ltmgWeight: 0.9 } as const;

/**
 * scGNN 1.0 as its paper's benchmarks ran (`main_benchmark.py --regulized-type LTMG --EMtype celltypeEM
 * --clustering-method LouvainK --useGAEembedding`, §5.3 "Paper benchmark command"). Not representable:
 * - stopping: the benchmark stops when the clustering agrees with the TRUE labels (ARI > 0.95, §1.9 "bench
 *   leak"); labels never reach a run here, so this uses `scGNN.py`'s label-free rule (ARI between successive
 *   clusterings, 0.99; project rule: ≥ instead of >) and, as `--converge-type celltype`, no graph criterion
 *   (maxGraphChange 0: only an unchanged graph stops);
 * - §1.4's loader quirk (cluster AEs and EM phases train on the original X, the cluster AE is one shared
 *   model): the cluster AEs here are independent and train on their cluster's reconstruction, as intended;
 * - one Adam per phase (the reference reuses one optimizer across phases) and the imputation AE restarts
 *   from the initial weights with a fresh Adam (the reference also restores the initial Adam state);
 * - one graph: the reference's GAE and imputation regulariser use the unpruned kNN adjacency, Louvain the
 *   pruned one (§1.5); here all three see the pruned graph;
 * - the GAE's sparse loss estimate above graphAe.denseLossMaxCells (2,000) cells; its σ = exp(½ log σ²) and
 *   no held-out edges (graph-ae.ts);
 * - trimClustering (see referenceLouvainK).
 */
const scgnn1Paper: ScgnnParamsOverride = {
  // §1.2: ln(1 + x) only, no library-size normalisation anywhere in v1.
  normalize: 'none',
  // §1.3, §5.3: `--regulized-type LTMG`.
  ltmg: { enabled: true },
  featureAe: {
    ...referenceFeatureAe,
    // §1.4: 500 epochs (`--Regu-epochs`), full batch, Adam lr 1e-3, 0.1·SSE + 0.9·LTMG-weighted SSE; the
    // benchmark applies L1 only in the imputation phase (§1.4 "bench applies it only in the imputation").
    pretrain: referencePretrain,
    // §1.4: +200 epochs per EM iteration (`--EM-epochs`), no LTMG term.
    iteration: { ...referencePhase, epochs: 200 },
  },
  // §1.5: k = 10, mean + std pruning, 0/1 weights.
  graph: { k: 10, kRule: 'fixed', prune: 'mean-std', weights: 'binary' },
  // §1.6: GCN-VAE 128 -> 32 -> 16 on the binarised embedding, Adam lr 0.01, 200 epochs.
  graphAe: {
    enabled: true,
    model: 'gcn',
    variational: true,
    binarizeInput: true,
    hidden: 32,
    latent: 16,
    epochs: 200,
    learningRate: 0.01,
  },
  cluster: referenceLouvainK,
  // §1.8: cluster AEs on (`--EMtype celltypeEM`), 200 epochs (`--cluster-epochs`), full batch, lr 1e-3.
  clusterAe: { enabled: true, ...referencePhase, epochs: 200, observedWeight: 0 },
  // §1.9: `--EM-iteration 10`; label-free stopping, see above.
  iterations: { max: 10, minAgreement: 0.99, maxGraphChange: 0 },
  // §1.10: a fresh AE from the initial weights, 200 epochs, SSE weight 0, graph 0.3 and cell-type 0.1
  // regularisers, L1 1.0.
  impute: {
    enabled: true,
    mode: 'scgnn1',
    train: { ...referencePhase, epochs: 200, mseWeight: 0, l1: 1 },
    graphWeight: 0.3,
    celltypeWeight: 0.1,
  },
};

/**
 * scGNN 2.0 (§2) with its authors' run script (`run.sh`, §2.5: `--graph_AE_use_GAT --graph_AE_neighborhood_factor
 * 0.05 --graph_AE_graph_construction v2`). Not representable:
 * - stopping: v2 stops on a normalised-Laplacian change < 0.01·mean|L0| or ARI with the TRUE labels > 0.95
 *   (§2.6); label-free here: ARI between successive clusterings ≥ 0.95 or ≤ 1 % of graph edges changed (the
 *   project's edge-set measure, not v2's Laplacian);
 * - k of k-means: v2 takes round(max(c · res, 2)) and smooths it over iterations (0.95 · previous + 0.05 ·
 *   new, §2.1); here LouvainK's int(c · res), ≥ 3 else 2, recomputed each iteration;
 * - Louvain's graph: v2 runs Louvain on the cell graph of the feature embedding; here, with a graph AE, it runs
 *   on the same kind of graph (k = 5 %, 1/d) of the GAT embedding;
 * - the GAT's input: run.sh normalises each embedding row to sum 1 (`--graph_AE_normalize_embed sum1`); here the
 *   raw embedding (v2's default `None`); the GAT sees the symmetric graph (v2: the directed kNN edges);
 * - the cluster AEs' graph regulariser 0.3·Σ(Â @ E) with Â the row-normalised adjacency (§2.2): per cell its
 *   SSE weighted by its column sum of Â, whose mean is 1; it enters as a plain 0.3·SSE (and 0.1·Σ(Ĉ @ E) is
 *   exactly 0.1·SSE: the columns of a row-normalised all-ones block sum to 1), so mseWeight 0.3 + 0.3 + 0.1;
 * - v2 reads precomputed LTMG states (zeros without a file, §2.2); this preset computes them as v1 does;
 * - v2's own preprocessing (genes in ≥ 10 % of cells, cells with ≥ 10 % of genes, §2.5) is the page's / CLI's
 *   preprocessing setting, not the preset's; v2's 10 % simulated dropout of a normal run (§2.5) is not applied.
 */
const scgnn2: ScgnnParamsOverride = {
  // §2.5: log(x + 1) only.
  normalize: 'none',
  ltmg: { enabled: true },
  featureAe: {
    ...referenceFeatureAe,
    // §2.5 `--feature_AE_epoch 500 300`, batch 12,800, lr 1e-3; §2.2: (1 − 0.9)·SSE + 0.9·LTMG-weighted SSE
    // before the EM, plain SSE in it; L1 only in the cluster AEs ('Celltype').
    pretrain: referencePretrain,
    iteration: { ...referencePhase, epochs: 300 },
  },
  // §2.1: k = round(0.05 · N), weights 1/d, no pruning.
  graph: { kRule: 'fraction', kFraction: 0.05, prune: 'none', weights: 'inverse-distance' },
  // §2.3, §2.5: GAT 128 -> 64 x 2 heads -> 16, 200 epochs, lr 0.01; its embedding is clustered (§2.1).
  graphAe: {
    enabled: true,
    model: 'gat',
    binarizeInput: false,
    gatHidden: 64,
    gatHeads: 2,
    latent: 16,
    epochs: 200,
    learningRate: 0.01,
  },
  cluster: referenceLouvainK,
  // §2.5 `--cluster_AE_epoch 200`, batch 12,800, lr 1e-3; §2.2: L1 1, the observed-entries term
  // ‖(x − x̂)[x ≠ 0]‖₂ with weight 1, SSE weight 0.7 (see above).
  clusterAe: {
    enabled: true,
    ...referencePhase,
    epochs: 200,
    mseWeight: 0.7,
    l1: 1,
    observedWeight: 1,
  },
  // §2.5 `--total_epoch 31`, `--ari_threshold 0.95`, `--graph_change_threshold 0.01`; label-free, see above.
  iterations: { max: 31, minAgreement: 0.95, maxGraphChange: 0.01 },
  // §2.1: closed loop, no separate imputation AE.
  impute: { enabled: true, mode: 'closed-loop' },
};

export const presets: readonly Preset[] = [
  {
    name: 'default',
    title: 'scGNN Web defaults',
    description:
      'LTMG, feature autoencoder, up to 3 iterations of clustering with cluster autoencoders, zero-inflated imputation on the cell graph. The settings measured in the README.',
    params: {},
  },
  {
    name: 'quick',
    title: 'Quick look',
    description:
      'Short training (10 pre-training epochs, 3 per iteration), no LTMG, two iterations: a first picture in a fraction of the time.',
    params: {
      ltmg: { enabled: false },
      featureAe: { pretrain: { epochs: 10 }, iteration: { epochs: 3 } },
      clusterAe: { epochs: 3 },
      iterations: { max: 2 },
    },
  },
  {
    name: 'scgnn1-paper',
    title: 'scGNN 1.0 paper',
    description:
      "The settings of scGNN 1.0's benchmark runs: log(1 + count) input without normalisation, LTMG; feature autoencoder 500 full-batch epochs, then 200 per iteration; kNN graph (k = 10) pruned at mean + 1 std; GCN-VAE graph autoencoder (200 epochs) on the binarised embedding, clustered by LouvainK (Louvain on the cell graph at resolution 1 gives c communities, k-means with k = int(0.8 c), 0.5 c from 2,000 cells); cluster autoencoders of 200 epochs; up to 10 iterations; imputation autoencoder from the initial weights (200 epochs, graph 0.3 and cell-type 0.1 regularisers, L1 1.0: the benchmark uses L1 only in this phase). " +
      'Differs from the reference: it stops when two successive clusterings agree (ARI ≥ 0.99, the user-facing scGNN.py rule) because the benchmark stopped on agreement with the true labels, which a run never sees; the cluster autoencoders train on their own cells (the reference trains one shared model on all cells, a bug); one pruned graph serves the graph autoencoder and the imputation too; clusters under 5 cells are merged into the nearest.',
    params: scgnn1Paper,
  },
  {
    name: 'scgnn2',
    title: 'scGNN 2.0: GAT, closed loop',
    description:
      "scGNN 2.0 as its authors' run script: log(1 + count) input without normalisation, LTMG; feature autoencoder 500 full-batch epochs, then 300 per iteration; kNN graph with k = 5 % of the cells, weights 1/distance, no pruning; two-layer graph attention autoencoder (64 × 2 heads, 16-d, 200 epochs) whose embedding LouvainK clusters; cluster autoencoders of 200 epochs with L1 and the term on the observed non-zero entries, whose output is the imputation and the next iteration's input (closed loop); up to 31 iterations. " +
      'Differs from the reference: it stops when two successive clusterings agree (ARI ≥ 0.95) or the graph changes by ≤ 1 %, because scGNN 2.0 stops on agreement with the true labels; k is not smoothed across iterations; the graph regulariser of the cluster autoencoders enters as a plain weight on the error; the attention autoencoder sees the raw embedding (not rows scaled to sum 1).',
    params: scgnn2,
  },
];

export function presetByName(name: string): Preset | undefined {
  return presets.find((p) => p.name === name);
}

/** Deep merge of two overrides (b wins); arrays and typed arrays are replaced, not merged (deep-merge.ts). */
export function mergeOverrides(a: ScgnnParamsOverride, b: ScgnnParamsOverride): ScgnnParamsOverride {
  return deepMerge(a, b);
}
