/**
 * The scGNN method as one readable script of stage calls (scGNN 1.0 as the paper intends, with the reference
 * code's bugs fixed; reference note §1.1):
 *
 *   X = log1p(selected counts)                       cells x genes
 *   LTMG states of the raw counts                    per-entry weights of the feature AE loss
 *   feature AE on X (LTMG-regularised)               z: cells x 128, recon
 *   repeat (EM iterations):
 *     kNN graph of z, pruned (mean + std)            the cell graph
 *     graph AE on z and the graph                    the clustering embedding (16-d)
 *     cluster (Louvain picks k, then k-means)        labels
 *     stop when successive clusterings agree         label-free (ARI between iterations, graph change)
 *     one autoencoder per cluster on recon           recon' (each cell by its own cluster's model)
 *     feature AE further trained on recon'           new z, recon
 *   imputation AE from the initial weights on X, with graph (degree) and cell-type (cluster size) weights
 *
 * Ground-truth labels never enter this function.
 */
import { clusterCells, clusteringEmbedding, louvainGraphOf } from '../cluster/cluster.ts';
import { adjustedRandIndex } from '../cluster/metrics.ts';
import { degrees, type CellGraph } from '../graph/cell-graph.ts';
import { knn } from '../graph/knn.ts';
import { buildCellGraph, graphChange, pruneKnn } from '../graph/prune.ts';
import { runLtmg, type LtmgOutput } from '../ltmg/ltmg.ts';
import type { CsrMatrix } from '../matrix/csr.ts';
import type { DenseMatrix } from '../matrix/dense.ts';
import { librarySizeFactors, log1pDense, unscaleLog1p } from '../preprocess/normalise.ts';
import {
  createAutoencoder,
  disposeAutoencoder,
  restore,
  snapshot,
  type Autoencoder,
} from '../nn/autoencoder.ts';
import { runGraphAe } from '../nn/graph-ae.ts';
import { impute } from '../impute/impute.ts';
import { embedAndReconstruct, trainAutoencoder, trainClusterAutoencoders } from '../nn/train.ts';
import { inStage, subRange, type StageContext, type StageName } from './context.ts';
import { validateParams, type ScgnnParams } from './params.ts';

/** The selected raw counts (cells x genes) the method runs on, with their ids. */
export interface ScgnnInput {
  readonly raw: CsrMatrix;
  readonly cellIds: readonly string[];
  readonly geneIds: readonly string[];
}

export interface IterationRecord {
  readonly iteration: number;
  readonly nClusters: number;
  /** ARI with the previous iteration's clustering (0 on the first). */
  readonly agreement: number;
  /** Fraction of changed graph edges since the previous iteration (1 on the first). */
  readonly graphChange: number;
  readonly clusterSizes: number[];
  readonly seconds: number;
}

/** One training run of one model (a phase of the feature AE, a cluster AE, ...): its first and last loss. */
export interface TrainingRecord {
  readonly model: string;
  readonly stage: StageName;
  readonly epochs: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
}

/** What a live view needs after each iteration: the clustered embedding, the cell graph and the labels. */
export interface IterationSnapshot {
  readonly iteration: number;
  readonly embedding: DenseMatrix;
  /** The clustering compared cells by the direction of `embedding` (rows at unit length, embeddingNorm 'l2'). */
  readonly unitLength: boolean;
  readonly graph: CellGraph;
  readonly labels: Int32Array;
}

export interface RunOptions {
  /** Called after each iteration's clustering (the arrays are the pipeline's own: copy to keep them). */
  readonly onIteration?: (snapshot: IterationSnapshot) => void;
}

