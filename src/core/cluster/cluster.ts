/**
 * Cell clustering: scGNN's LouvainK (reference note §1.7, `scGNN.py:455-482`, `util_function.py:686-711`) and
 * its alternatives ('louvain' alone, 'kmeans' with a given k).
 *
 * LouvainK as the reference runs it: Louvain on the (pruned, weighted) cell graph gives a community count c;
 * k = int(c x res), where res = 'auto' is 0.8 if N < 2000 else 0.5, and k = 2 if that is below 3; then KMeans(k)
 * on the embedding gives the labels. Louvain here is seeded graphology Louvain on the sparse graph (the reference
 * builds a dense N x N igraph adjacency); KMeans is sklearn's algorithm with this project's seeded Rng.
 *
 * DEVIATION (small clusters and the cluster cap). The reference's `trimClustering` (`util_function.py:564-587`,
 * only when there are > 30 or <= 1 clusters) relabels members of clusters smaller than 5, or with index >= 30, to
 * an extra cluster "30": a junk cluster of unrelated cells that then gets its own cluster autoencoder and its own
 * cell-type regulariser. Here, always: clusters smaller than `minClusterSize` are dissolved, at most
 * `maxClusters` clusters are kept (the largest), and every cell of a dissolved cluster joins the remaining
 * cluster with the nearest centroid in the embedding. The largest cluster always survives, so tiny inputs still
 * get a clustering. For the k-means methods, k itself is first capped at `maxClusters` (asking KMeans for more
 * clusters only to merge them afterwards would waste the k-means objective). `minClusterSize: 1` and a large
 * `maxClusters` switch this off.
 *
 * DEVIATION (defaults: which graph Louvain sees, and how c becomes k). Measured on goolam / celseq2 / dropseq /
 * chung (eval protocol, seed 1), the reference rule over-segmented: Louvain on the 0/1 pruned kNN graph of the
 * embedding found 7-13 communities where there are 3-5, and int(0.8 c) kept most of them (celseq2 k = 7, ARI
 * 0.47-0.56, although k-means with k = 3 on the same embedding gave 0.98). The defaults therefore run Louvain
 * on the embedding's shared-nearest-neighbour graph (`louvainGraph: 'snn'`, Jaccard weights, k = 20, see
 * graph/snn.ts) at modularity resolution 0.3, take the median community count of 5 seeded runs, and use
 * k = c (scale `resolution: 1`): the coarser modularity already does what the x0.8 factor did, and with the
 * 0.8 factor a correct c = 3 becomes k = 2. k-means on the embedding still gives the labels (LouvainK). Measured
 * ARI (reference rule -> these defaults): celseq2 0.47 -> 0.97, dropseq 0.56 -> 0.92, goolam 0.30 -> 0.30.
 * `{ resolution: 'auto', louvainResolution: 1, louvainGraph: 'cell-graph', louvainRuns: 1 }` is the reference.
 *
 * DEVIATION (the geometry that is clustered). The reference clusters the embedding as it is. By default every
 * cell's embedding is first scaled to unit length (`embeddingNorm: 'l2'`, clusteringEmbedding; run-pipeline
 * applies it before the SNN graph and k-means), so cells are compared by the direction of their code, not its
 * length (cosine geometry). Measured with `npm run bench:eval` (seed 1, 10 % dropout), raw -> l2: goolam
 * 0.883 -> 0.883, dropseq 0.811 -> 0.945, celseq2 0.989 -> 1.000, chung 0.465 -> 0.577, klein 0.798 -> 0.799,
 * bladder 0.516 -> 0.562, ifnb 0.415 -> 0.338, worm 0.224 -> 0.390, pbmc 0.677 -> 0.713; mean 0.642 -> 0.690.
 * At seed 2 the mean went 0.567 -> 0.634 (the README has the table). `embeddingNorm: 'none'` is the reference.
 *
 * Labels are 0..nClusters-1 ordered by decreasing cluster size (ties: the cluster of the lower first cell).
 */
import type { CellGraph } from '../graph/cell-graph.ts';
import { unitRows, type DenseMatrix } from '../matrix/dense.ts';
import type { StageContext } from '../pipeline/context.ts';
import { knn } from '../graph/knn.ts';
import { snnGraph } from '../graph/snn.ts';
import { kmeans } from './kmeans.ts';
import { louvain, relabelBySize } from './louvain.ts';

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
  /** Louvain's own modularity resolution (reference 1; default 0.5, see the module header). */
  readonly louvainResolution: number;
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
 * communities for 10 cell types, k capped at 30, 24 clusters after merging, ARI 0.240). Measured with
 * `npm run bench:eval` (seed 1): counting communities of >= 2 cells gave worm 7 clusters, ARI 0.224, and ifnb
 * 0.415 (was 0.372); >= 5 cells gave worm 6 clusters, 0.189. The other seven datasets were unchanged. Cells of
 * uncounted communities are placed by k-means like every other cell.
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
    for (let r = 0; r < nRuns; r++) {
      const c = louvain(graph, {
        resolution: params.louvainResolution,
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
