/**
 * The EM iterations: the kNN cell graph of z, the graph autoencoder's embedding, the clustering, the
 * label-free stopping rule, and (unless it stops) the cluster autoencoders, with a bulk matrix the blending
 * of their output with its bulk-corrected version (stages/bulk.ts), and the feature AE's further training,
 * which give the next iteration's z.
 */
import {
  clusterCells,
  clusteringEmbedding,
  louvainGraphOf,
  type ClusterResult,
} from '../../cluster/cluster.ts';
import { adjustedRandIndex } from '../../cluster/metrics.ts';
import type { CellGraph } from '../../graph/cell-graph.ts';
import { knn } from '../../graph/knn.ts';
import { buildCellGraph, graphChange, neighbourCount, pruneKnn } from '../../graph/prune.ts';
import type { DenseMatrix } from '../../matrix/dense.ts';
import type { MatrixRows } from '../../matrix/rows.ts';
import { cloneAutoencoder, disposeAutoencoder, type Autoencoder } from '../../nn/autoencoder.ts';
import { reconRows } from '../../nn/model-rows.ts';
import { runGraphAe } from '../../nn/graph-ae.ts';
import type { StageContext } from '../context.ts';
import type { ScgnnParams } from '../params.ts';
import type { RunContext } from '../run-context.ts';
import { bulkFeedback, type BulkModel } from './bulk.ts';
import { clusterAutoencoders, retrainFeatureAutoencoder, type Embedded } from './feature-ae.ts';

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

/** What a live view needs after each iteration: the clustered embedding, the cell graph and the labels. */
export interface IterationSnapshot {
  readonly iteration: number;
  readonly embedding: DenseMatrix;
  /** The clustering compared cells by the direction of `embedding` (rows at unit length, embeddingNorm 'l2'). */
  readonly unitLength: boolean;
  readonly graph: CellGraph;
  readonly labels: Int32Array;
}

/** Where the EM iterations stand: the feature AE's current output and the last iteration's results. */
export interface EmState extends Embedded {
  /** The last clustered embedding (z before the first iteration). */
  readonly embedding: DenseMatrix;
  /** The last cell graph (null before the first iteration). */
  readonly graph: CellGraph | null;
  readonly labels: Int32Array;
  readonly nClusters: number;
  readonly history: readonly IterationRecord[];
  readonly converged: boolean;
}

/** The iterations' outcome: as EmState, with the final cell graph. */
export interface EmResult extends EmState {
  readonly graph: CellGraph;
}

/** Everything an iteration needs besides its state: the feature AE and the model input X. */
export interface EmModel {
  readonly ae: Autoencoder;
  /** X, read a batch at a time. */
  readonly x: MatrixRows;
  /** With a bulk matrix: what its deconvolution reads (the cluster AEs' output is then blended, stages/bulk.ts). */
  readonly bulk?: BulkModel;
}

/** Neighbours per cell of the cell graph of `nCells` cells (`graph.kRule`: fixed k, or a fraction of N). */
export function graphK(params: ScgnnParams, nCells: number): number {
  const { kRule, k, kFraction } = params.graph;
  return neighbourCount(kRule, k, kFraction, nCells);
}

/** kNN graph of an embedding (k by `graph.kRule`), pruned and weighted as configured, symmetric. */
export async function buildGraph(z: DenseMatrix, params: ScgnnParams, ctx: StageContext): Promise<CellGraph> {
  const neighbours = await knn(z, graphK(params, z.rows), ctx); // knn clamps k to N - 1
  const pruned = pruneKnn(neighbours, params.graph.prune, z, ctx.rng);
  return buildCellGraph(pruned, { weighting: params.graph.weights });
}

/** The cell graph: kNN graph of z, pruned (mean + std by default). */
export async function cellGraph(
  { z, iteration }: { readonly z: DenseMatrix; readonly iteration: number },
  params: ScgnnParams,
  run: RunContext,
): Promise<CellGraph> {
  return run.timed(
    'graph',
    `Cell graph (kNN, k = ${Math.min(graphK(params, z.rows), Math.max(1, z.rows - 1))})`,
    async () => buildGraph(z, params, run.stageCtx(`graph-${iteration}`, 'graph')),
    iteration,
  );
}

/** The embedding to cluster: the graph autoencoder's on z and the cell graph, or z itself without one. */
export async function graphEmbedding(
  { z, graph, iteration }: { readonly z: DenseMatrix; readonly graph: CellGraph; readonly iteration: number },
  params: ScgnnParams,
  run: RunContext,
): Promise<DenseMatrix> {
  if (!params.graphAe.enabled) return z;
  const out = await run.timed(
    'graph-ae',
    'Graph autoencoder',
    () => runGraphAe(z, graph, params.graphAe, run.stageCtx(`graph-ae-${iteration}`, 'graph-ae')),
    iteration,
  );
  return out.embedding;
}