export interface ScgnnResult {
  /** The model input: log1p of the selected counts, cells x genes. */
  readonly x: DenseMatrix;
  readonly ltmg: LtmgOutput | null;
  /** Feature autoencoder bottleneck, cells x latent. */
  readonly featureEmbedding: DenseMatrix;
  /** The embedding that was clustered (graph AE output, or the feature embedding without graph AE). */
  readonly embedding: DenseMatrix;
  /** The final cell graph (pruned kNN of the feature embedding, symmetric). */
  readonly graph: CellGraph;
  readonly labels: Int32Array;
  readonly nClusters: number;
  /** Imputed expression, cells x genes, log1p scale. */
  readonly imputed: DenseMatrix;
  readonly history: IterationRecord[];
  readonly converged: boolean;
  /** Every model trained, in order, with its first and last loss (to compare runs and backends). */
  readonly training: TrainingRecord[];
  /** Seconds per stage (summed over iterations). */
  readonly stageSeconds: Partial<Record<StageName, number>>;
}

export async function runScgnn(
  input: ScgnnInput,
  params: ScgnnParams,
  outer: StageContext,
  options: RunOptions = {},
): Promise<ScgnnResult> {
  let ctx = outer;
  const problems = validateParams(params);
  if (problems.length) throw new RangeError(`Invalid parameters: ${problems.join('; ')}`);
  const { tf } = ctx;
  const training: TrainingRecord[] = [];
  const open = new Map<string, number>(); // model -> index of its current record in `training`
  ctx = {
    ...ctx,
    report: (e) => {
      if (e.type === 'loss') {
        const at = open.get(e.model);
        const current = at !== undefined ? training[at] : undefined;
        if (e.epoch === 0 || !current) {
          open.set(e.model, training.length);
          const epochs = e.epochs ?? e.epoch + 1;
          training.push({ model: e.model, stage: e.stage, epochs, firstLoss: e.loss, lastLoss: e.loss });
        } else {
          training[at!] = { ...current, lastLoss: e.loss };
        }
      }
      outer.report(e);
    },
  };
  const stageSeconds: Partial<Record<StageName, number>> = {};
  const timed = async <T>(
    stage: StageName,
    label: string,
    fn: () => Promise<T>,
    iteration?: number,
  ): Promise<T> => {
    ctx.report({ type: 'stage-start', stage, label, ...(iteration !== undefined ? { iteration } : {}) });
    const t0 = performance.now();
    const out = await fn();
    const seconds = (performance.now() - t0) / 1000;
    stageSeconds[stage] = (stageSeconds[stage] ?? 0) + seconds;
    ctx.report({ type: 'stage-end', stage, seconds, ...(iteration !== undefined ? { iteration } : {}) });
    await ctx.checkpoint();
    return out;
  };
  /** The context of one stage's work: its own random stream, progress on `stage`'s bar (`range` of it). */
  const stageCtx = (label: string, stage: StageName, range: [number, number] = [0, 1]): StageContext =>
    subRange(inStage({ ...ctx, rng: ctx.rng.fork(label) }, stage), range[0], range[1]);

  const scale = params.normalize === 'library-size' ? librarySizeFactors(input.raw) : undefined;
  const x = log1pDense(input.raw, scale);
  const nGenes = x.cols;

  const ltmg = params.ltmg.enabled
    ? await timed('ltmg', 'LTMG: expression states per gene', () =>
        runLtmg(input.raw, params.ltmg, stageCtx('ltmg', 'ltmg')),
      )
    : null;

  const shape = { nGenes, hidden: params.featureAe.hidden, latent: params.featureAe.latent };
  const ae: Autoencoder = createAutoencoder(shape, tf, ctx.rng.fork('feature-ae-init'), {
    latentActivation: params.featureAe.latentActivation,
    latentBiasInit: params.featureAe.latentBiasInit,
  });
  const initial = await snapshot(ae);
  let imputeAe: Autoencoder | null = null;
  try {
    const trainInput = { x, ...(ltmg ? { entryWeights: ltmg.states } : {}) };
    // Without LTMG states the pre-training loss is the plain SSE (v1 `noregu`).
    const pretrain = ltmg
      ? params.featureAe.pretrain
      : { ...params.featureAe.pretrain, mseWeight: 1, ltmgWeight: 0 };
    let { z, recon } = await timed('feature-ae', 'Feature autoencoder', async () => {
      await trainAutoencoder(
        ae,
        trainInput,
        pretrain,
        stageCtx('feature-ae', 'feature-ae', [0, 0.95]),
        'feature-ae',
      );
      return embedAndReconstruct(ae, x, tf, undefined, stageCtx('feature-ae-embed', 'feature-ae', [0.95, 1]));
    });

    const history: IterationRecord[] = [];
    let labels: Int32Array = new Int32Array(x.rows);
    let nClusters = 1;
    let graph: CellGraph | null = null;
    let embedding = z;
    let converged = false;
    for (let it = 1; it <= params.iterations.max; it++) {
      const t0 = performance.now();
      const previousGraph = graph;
      const previousLabels = it > 1 ? labels : null;
      const currentZ = z;
      graph = await timed(
        'graph',
        `Cell graph (kNN, k = ${params.graph.k})`,
        async () => buildGraph(currentZ, params, stageCtx(`graph-${it}`, 'graph')),
        it,
      );
      const cellGraph = graph;
      if (params.graphAe.enabled) {
        embedding = (
          await timed(
            'graph-ae',
            'Graph autoencoder',
            () => runGraphAe(currentZ, cellGraph, params.graphAe, stageCtx(`graph-ae-${it}`, 'graph-ae')),
            it,
          )
        ).embedding;
      } else {
        embedding = currentZ;
      }
      const clusterEmbedding = clusteringEmbedding(embedding, params.cluster);
      const clustered = await timed(
        'cluster',
        'Clustering',
        async () => {
          // Louvain's graph: the SNN graph of the clustered embedding (default), or its pruned kNN graph.
          const clusterGraph = await louvainGraphOf(
            clusterEmbedding,
            params.graphAe.enabled
              ? () =>
                  buildGraph(clusterEmbedding, params, stageCtx(`cluster-graph-${it}`, 'cluster', [0, 0.4]))
              : cellGraph,
            params.cluster,
            stageCtx(`cluster-graph-${it}`, 'cluster', [0, 0.4]),
          );
          return clusterCells(
            clusterEmbedding,
            clusterGraph,
            params.cluster,
            stageCtx(`cluster-${it}`, 'cluster', [0.4, 1]),
          );
        },
        it,
      );
      labels = clustered.labels;
      nClusters = clustered.nClusters;
      const agreement = previousLabels ? adjustedRandIndex(previousLabels, labels) : 0;
      const change = previousGraph ? graphChange(previousGraph, cellGraph) : 1;
      const record: IterationRecord = {
        iteration: it,
        nClusters,
        agreement,
        graphChange: change,
        clusterSizes: clustered.sizes,
        seconds: (performance.now() - t0) / 1000,
      };
      history.push(record);
      ctx.report({
        type: 'iteration',
        iteration: it,
        nClusters,
        agreement,
        graphChange: change,
        clusterSizes: clustered.sizes,
      });
      options.onIteration?.({
        iteration: it,
        embedding,
        unitLength: params.cluster.embeddingNorm === 'l2',
        graph: cellGraph,
        labels,
      });
      if (
        it > 1 &&
        (agreement >= params.iterations.minAgreement || change <= params.iterations.maxGraphChange)
      ) {
        converged = true;
        break;
      }
      if (it === params.iterations.max) break;
      // Cluster autoencoders on the current reconstruction, then the feature AE learns from their output.
      const currentRecon = recon;
      const currentLabels = labels;
      let target = currentRecon;
      if (params.clusterAe.enabled) {
        const out = await timed(
          'cluster-ae',
          `Cluster autoencoders (${nClusters})`,
          () =>
            trainClusterAutoencoders(
              ae,
              { x: currentRecon },
              currentLabels,
              params.clusterAe,
              stageCtx(`cluster-ae-${it}`, 'cluster-ae'),
            ),
          it,
        );
        target = out.recon;
      }
      const iterationTarget = target;
      ({ z, recon } = await timed(
        'feature-ae',
        'Feature autoencoder (on the cluster reconstruction)',
        async () => {
          await trainAutoencoder(
            ae,
            { x: iterationTarget },
            params.featureAe.iteration,
            stageCtx(`feature-ae-${it}`, 'feature-ae', [0, 0.9]),
            'feature-ae',
          );
          return embedAndReconstruct(ae, x, tf, undefined, stageCtx(`embed-${it}`, 'feature-ae', [0.9, 1]));
        },
        it,
      ));
    }
    const finalGraph = graph!;

    let imputed: DenseMatrix;
    if (!params.impute.enabled) {
      imputed = recon;
    } else if (params.impute.mode === 'graph') {
      const finalRecon = recon;
      const finalLabels = labels;
      imputed = await timed('impute', 'Imputation on the cell graph', () =>
        impute(
          { x, recon: finalRecon, graph: finalGraph, labels: finalLabels },
          params.impute.graph,
          stageCtx('impute', 'impute'),
        ),
      );
    } else if (params.impute.mode === 'closed-loop') {
      const finalRecon = recon;
      const finalLabels = labels;
      imputed = await timed('impute', 'Imputation (closed loop: cluster autoencoders)', async () => {
        return (
          await trainClusterAutoencoders(
            ae,
            { x: finalRecon },
            finalLabels,
            params.clusterAe,
            stageCtx('impute', 'impute'),
          )
        ).recon;
      });
    } else {
      const cellWeights = imputationCellWeights(finalGraph, labels, params);
      imputeAe = restore(initial, tf);
      const model = imputeAe;
      imputed = await timed('impute', 'Imputation autoencoder', async () => {
        await trainAutoencoder(
          model,
          { x },
          { ...params.impute.train, cellWeights },
          stageCtx('impute', 'impute', [0, 0.95]),
          'impute-ae',
        );
        return (
          await embedAndReconstruct(model, x, tf, undefined, stageCtx('impute-embed', 'impute', [0.95, 1]))
        ).recon;
      });
    }
    if (scale) unscaleLog1p(imputed, scale);
    return {
      x,
      ltmg,
      featureEmbedding: z,
      embedding,
      graph: finalGraph,
      labels,
      nClusters,
      imputed,
      history,
      converged,
      training,
      stageSeconds,
    };
  } finally {
    disposeAutoencoder(ae);
    if (imputeAe) disposeAutoencoder(imputeAe);
  }
}

/** kNN graph of an embedding, pruned as configured, symmetric. */
async function buildGraph(z: DenseMatrix, params: ScgnnParams, ctx: StageContext): Promise<CellGraph> {
  const neighbours = await knn(z, params.graph.k, ctx); // knn clamps k to N - 1
  const pruned = pruneKnn(neighbours, params.graph.prune, z, ctx.rng);
  return buildCellGraph(pruned);
}

/**
 * Per-cell weights of the imputation loss (reference §1.10): the graph regulariser Σ_ij A_ij e_j is the
 * per-cell error weighted by node degree, the cell-type regulariser Σ_ij C_ij e_j the per-cell error weighted
 * by the size of the cell's cluster. No N x N matrix is needed.
 */
export function imputationCellWeights(
  graph: CellGraph,
  labels: Int32Array,
  params: ScgnnParams,
): Float32Array {
  const deg = degrees(graph);
  const sizes = new Map<number, number>();
  for (const l of labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const w = new Float32Array(labels.length);
  for (let i = 0; i < w.length; i++) {
    w[i] = params.impute.graphWeight * deg[i]! + params.impute.celltypeWeight * sizes.get(labels[i]!)!;
  }
  return w;
}
