/**
 * Pruning of the kNN graph and construction of the cell graph: the second half of scGNN's graph step
 * (reference note §1.5, `v1:graph_function.py`).
 *
 * - `pruneMeanStd` is the default `--prunetype KNNgraphStatsSingleThread` (`:283-298`): per cell, a neighbour is
 *   kept if its distance is <= mean + std (numpy std, ddof 0) of the cell's k neighbour distances.
 * - `pruneIsolationForest` is `--prunetype KNNgraphML` (`:228-254`): an Isolation Forest with contamination
 *   'auto' on the cell's and its k neighbours' feature rows; neighbours flagged as outliers are pruned. (The
 *   reference passes `behaviour='new'`, which crashes on sklearn >= 0.24; the rule itself is kept.)
 * - The reference keeps pruned edges in its edge list with weight 0 (only Louvain sees the weights); `PrunedKnn`
 *   keeps the full kNN plus a kept mask so both views stay available, and `buildCellGraph` drops pruned edges.
 * - Symmetrisation: an edge i-j exists if either i kept j or j kept i (an "or" graph, as the reference's
 *   networkx/igraph graphs are undirected). With 'binary' weights (the reference's 1.0) every edge weighs 1.
 * - scGNN 2.0's default graph (`--graph_AE_graph_construction v2`, reference note §2.1; `v2:graph_AE.py`
 *   `feature2adj`, `v2_calculateKNNgraphDistanceMatrixStatsSingleThread`): k = round(0.05 · N) neighbours
 *   (`neighbourCount` with the 'fraction' rule), weight 1 / (d + 1e-16) ('inverse-distance'), no pruning.
 *
 * `graphChange` is a label-free convergence signal for the EM loop (§1.9): the reference's graph criterion
 * compares dense N x N normalised adjacencies, which this project never builds; the Jaccard distance of the
 * edge sets measures the same thing (how much of the graph moved between iterations) sparsely.
 */
import { symmetricGraph, type CellGraph } from './cell-graph.ts';
import type { KnnResult } from './knn.ts';
import type { DenseMatrix } from '../matrix/dense.ts';
import type { Rng } from '../rng.ts';
import { isolationForestScores } from './isolation-forest.ts';

export type PruneMethod = 'mean-std' | 'isolation-forest' | 'none';

export interface PrunedKnn {
  readonly knn: KnnResult;
  /** n*k: 1 kept, 0 pruned (reference keeps pruned edges in its edge list with weight 0) */
  readonly kept: Uint8Array;
}

/** Keep every edge (PruneMethod 'none'). */
export function pruneNone(knn: KnnResult): PrunedKnn {
  return { knn, kept: new Uint8Array(knn.nNodes * knn.k).fill(1) };
}

/** Per cell: keep neighbour if d <= mean + std (ddof 0) of its k distances. */
export function pruneMeanStd(knn: KnnResult): PrunedKnn {
  const { nNodes: n, k, distances } = knn;
  const kept = new Uint8Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += distances[o + c]!;
    const mean = sum / k;
    let ss = 0;
    for (let c = 0; c < k; c++) {
      const dev = distances[o + c]! - mean;
      ss += dev * dev;
    }
    const boundary = mean + Math.sqrt(ss / k);
    for (let c = 0; c < k; c++) kept[o + c] = distances[o + c]! <= boundary ? 1 : 0;
  }
  return { knn, kept };
}

/**
 * Per cell: Isolation Forest (contamination 'auto' as sklearn: score threshold -0.5 offset) on the k+1 feature
 * rows (cell + neighbours), drop neighbours flagged as outliers; 100 trees, subsample min(256, k+1).
 */
export function pruneIsolationForest(knn: KnnResult, embedding: DenseMatrix, rng: Rng): PrunedKnn {
  const { nNodes: n, k, neighbors } = knn;
  if (embedding.rows !== n)
    throw new RangeError(`pruneIsolationForest: ${embedding.rows} rows for ${n} nodes`);
  const kept = new Uint8Array(n * k);
  const rows = new Int32Array(k + 1);
  for (let i = 0; i < n; i++) {
    rows[0] = i;
    for (let c = 0; c < k; c++) rows[c + 1] = neighbors[i * k + c]!;
    const s = isolationForestScores(embedding.data, embedding.cols, rows, rng);
    // sklearn: decision_function = -s - offset_ with offset_ = -0.5; outlier iff decision_function < 0.
    for (let c = 0; c < k; c++) kept[i * k + c] = s[c + 1]! > 0.5 ? 0 : 1;
  }
  return { knn, kept };
}

/** Dispatch on a PruneMethod (the embedding and rng are only used by 'isolation-forest'). */
export function pruneKnn(knn: KnnResult, method: PruneMethod, embedding: DenseMatrix, rng: Rng): PrunedKnn {
  switch (method) {
    case 'mean-std':
      return pruneMeanStd(knn);
    case 'isolation-forest':
      return pruneIsolationForest(knn, embedding, rng);
    case 'none':
      return pruneNone(knn);
  }
}

