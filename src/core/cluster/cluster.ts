/**
 * Cell clustering: scGNN's LouvainK (reference note §1.7, `scGNN.py:455-482`, `util_function.py:686-711`) and
 * its alternatives ('louvain' alone, 'kmeans' with a given k). LouvainK: Louvain on a cell graph gives a
 * community count c, k is derived from c, and KMeans(k) on the embedding gives the labels. Louvain here is
 * seeded graphology Louvain on a sparse graph (the reference builds a dense N x N igraph adjacency); KMeans is
 * sklearn's algorithm with this project's seeded Rng. Labels are 0..nClusters-1 by decreasing cluster size
 * (ties: the cluster of the lower first cell).
 *
 * Deviations from the reference (defaults in `clusterDefaults`):
 * - Louvain runs on the SNN graph of the clustered embedding (Jaccard, k = 20) at modularity resolution 0.3
 *   up to 1,000 cells, 0.3 · sqrt(N / 1000) above (`effectiveResolution`),
 *   median count of 5 seeded runs, k = c; the reference uses the pruned kNN cell graph, resolution 1, one run,
 *   k = int(0.8 c) (0.5 from 2,000 cells), 2 if below 3. Reference: `{ resolution: 'auto', louvainResolution:
 *   1, louvainGraph: 'cell-graph', louvainRuns: 1 }`. Decision: docs/decisions/clustering-louvain-k.md
 * - Only communities of at least 2 cells are counted (`countMinSize`). Decision:
 *   docs/decisions/clustering-community-count.md
 * - Each cell's embedding is scaled to unit length before the SNN graph and k-means (`embeddingNorm: 'l2'`;
 *   'none' is the reference). Decision: docs/decisions/clustering-embedding-norm.md
 * - Small clusters and the cap: clusters under `minClusterSize` (5) and beyond the `maxClusters` (30) largest
 *   are dissolved into the nearest kept centroid, always; the reference's `trimClustering`
 *   (`util_function.py:564-587`) relabels them to a junk cluster "30" that gets its own cluster AE. k-means k
 *   is capped at `maxClusters` first. `minClusterSize: 1` and a large `maxClusters` switch this off.
 */
import type { CellGraph } from '../graph/cell-graph.ts';
import { unitRows, type DenseMatrix } from '../matrix/dense.ts';
import type { StageContext } from '../pipeline/context.ts';
import { knn } from '../graph/knn.ts';
import { snnGraph } from '../graph/snn.ts';
import { kmeans } from './kmeans.ts';
import { louvainRunner, relabelBySize } from './louvain.ts';

export type ClusterMethod = 'louvainK' | 'louvain' | 'kmeans';

/**
 * The graph Louvain runs on: 'snn' (default) = the shared-nearest-neighbour graph of the clustered embedding
 * (graph/snn.ts, Jaccard weights); 'cell-graph' = the pruned 0/1 kNN cell graph (the reference).
 */
export type LouvainGraph = 'snn' | 'cell-graph';

export interface ClusterParams {
  readonly method: ClusterMethod;
  /** for 'kmeans' */
  readonly k?: number;
  /** Scale on the Louvain count; 'auto' = 0.8 if N < 2000 else 0.5 (reference); default 1 (module header). */
  readonly resolution: number | 'auto';
  /**
   * Louvain's own modularity resolution (reference 1; default 0.3, see the module header) at up to
   * `resolutionCells` cells; see `resolutionScaling` above that.
   */
  readonly louvainResolution: number;
  /**
   * 'sqrt-cells' (default): above `resolutionCells` cells the resolution grows as sqrt(N / resolutionCells)
   * (see `effectiveResolution`); 'none': `louvainResolution` at every size (the reference).
   */
  readonly resolutionScaling: 'sqrt-cells' | 'none';
  readonly resolutionCells: number;
  /**
   * The scaled resolution never exceeds this (default 1, Scanpy's default Leiden resolution, reached at 11,111
   * cells): past the labelled sets' sizes the sqrt rule split a 12-type, 100,000-cell set into 30 clusters.
   * Decision: docs/decisions/clustering-resolution-size.md.
   */
  readonly resolutionMax: number;
  readonly louvainGraph: LouvainGraph;
  /** Neighbours per cell of the 'snn' graph (Seurat 20). */
  readonly snnK: number;
  /** Seeded Louvain runs; the (lower) median community count is used, so one unlucky seed cannot move k. */
  readonly louvainRuns: number;
  readonly minClusterSize: number;
  readonly maxClusters: number;
  /** LouvainK's community count includes only communities of at least this many cells (see countCommunities). */
  readonly countMinSize: number;
  /** What is clustered: 'l2' = each cell's embedding scaled to unit length (cosine geometry), 'none' = as is. */
  readonly embeddingNorm: EmbeddingNorm;
}

