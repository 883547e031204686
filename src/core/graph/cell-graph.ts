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
 * directions keeps the larger weight; self loops and non-positive weights are dropped.
 */
export function symmetricGraph(
  nNodes: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  weight: ArrayLike<number>,
): CellGraph {
  const rows: Map<number, number>[] = Array.from({ length: nNodes }, () => new Map());
  for (let e = 0; e < from.length; e++) {
    const i = from[e]!;
    const j = to[e]!;
    const w = weight[e]!;
    if (i === j || !(w > 0)) continue;
    rows[i]!.set(j, Math.max(rows[i]!.get(j) ?? 0, w));
    rows[j]!.set(i, Math.max(rows[j]!.get(i) ?? 0, w));
  }
  const indptr = new Uint32Array(nNodes + 1);
  for (let i = 0; i < nNodes; i++) indptr[i + 1] = indptr[i]! + rows[i]!.size;
  const indices = new Int32Array(indptr[nNodes]!);
  const weights = new Float32Array(indptr[nNodes]!);
  for (let i = 0; i < nNodes; i++) {
    const entries = [...rows[i]!.entries()].sort((a, b) => a[0] - b[0]);
    let k = indptr[i]!;
    for (const [j, w] of entries) {
      indices[k] = j;
      weights[k] = w;
      k++;
    }
  }
  return { nNodes, indptr, indices, weights };
}
