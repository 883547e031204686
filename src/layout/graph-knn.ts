/**
 * The run's cell graph as a fixed-width kNN for umap-js, so the layout reuses the neighbours the pipeline
 * already found instead of umap-js searching them again (its nn-descent is the slowest part of a cold layout
 * at 100,000 cells, and its neighbours would differ from the graph the clusters were found on).
 *
 * The cell graph is a pruned, symmetrised kNN graph (src/core/graph/prune.ts): cells have different degrees
 * and its weights may all be 1, so it carries no distances. Per cell, the candidates are its graph neighbours
 * and, only when it has fewer than k, their neighbours (two hops); each candidate's distance is the Euclidean
 * distance between the two rows of the embedding being laid out, and the k nearest are kept, nearest first,
 * self excluded. A cell with fewer than k candidates in all (a tiny component) is padded with index -1, which
 * umap-js skips when it builds its fuzzy graph; the padding repeats the row's largest distance (0 for an
 * isolated cell) so umap-js' bandwidth search, which averages the row, stays finite.
 *
 * Work O(E + N·k·dims), with 2-hop candidates only for the cells that need them; typed arrays only.
 */
import type { EdgeList } from '../contract/common.ts';

export interface GraphKnn {
  readonly k: number;
  /** nCells x k neighbour indices, nearest first, self excluded, -1 for padding. */
  readonly indices: Int32Array;
  /** nCells x k Euclidean distances in the embedding, ascending per row. */
  readonly distances: Float32Array;
}

/** Both directions of every edge between two different cells in [0, nCells), as CSR (repeats kept). */
export function adjacency(nCells: number, edges: EdgeList): { indptr: Int32Array; indices: Int32Array } {
  const m = Math.min(edges.from.length, edges.to.length);
  const valid = (a: number, b: number): boolean => a !== b && a >= 0 && b >= 0 && a < nCells && b < nCells;
  const indptr = new Int32Array(nCells + 1);
  for (let e = 0; e < m; e++) {
    const a = edges.from[e] as number;
    const b = edges.to[e] as number;
    if (!valid(a, b)) continue;
    indptr[a + 1]!++;
    indptr[b + 1]!++;
  }
  for (let i = 0; i < nCells; i++) indptr[i + 1]! += indptr[i]!;
  const indices = new Int32Array(indptr[nCells]!);
  const cursor = indptr.slice(0, nCells);
  for (let e = 0; e < m; e++) {
    const a = edges.from[e] as number;
    const b = edges.to[e] as number;
    if (!valid(a, b)) continue;
    indices[cursor[a]!++] = b;
    indices[cursor[b]!++] = a;
  }
  return { indptr, indices };
}

/**
 * The k nearest of each cell's graph neighbours (and, when it has fewer than k, of its 2-hop neighbours) by
 * Euclidean distance between rows of `embedding` (nCells x dims, row-major). k is clamped to nCells - 1.
 */
export function graphKnn(
  nCells: number,
  edges: EdgeList,
  embedding: ArrayLike<number>,
  dims: number,
  k: number,
): GraphKnn {
  if (embedding.length !== nCells * dims)
    throw new RangeError(`graphKnn: embedding has ${embedding.length} values, expected ${nCells} x ${dims}`);
  const kk = Math.max(0, Math.min(Math.floor(k), nCells - 1));
  const indices = new Int32Array(nCells * kk).fill(-1);
  const distances = new Float32Array(nCells * kk);
  if (kk === 0) return { k: kk, indices, distances };
  const adj = adjacency(nCells, edges);
  // stamp[j] === i + 1: j is already a candidate of cell i.
  const stamp = new Int32Array(nCells);
  let candIdx = new Int32Array(64);
  let candDist = new Float64Array(64);
  const dist = (i: number, j: number): number => {
    let s = 0;
    const oi = i * dims;
    const oj = j * dims;
    for (let c = 0; c < dims; c++) {
      const d = (embedding[oi + c] as number) - (embedding[oj + c] as number);
      s += d * d;
    }
    return Math.sqrt(s);
  };
  for (let i = 0; i < nCells; i++) {
    let n = 0;
    const add = (j: number): void => {
      if (j === i || stamp[j] === i + 1) return;
      stamp[j] = i + 1;
      if (n === candIdx.length) {
        const grownI = new Int32Array(n * 2);
        grownI.set(candIdx);
        candIdx = grownI;
        const grownD = new Float64Array(n * 2);
        grownD.set(candDist);
        candDist = grownD;
      }
      candIdx[n] = j;
      candDist[n] = dist(i, j);
      n++;
    };
    const lo = adj.indptr[i]!;
    const hi = adj.indptr[i + 1]!;
    for (let p = lo; p < hi; p++) add(adj.indices[p]!);
    if (n < kk) {
      for (let p = lo; p < hi; p++) {
        const j = adj.indices[p]!;
        for (let q = adj.indptr[j]!; q < adj.indptr[j + 1]!; q++) add(adj.indices[q]!);
      }
    }
    // Partial selection sort of the k nearest (ties: lower index first); candidates are few.
    const take = Math.min(kk, n);
    for (let a = 0; a < take; a++) {
      let best = a;
      for (let b = a + 1; b < n; b++) {
        const db = candDist[b]!;
        const dBest = candDist[best]!;
        if (db < dBest || (db === dBest && candIdx[b]! < candIdx[best]!)) best = b;
      }
      if (best !== a) {
        const ti = candIdx[a]!;
        candIdx[a] = candIdx[best]!;
        candIdx[best] = ti;
        const td = candDist[a]!;
        candDist[a] = candDist[best]!;
        candDist[best] = td;
      }
      indices[i * kk + a] = candIdx[a]!;
      distances[i * kk + a] = candDist[a]!;
    }
    const pad = take > 0 ? distances[i * kk + take - 1]! : 0;
    for (let a = take; a < kk; a++) distances[i * kk + a] = pad;
  }
  return { k: kk, indices, distances };
}