/** Clustering of the embedding (Louvain picks k, then k-means). */
export async function clusterStage(
  {
    embedding,
    graph,
    iteration,
  }: { readonly embedding: DenseMatrix; readonly graph: CellGraph; readonly iteration: number },
  params: ScgnnParams,
  run: RunContext,
): Promise<ClusterResult> {
  const clusterEmbedding = clusteringEmbedding(embedding, params.cluster);
  return run.timed(
    'cluster',
    'Clustering',
    async () => {
      // Louvain's graph: the SNN graph of the clustered embedding (default), or its pruned kNN graph.
      const clusterGraph = await louvainGraphOf(
        clusterEmbedding,
        params.graphAe.enabled
          ? () =>
              buildGraph(
                clusterEmbedding,
                params,
                run.stageCtx(`cluster-graph-${iteration}`, 'cluster', [0, 0.4]),
              )
          : graph,
        params.cluster,
        run.stageCtx(`cluster-graph-${iteration}`, 'cluster', [0, 0.4]),
      );
      return clusterCells(
        clusterEmbedding,
        clusterGraph,
        params.cluster,
        run.stageCtx(`cluster-${iteration}`, 'cluster', [0.4, 1]),
      );
    },
    iteration,
  );
}

/**
 * One EM iteration: graph, embedding, clustering (reported as an `iteration` event and a snapshot), the
 * stopping rule, then, unless it stops, the cluster autoencoders and the feature AE's further training.
 */
export async function oneIteration(
  {
    model,
    state,
    iteration,
  }: { readonly model: EmModel; readonly state: EmState; readonly iteration: number },
  params: ScgnnParams,
  run: RunContext,
): Promise<{ readonly state: EmState; readonly stop: boolean }> {
  const t0 = performance.now();
  const graph = await cellGraph({ z: state.z, iteration }, params, run);
  const embedding = await graphEmbedding({ z: state.z, graph, iteration }, params, run);
  const clustered = await clusterStage({ embedding, graph, iteration }, params, run);
  const { labels, nClusters } = clustered;
  const agreement = iteration > 1 ? adjustedRandIndex(state.labels, labels) : 0;
  const change = state.graph ? graphChange(state.graph, graph) : 1;
  const record: IterationRecord = {
    iteration,
    nClusters,
    agreement,
    graphChange: change,
    clusterSizes: clustered.sizes,
    seconds: (performance.now() - t0) / 1000,
  };
  run.ctx.report({
    type: 'iteration',
    iteration,
    nClusters,
    agreement,
    graphChange: change,
    clusterSizes: clustered.sizes,
  });
  run.options.onIteration?.({
    iteration,
    embedding,
    unitLength: params.cluster.embeddingNorm === 'l2',
    graph,
    labels,
  });
  const clusteredState = {
    ...state,
    embedding,
    graph,
    labels,
    nClusters,
    history: [...state.history, record],
  };
  const converged =
    iteration > 1 &&
    (agreement >= params.iterations.minAgreement || change <= params.iterations.maxGraphChange);
  if (converged) return { state: { ...clusteredState, converged }, stop: true };
  if (iteration === params.iterations.max) return { state: clusteredState, stop: true };
  // Cluster autoencoders on the current reconstruction, then the feature AE learns from their output. Both
  // are read per batch from the models; the reconstruction from a frozen copy of the feature AE, which
  // itself trains meanwhile.
  const frozen = cloneAutoencoder(model.ae, run.ctx.tf);
  try {
    const recon = reconRows(frozen, model.x, run.ctx.tf);
    const targets = await clusterAutoencoders(
      { ae: model.ae, recon, observed: model.x, labels, nClusters, iteration },
      params,
      run,
    );
    try {
      // With bulk RNA-seq, scGNN 2.0 feeds back the cluster AEs' output blended with its bulk-corrected version.
      const target = model.bulk
        ? await bulkFeedback(
            { model: model.bulk, target: targets.target, labels, nClusters, iteration },
            params,
            run,
          )
        : targets.target;
      const next = await retrainFeatureAutoencoder(
        { ae: model.ae, x: model.x, target, iteration },
        params,
        run,
      );
      return { state: { ...clusteredState, ...next }, stop: false };
    } finally {
      targets.dispose();
    }
  } finally {
    disposeAutoencoder(frozen);
  }
}

/** The EM iterations from the pre-trained feature AE's output, until the stopping rule or `iterations.max`. */
export async function emIterations(
  { model, start }: { readonly model: EmModel; readonly start: Embedded },
  params: ScgnnParams,
  run: RunContext,
): Promise<EmResult> {
  let state: EmState = {
    ...start,
    embedding: start.z,
    graph: null,
    labels: new Int32Array(model.x.rows),
    nClusters: 1,
    history: [],
    converged: false,
  };
  for (let iteration = 1; iteration <= params.iterations.max; iteration++) {
    const step = await oneIteration({ model, state, iteration }, params, run);
    state = step.state;
    if (step.stop) break;
  }
  return state as EmResult; // iterations.max >= 1 (validateParams), so one iteration ran and set the graph
}