export type EmbeddingNorm = 'l2' | 'none';

export const clusterDefaults: ClusterParams = {
  method: 'louvainK',
  resolution: 1,
  louvainResolution: 0.3,
  resolutionScaling: 'sqrt-cells',
  resolutionCells: 1000,
  resolutionMax: 1,
  louvainGraph: 'snn',
  snnK: 20,
  louvainRuns: 5,
  minClusterSize: 5,
  maxClusters: 30,
  countMinSize: 2,
  embeddingNorm: 'l2',
};

export interface ClusterResult {
  readonly labels: Int32Array;
  readonly nClusters: number;
  /** Louvain community count (0 for 'kmeans', which does not run Louvain). */
  readonly louvainCommunities: number;
  readonly sizes: number[];
}

/**
 * The modularity resolution Louvain runs at for N cells. With 'sqrt-cells', r = louvainResolution ·
 * max(1, sqrt(N / resolutionCells)). Why: modularity has a resolution limit (Fortunato & Barthélemy 2007):
 * at resolution γ a community with fewer than about sqrt(L / 2γ) internal edges is merged into a neighbour,
 * and the SNN graph's edge count L grows linearly with N, so at a fixed γ the smallest resolvable cell type
 * grows as sqrt(N) (ifnb, 2,800 cells and 13 labelled types, got 4-6 clusters at 0.3). γ ∝ N would keep it
 * fixed but over-segments (measured); γ ∝ sqrt(N) is between the two. Up to `resolutionCells` nothing changes.
 * The growth stops at `resolutionMax` (1 by default, at 11,111 cells): the rule was measured on sets of up to
 * 4,271 cells, and at 100,000 cells (3.0) it split every type of a synthetic set.
 * Decision: docs/decisions/clustering-resolution-size.md
 */
export function effectiveResolution(params: ClusterParams, nCells: number): number {
  if (params.resolutionScaling === 'none') return params.louvainResolution;
  const scaled =
    params.louvainResolution * Math.max(1, Math.sqrt(nCells / Math.max(1, params.resolutionCells)));
  return Math.max(params.louvainResolution, Math.min(params.resolutionMax, scaled));
}

/** The reference's LouvainK rule: k = int(c x res) if >= 3 else 2, res 'auto' = 0.8 (N < 2000) or 0.5. */
export function louvainKCount(communities: number, nCells: number, resolution: number | 'auto'): number {
  const res = resolution === 'auto' ? (nCells < 2000 ? 0.8 : 0.5) : resolution;
  const k = Math.trunc(communities * res);
  return k >= 3 ? k : 2;
}

/**
 * Communities with at least `minSize` members. LouvainK counts only these (default: 2, i.e. no single cells).
 * On a diffuse embedding the SNN graph leaves cells whose every edge fell under the Jaccard cut-off, and each
 * such isolated cell is a community of its own: counting them made k absurd (worm: a median of 119
 * communities for 10 cell types). Cells of uncounted communities are placed by k-means like every other cell.
 * Decision: docs/decisions/clustering-community-count.md
 */
export function countCommunities(communities: ArrayLike<number>, minSize: number): number {
  const sizes = new Map<number, number>();
  for (let i = 0; i < communities.length; i++) {
    const c = communities[i]!;
    sizes.set(c, (sizes.get(c) ?? 0) + 1);
  }
  let count = 0;
  for (const size of sizes.values()) if (size >= minSize) count++;
  return Math.max(count, Math.min(1, communities.length));
}

/**
 * Dissolve clusters smaller than `minClusterSize` and beyond the `maxClusters` largest; their cells join the
 * kept cluster with the nearest centroid (Euclidean, centroids of the kept clusters' members). Returns labels
 * relabelled by decreasing size.
 */
