/**
 * k-nearest-neighbour search over an embedding (cells x d), Euclidean: exact up to `EXACT_KNN_MAX_CELLS` cells,
 * NN-descent above (`nn-descent.ts`). The exact search is the first half of scGNN's cell
 * graph construction (reference note §1.5, `graph_function.py:calculateKNNgraphDistanceMatrixStatsSingleThread`,
 * which runs `cdist(z_i, Z)` per cell and keeps the k + 1 smallest, self first).
 *
 * Instead of one cdist per cell (O(N) Python loops), rows are processed in blocks on the active TensorFlow.js
 * backend: for a block B and all cells X, the ranking score 2 b.x - |x|^2 (= |b|^2 - |b - x|^2, so the row
 * constant |b|^2 is not needed for the ranking) is one matMul against a pre-transposed X (a transposed matMul
 * is ~15x slower on the WASM backend), followed by `topk`. Memory is O(blockSize x N) on the backend, never
 * N x N.
 *
 * The matMul form loses precision by cancellation (|b|^2 and b.x are large next to |b - x|^2 for nearby
 * points), so: the embedding is centred first (distances are translation invariant and centring shrinks the
 * norms), `topk` returns a few spare candidates, and the candidates are re-ranked with exact float64
 * distances computed in JS from the embedding. The returned distances are therefore exact (up to float32
 * rounding of the output) and ascending per row; ties are broken by the lower cell index, like a stable sort.
 *
 * Self is excluded by index, not by assuming it is the nearest (duplicated cells tie with self at distance 0).
 *
 * k >= N: clamped to N - 1 (every other cell is a neighbour); the effective k is `KnnResult.k`. Small inputs
 * (a dataset of a handful of cells) then still produce a graph rather than an error. k < 1 or N < 2 throw.
 */
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import type { StageContext } from '../pipeline/context.ts';
import { nnDescent } from './nn-descent.ts';

export interface KnnResult {
  readonly nNodes: number;
  readonly k: number;
  /** n*k neighbour indices, nearest first, self excluded */
  readonly neighbors: Int32Array;
  /** n*k Euclidean distances, ascending per row */
  readonly distances: Float32Array;
}

/** Spare topk candidates re-ranked exactly, so cancellation in the matMul form cannot change the result. */
const SPARE_CANDIDATES = 4;
/**
 * Default block on a GPU backend: ~2^24 scores (64 MiB float32) per block, well below WebGPU's guaranteed
 * 128 MiB binding, and few dispatches. On the CPU-class backends (WASM, CPU) ~2^22 (16 MiB): a block and its
 * intermediates live in the WASM heap, which never shrinks, and smaller products cost them nothing per score.
 */
const BLOCK_ELEMENTS_GPU = 1 << 24;
const BLOCK_ELEMENTS_CPU = 1 << 22;
const blockElements = (tf: StageContext['tf']): number =>
  ['wasm', 'cpu'].includes(tf.getBackend()) ? BLOCK_ELEMENTS_CPU : BLOCK_ELEMENTS_GPU;

/**
 * Above this many cells `knn` is approximate (NN-descent, `nn-descent.ts`) unless asked for the exact search:
 * the exact one is O(N^2 d) (one call ~190 s at 100,000 cells x 64 dimensions on WASM, ~10 s at 30,000) and
 * NN-descent roughly O(N) (~6-10 s at 30,000 cells for k = 10-20, recall 0.96-0.97 of the exact neighbours on a
 * feature-AE embedding). Near 25,000 cells the two cost about the same; every labelled set is far below it, so
 * their results do not change. docs/decisions/approximate-knn.md.
 */
export const EXACT_KNN_MAX_CELLS = 25_000;

/**
 * Neighbours NN-descent keeps per cell at least (the k asked are its nearest): a heap of 10 converges to ~0.92
 * recall of the true 10 nearest, one of 15 to ~0.96 (30,000-cell feature-AE embedding).
 */
const APPROX_MIN_HEAP = 15;
/** Candidates NN-descent samples per cell and round (heap 15: recall 0.97 with 20, 0.95 with 15). */
const APPROX_CANDIDATES = 20;

export interface KnnOptions {
  /** Rows per block of the exact search (default: by backend, see above). */
  readonly blockSize?: number;
  /** 'auto' (default): exact up to `EXACT_KNN_MAX_CELLS` cells, NN-descent above; or either always. */
  readonly method?: 'auto' | 'exact' | 'approximate';
}

/**
 * k nearest neighbours, Euclidean: exact (below) up to `EXACT_KNN_MAX_CELLS` cells, approximate above (see
 * `KnnOptions.method`). Either way the distances are exact and each row ascending, ties by the lower index.
 */
export async function knn(
  embedding: DenseMatrix,
  k: number,
  ctx: StageContext,
  opts: KnnOptions = {},
): Promise<KnnResult> {
  const method = opts.method ?? 'auto';
  const approximate = method === 'approximate' || (method === 'auto' && embedding.rows > EXACT_KNN_MAX_CELLS);
  return approximate ? approximateKnn(embedding, k, ctx) : exactKnn(embedding, k, ctx, opts);
}