/** How the number of neighbours per cell is chosen: 'fixed' k (scGNN 1.0: 10), or a 'fraction' of the cells. */
export type KRule = 'fixed' | 'fraction';

/** Edge weights of the cell graph: 'binary' 1 (scGNN 1.0), 'inverse-distance' 1/d (scGNN 2.0), 'gaussian'. */
export type GraphWeighting = 'binary' | 'inverse-distance' | 'gaussian';

/**
 * Python's `round` (round half to even) of a non-negative number, as scGNN 2.0 computes its k with it:
 * round(2.5) = 2, round(3.5) = 4, round(0.5) = 0.
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Neighbours per cell for N cells. 'fixed': k. 'fraction': scGNN 2.0's `feature2adj` (reference note §2.1,
 * `--graph_AE_neighborhood_factor 0.05`): round(fraction · N) with Python's rounding, N − 1 if that is N. Here
 * also at least 1: below 10 cells the reference's k would be 0, an empty graph (it takes the k+1 nearest rows
 * and drops the first, so k = 0 means no edge). knn() clamps k to N − 1 in any case.
 */
export function neighbourCount(rule: KRule, k: number, fraction: number, nCells: number): number {
  if (rule === 'fixed') return k;
  const r = roundHalfEven(fraction * nCells);
  return Math.max(1, r === nCells ? r - 1 : r);
}

/** Offset of scGNN 2.0's 1 / (d + 1e-16): a distance of 0 (duplicate cells) gives a large finite weight. */
const INVERSE_DISTANCE_EPS = 1e-16;

/** Smallest weight of a 'gaussian' edge, so that every stored edge stays > 0 (CellGraph's contract). */
const MIN_GAUSSIAN_WEIGHT = 1e-6;

/**
 * Symmetric, pruned edges dropped; 'binary' weight 1 (scGNN 1.0), 'inverse-distance' 1 / (d + 1e-16)
 * (scGNN 2.0; both directions of an edge have the same d, so the same weight), 'gaussian'
 * exp(-d^2/(2 sigma_i sigma_j)) optional, with the local scale sigma_i = distance to i's k-th neighbour
 * (self-tuning, Zelnik-Manor & Perona).
 */
export function buildCellGraph(pruned: PrunedKnn, opts: { weighting?: GraphWeighting } = {}): CellGraph {
  const { knn, kept } = pruned;
  const { nNodes: n, k, neighbors, distances } = knn;
  const weighting = opts.weighting ?? 'binary';
  let nKept = 0;
  for (let e = 0; e < n * k; e++) nKept += kept[e]!;
  const from = new Int32Array(nKept);
  const to = new Int32Array(nKept);
  const weight = new Float32Array(nKept);
  let sigma: Float64Array | undefined;
  if (weighting === 'gaussian') {
    sigma = new Float64Array(n);
    // A zero scale (k duplicates of a cell) would make every weight 0 or NaN; fall back to a tiny positive one.
    for (let i = 0; i < n; i++) sigma[i] = Math.max(distances[i * k + k - 1]!, 1e-12);
  }
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const e = i * k + c;
      if (!kept[e]) continue;
      const j = neighbors[e]!;
      from[m] = i;
      to[m] = j;
      if (sigma) {
        const d = distances[e]!;
        weight[m] = Math.max(Math.exp((-d * d) / (2 * sigma[i]! * sigma[j]!)), MIN_GAUSSIAN_WEIGHT);
      } else if (weighting === 'inverse-distance') {
        weight[m] = 1 / (distances[e]! + INVERSE_DISTANCE_EPS);
      } else {
        weight[m] = 1;
      }
      m++;
    }
  }
  return symmetricGraph(n, from, to, weight);
}

/**
 * Fraction of edges of the union that differ (0..1), a label-free convergence signal: |A xor B| / |A or B| over
 * undirected edge sets (weights ignored). Two empty graphs give 0.
 */
export function graphChange(a: CellGraph, b: CellGraph): number {
  if (a.nNodes !== b.nNodes) throw new RangeError(`graphChange: ${a.nNodes} vs ${b.nNodes} nodes`);
  let union = 0;
  let common = 0;
  for (let i = 0; i < a.nNodes; i++) {
    // Rows are ascending: merge them, counting each undirected edge once (j > i).
    let p = a.indptr[i]!;
    const pe = a.indptr[i + 1]!;
    let q = b.indptr[i]!;
    const qe = b.indptr[i + 1]!;
    while (p < pe && a.indices[p]! <= i) p++;
    while (q < qe && b.indices[q]! <= i) q++;
    while (p < pe || q < qe) {
      const ja = p < pe ? a.indices[p]! : Infinity;
      const jb = q < qe ? b.indices[q]! : Infinity;
      union++;
      if (ja === jb) {
        common++;
        p++;
        q++;
      } else if (ja < jb) p++;
      else q++;
    }
  }
  return union === 0 ? 0 : (union - common) / union;
}