export function mergeSmallClusters(
  embedding: DenseMatrix,
  labels: ArrayLike<number>,
  minClusterSize: number,
  maxClusters: number,
): { labels: Int32Array; sizes: number[] } {
  const { labels: byRank, sizes } = relabelBySize(labels);
  // Ranks are by decreasing size, so the kept clusters are a prefix: rank < nKeep.
  let nKeep = 0;
  while (nKeep < sizes.length && nKeep < maxClusters && sizes[nKeep]! >= minClusterSize) nKeep++;
  nKeep = Math.max(nKeep, Math.min(1, sizes.length));
  if (nKeep === sizes.length) return { labels: byRank, sizes };
  const n = embedding.rows;
  const d = embedding.cols;
  const x = embedding.data;
  const centroids = new Float64Array(nKeep * d);
  for (let i = 0; i < n; i++) {
    const c = byRank[i]!;
    if (c >= nKeep) continue;
    for (let f = 0; f < d; f++) centroids[c * d + f]! += x[i * d + f]!;
  }
  for (let c = 0; c < nKeep; c++) for (let f = 0; f < d; f++) centroids[c * d + f]! /= sizes[c]!;
  const merged = new Int32Array(byRank);
  for (let i = 0; i < n; i++) {
    if (byRank[i]! < nKeep) continue;
    let best = 0;
    let bestDist = Infinity;
    for (let c = 0; c < nKeep; c++) {
      let s = 0;
      for (let f = 0; f < d; f++) {
        const diff = x[i * d + f]! - centroids[c * d + f]!;
        s += diff * diff;
      }
      if (s < bestDist) {
        bestDist = s;
        best = c;
      }
    }
    merged[i] = best;
  }
  return relabelBySize(merged);
}

/**
 * The embedding the clustering sees: with `embeddingNorm: 'l2'` every row is scaled to unit Euclidean length
 * (an all-zero row stays zero), so Euclidean k-means and the SNN graph follow the angle between cells, not the
 * length of their embedding vector. See the module header for the figures.
 */
export function clusteringEmbedding(embedding: DenseMatrix, params: ClusterParams): DenseMatrix {
  return params.embeddingNorm === 'none' ? embedding : unitRows(embedding);
}

/**
 * The graph Louvain should run on for `embedding`: its SNN graph ('snn'), or `cellGraph` ('cell-graph'; the
 * caller passes the pruned kNN graph of the same embedding).
 */
export async function louvainGraphOf(
  embedding: DenseMatrix,
  cellGraph: CellGraph | (() => Promise<CellGraph>),
  params: ClusterParams,
  ctx: StageContext,
): Promise<CellGraph> {
  if (params.louvainGraph === 'snn' && params.method !== 'kmeans' && embedding.rows > 1) {
    return snnGraph(await knn(embedding, Math.min(params.snnK, embedding.rows - 1), ctx));
  }
  return typeof cellGraph === 'function' ? cellGraph() : cellGraph;
}

/** Cluster the cells of an embedding with its cell graph (see the module header for the methods). */
export async function clusterCells(
  embedding: DenseMatrix,
  graph: CellGraph,
  params: ClusterParams,
  ctx: StageContext,
): Promise<ClusterResult> {
  const n = embedding.rows;
  if (graph.nNodes !== n)
    throw new RangeError(`clusterCells: graph has ${graph.nNodes} nodes for ${n} cells`);
  if (n === 0) return { labels: new Int32Array(0), nClusters: 0, louvainCommunities: 0, sizes: [] };
  const maxClusters = Math.max(1, Math.floor(params.maxClusters));
  let raw: Int32Array;
  let communities = 0;
  const runKMeans = (k: number): Int32Array =>
    kmeans(embedding, Math.max(1, Math.min(k, maxClusters, n)), { rng: ctx.rng.fork('kmeans') }).labels;

  if (params.method === 'kmeans') {
    if (params.k === undefined || !Number.isInteger(params.k) || params.k < 1)
      throw new RangeError(`clusterCells: method 'kmeans' needs a positive integer k, got ${params.k}`);
    raw = runKMeans(params.k);
  } else {
    // Several seeded Louvain runs; the run with the median community count is used (its count for LouvainK).
    const runs: { comm: Int32Array; count: number }[] = [];
    const nRuns = Math.max(1, Math.floor(params.louvainRuns));
    const resolution = effectiveResolution(params, n);
    const runLouvain = louvainRunner(graph);
    for (let r = 0; r < nRuns; r++) {
      const c = runLouvain({
        resolution,
        rng: ctx.rng.fork(r === 0 ? 'louvain' : `louvain-${r}`),
      });
      runs.push({ comm: c, count: countCommunities(c, params.countMinSize) });
      ctx.progress((0.7 * (r + 1)) / nRuns, `Louvain run ${r + 1} of ${nRuns}`);
      await ctx.checkpoint();
    }
    const median = runs.map((r) => r.count).sort((a, b) => a - b)[(nRuns - 1) >> 1]!;
    const comm = runs.find((r) => r.count === median)!.comm;
    communities = median;
    ctx.progress(0.7, `Louvain: ${communities} communities`);
    await ctx.checkpoint();
    raw = params.method === 'louvain' ? comm : runKMeans(louvainKCount(communities, n, params.resolution));
  }
  const { labels, sizes } = mergeSmallClusters(embedding, raw, params.minClusterSize, maxClusters);
  ctx.progress(1, `${sizes.length} clusters`);
  return { labels, nClusters: sizes.length, louvainCommunities: communities, sizes };
}