/** NN-descent kNN (see `nn-descent.ts`), k clamped to N - 1 like the exact search. */
async function approximateKnn(embedding: DenseMatrix, k: number, ctx: StageContext): Promise<KnnResult> {
  const n = embedding.rows;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`knn: k must be a positive integer, got ${k}`);
  if (n < 2) throw new RangeError(`knn: need at least 2 cells, got ${n}`);
  const varying = varyingColumns(embedding);
  const x = varying.length < embedding.cols ? selectColumns(embedding, varying) : embedding;
  const kk = Math.min(k, n - 1);
  const heap = Math.min(n - 1, Math.max(kk, APPROX_MIN_HEAP));
  const found = await nnDescent(x.data, n, x.cols, heap, {
    maxCandidates: APPROX_CANDIDATES,
    onRound: async (fraction) => {
      ctx.progress(fraction, 'kNN (NN-descent)');
      await ctx.checkpoint();
    },
  });
  if (heap === kk) return { nNodes: n, k: kk, neighbors: found.neighbors, distances: found.distances };
  const neighbors = new Int32Array(n * kk);
  const distances = new Float32Array(n * kk);
  for (let i = 0; i < n; i++) {
    neighbors.set(found.neighbors.subarray(i * heap, i * heap + kk), i * kk);
    distances.set(found.distances.subarray(i * heap, i * heap + kk), i * kk);
  }
  return { nNodes: n, k: kk, neighbors, distances };
}

/**
 * Exact kNN, Euclidean, computed in row blocks on the active tf backend (|a|^2 + |b|^2 - 2ab via matMul, then
 * topk of the negated distances); memory O(blockSize x N), never N x N for N > blockSize.
 */
async function exactKnn(
  embedding: DenseMatrix,
  k: number,
  ctx: StageContext,
  opts: { blockSize?: number } = {},
): Promise<KnnResult> {
  const n = embedding.rows;
  const d = embedding.cols;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`knn: k must be a positive integer, got ${k}`);
  if (n < 2) throw new RangeError(`knn: need at least 2 cells, got ${n}`);
  // A column equal in every row adds nothing to any distance: leave it out of the products. The feature AE's
  // ReLU bottleneck often has many such (dead) units: 16-79 of 128 on the labelled sets.
  const varying = varyingColumns(embedding);
  if (varying.length < d) return exactKnn(selectColumns(embedding, varying), k, ctx, opts);
  const kk = Math.min(k, n - 1);
  const blockSize = Math.max(
    1,
    Math.floor(opts.blockSize ?? Math.min(4096, Math.max(64, Math.floor(blockElements(ctx.tf) / n)))),
  );
  // Candidates asked from topk: self + k + spares, at most all cells.
  const nCand = Math.min(n, kk + 1 + SPARE_CANDIDATES);

  // Centre the columns (float64 means) so that the matMul scores suffer less cancellation.
  const x = embedding.data;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let c = 0; c < d; c++) mean[c]! += x[o + c]!;
  }
  for (let c = 0; c < d; c++) mean[c]! /= n;
  const centred = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let c = 0; c < d; c++) centred[o + c] = x[o + c]! - mean[c]!;
  }

  const { tf } = ctx;
  const neighbors = new Int32Array(n * kk);
  const distances = new Float32Array(n * kk);
  const all = tf.tensor2d(centred, [n, d]);
  const allT = tf.tidy(() => tf.transpose(all));
  const sqNorms = tf.tidy(() => tf.reshape(tf.sum(tf.square(all), 1), [1, n]));

  const candIdx = new Int32Array(nCand);
  const candDist = new Float64Array(nCand);
  const order = new Int32Array(nCand);
  try {
    for (let start = 0; start < n; start += blockSize) {
      const size = Math.min(blockSize, n - start);
      const idxTensor = tf.tidy(() => {
        const block = tf.slice(all, [start, 0], [size, d]);
        const score = tf.sub(tf.mul(tf.matMul(block, allT), 2), sqNorms);
        return tf.topk(score, nCand, true).indices;
      });
      let idx: Int32Array;
      try {
        idx = (await idxTensor.data()) as Int32Array;
      } finally {
        idxTensor.dispose();
      }
      for (let r = 0; r < size; r++) {
        const i = start + r;
        const oi = i * d;
        let m = 0;
        for (let c = 0; c < nCand; c++) {
          const j = idx[r * nCand + c]!;
          if (j === i) continue;
          const oj = j * d;
          let s = 0;
          for (let f = 0; f < d; f++) {
            const diff = x[oi + f]! - x[oj + f]!;
            s += diff * diff;
          }
          candIdx[m] = j;
          candDist[m] = s;
          order[m] = m;
          m++;
        }
        // Exact re-rank: by distance, then by index (the stable, brute-force order).
        const sorted = order
          .subarray(0, m)
          .sort((a, b) => candDist[a]! - candDist[b]! || candIdx[a]! - candIdx[b]!);
        for (let c = 0; c < kk; c++) {
          const t = sorted[c]!;
          neighbors[i * kk + c] = candIdx[t]!;
          distances[i * kk + c] = Math.sqrt(candDist[t]!);
        }
      }
      ctx.progress((start + size) / n, 'kNN');
      await ctx.checkpoint();
    }
  } finally {
    all.dispose();
    allT.dispose();
    sqNorms.dispose();
  }
  return { nNodes: n, k: kk, neighbors, distances };
}

/** Columns whose values are not all equal (at least one column, so that an all-constant input keeps a shape). */
function varyingColumns(m: DenseMatrix): number[] {
  const { rows, cols, data } = m;
  const out: number[] = [];
  for (let c = 0; c < cols; c++) {
    const first = data[c]!;
    for (let i = 1; i < rows; i++)
      if (data[i * cols + c] !== first) {
        out.push(c);
        break;
      }
  }
  return out.length > 0 || cols === 0 ? out : [0];
}

/** The columns `keep` of a dense matrix, in that order. */
function selectColumns(m: DenseMatrix, keep: readonly number[]): DenseMatrix {
  const out = new Float32Array(m.rows * keep.length);
  for (let i = 0; i < m.rows; i++)
    for (let c = 0; c < keep.length; c++) out[i * keep.length + c] = m.data[i * m.cols + keep[c]!]!;
  return denseMatrix(m.rows, keep.length, out);
}
