/**
 * The MAGIC-like reference of the thinning protocol (thinning.ts): kNN diffusion, t = 3, on the same thinned
 * counts the pipeline gets. Simpler than MAGIC itself (no PCA, no adaptive Gaussian kernel, no alpha decay):
 *
 * 1. Each cell's library-size-normalised log expression ln(1 + c · m / total_i) (m = the median total; an empty
 *    cell keeps factor 1, so it is all zero), over all selected genes.
 * 2. Its exact Euclidean kNN graph (k = 10, knn.ts), made symmetric by union (i ~ j when either is among the
 *    other's k nearest), with a self-loop on every cell, all edges of weight 1.
 * 3. Row-normalised into a Markov matrix M (row i: 1 / (degree_i + 1) on itself and each neighbour).
 * 4. The output M^t · ln(1 + thinned counts): the diffused values on the ln(1 + count) scale of the thinned
 *    counts, the scale of the pipeline's imputed output.
 *
 * Only sparse products (M is CSR with at most 2k + 1 entries a row on average; each step is one pass over
 * it, each row summed in float64); no N x N matrix is formed.
 */
import { knn, type KnnResult } from '../graph/knn.ts';
import { csrFromCoo, type CsrMatrix } from '../matrix/csr.ts';
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import type { StageContext } from '../pipeline/context.ts';
import { librarySizeFactors, log1pDense } from '../preprocess/normalise.ts';

export interface MagicOptions {
  /** Neighbours per cell before symmetrising (default 10). */
  readonly k?: number;
  /** Diffusion steps (default 3). */
  readonly t?: number;
}

/** The row-stochastic M of a kNN result: union-symmetrised, self-loops added, every edge weight 1. */
export function markovFromKnn(g: KnnResult): CsrMatrix {
  const n = g.nNodes;
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(i);
    cols.push(i);
    for (let c = 0; c < g.k; c++) {
      const j = g.neighbors[i * g.k + c]!;
      rows.push(i, j);
      cols.push(j, i);
    }
  }
  // Duplicates (mutual neighbours, listed from both sides) are summed by csrFromCoo: set them back to 1.
  const m = csrFromCoo(n, n, rows, cols, new Float32Array(rows.length).fill(1));
  for (let i = 0; i < n; i++) {
    const start = m.indptr[i]!;
    const end = m.indptr[i + 1]!;
    for (let e = start; e < end; e++) m.values[e] = 1 / (end - start);
  }
  return m;
}

/** M^t · X for a square CSR M (n x n) and a dense X (n x d), each row summed in float64; t >= 0. */
export function diffuse(m: CsrMatrix, x: DenseMatrix, t: number): DenseMatrix {
  if (m.nRows !== m.nCols || m.nCols !== x.rows)
    throw new RangeError(`diffuse: M is ${m.nRows}x${m.nCols}, X has ${x.rows} rows`);
  if (!(Number.isInteger(t) && t >= 0)) throw new RangeError(`diffuse: t must be an integer >= 0, got ${t}`);
  const d = x.cols;
  let cur = x.data.slice();
  let next = new Float32Array(cur.length);
  const row = new Float64Array(d);
  for (let step = 0; step < t; step++) {
    for (let i = 0; i < m.nRows; i++) {
      row.fill(0);
      for (let e = m.indptr[i]!; e < m.indptr[i + 1]!; e++) {
        const w = m.values[e]!;
        const src = m.indices[e]! * d;
        for (let f = 0; f < d; f++) row[f]! += w * cur[src + f]!;
      }
      next.set(row, i * d);
    }
    [cur, next] = [next, cur];
  }
  return denseMatrix(x.rows, d, cur);
}

/** The MAGIC-like reference imputation of the counts `counts` (cells x genes), on their ln(1 + x) scale. */
export async function magicReference(
  counts: CsrMatrix,
  ctx: StageContext,
  opts: MagicOptions = {},
): Promise<DenseMatrix> {
  const normalised = log1pDense(counts, librarySizeFactors(counts));
  const graph = await knn(normalised, opts.k ?? 10, ctx);
  return diffuse(markovFromKnn(graph), log1pDense(counts), opts.t ?? 3);
}
