/**
 * The cell graph: an undirected weighted graph over cells in CSR form (both directions stored), as built
 * from the kNN graph of an embedding. This is what Louvain, the graph autoencoder and the imputation
 * regulariser consume. Never an N x N matrix.
 */

export interface CellGraph {
  readonly nNodes: number;
  /** Row pointer, length nNodes + 1. */
  readonly indptr: Uint32Array;
  /** Neighbour of each stored edge; each row ascending; no self loops; symmetric (j in N(i) iff i in N(j)). */
  readonly indices: Int32Array;
  /** Edge weights, symmetric (w_ij === w_ji); > 0. */
  readonly weights: Float32Array;
}

/** Number of undirected edges. */
export function edgeCount(g: CellGraph): number {
  return (g.indptr[g.nNodes] ?? 0) / 2;
}

/** Degree (number of neighbours) of every node. */
export function degrees(g: CellGraph): Float32Array {
  const d = new Float32Array(g.nNodes);
  for (let i = 0; i < g.nNodes; i++) d[i] = g.indptr[i + 1]! - g.indptr[i]!;
  return d;
}

/**
 * Build a symmetric CellGraph from directed edges (i -> j with weight w). An edge present in both
 * directions keeps the larger weight; self loops and non-positive weights are dropped. Typed arrays only
 * (a counting sort by row, then each row sorted by column): memory O(edges), no per-node objects.
 */
export function symmetricGraph(
  nNodes: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  weight: ArrayLike<number>,
): CellGraph {
  const keep = (e: number): boolean => from[e] !== to[e] && weight[e]! > 0;
  // Both directions of every kept edge, bucketed by row.
  const start = new Uint32Array(nNodes + 1);
  for (let e = 0; e < from.length; e++) {
    if (!keep(e)) continue;
    start[from[e]! + 1]!++;
    start[to[e]! + 1]!++;
  }
  for (let i = 0; i < nNodes; i++) start[i + 1]! += start[i]!;
  const total = start[nNodes]!;
  const cols = new Int32Array(total);
  const ws = new Float64Array(total);
  const cursor = start.slice(0, nNodes);
  for (let e = 0; e < from.length; e++) {
    if (!keep(e)) continue;
    const i = from[e]!;
    const j = to[e]!;
    cols[cursor[i]!] = j;
    ws[cursor[i]!++] = weight[e]!;
    cols[cursor[j]!] = i;
    ws[cursor[j]!++] = weight[e]!;
  }
  // Each row by ascending column, duplicates merged (the larger weight).
  const indptr = new Uint32Array(nNodes + 1);
  const indices = new Int32Array(total);
  const weights = new Float32Array(total);
  let order = new Int32Array(0);
  let k = 0;
  for (let i = 0; i < nNodes; i++) {
    const s = start[i]!;
    const len = start[i + 1]! - s;
    if (order.length < len) order = new Int32Array(Math.max(len, 2 * order.length));
    const o = order.subarray(0, len);
    for (let a = 0; a < len; a++) o[a] = s + a;
    o.sort((a, b) => cols[a]! - cols[b]!);
    for (let a = 0; a < len; a++) {
      const p = o[a]!;
      if (k > indptr[i]! && indices[k - 1] === cols[p]) {
        if (ws[p]! > weights[k - 1]!) weights[k - 1] = ws[p]!;
        continue;
      }
      indices[k] = cols[p]!;
      weights[k] = ws[p]!;
      k++;
    }
    indptr[i + 1] = k;
  }
  return { nNodes, indptr, indices: indices.slice(0, k), weights: weights.slice(0, k) };
}
