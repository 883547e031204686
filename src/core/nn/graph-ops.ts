/**
 * Sparse message passing for the scGNN graph autoencoders (reference note §1.6 GCN-VAE, §2.3 GAT), written so
 * that it runs on every TensorFlow.js backend we ship (cpu, wasm, webgl, webgpu) and never builds an N x N
 * tensor.
 *
 * Why not `gather` + `unsortedSegmentSum`: the WASM backend has no UnsortedSegmentSum kernel, so the autodiff
 * gradient of `gather` fails there. Instead the cell graph is stored as *padded neighbour lists* ("slots"):
 * row i has `width` slots, slot k points at neighbour idx[i,k] (slot 0 is i itself when self loops are on);
 * unused slots point at i and are masked out. Because the cell graph is symmetric, the transpose of "gather
 * the neighbours" is again a gather: every slot (i,k) -> j has a reverse slot (j,k') -> i, recorded in `rev`.
 * Each op comes as `xxxForward` / `xxxBackward` (plain forward kernels: the training loop calls them directly,
 * because plain Node ESM cannot load tfjs' registered gradients) and as a `tf.customGrad` op built from them
 * (tested against tf's autodiff of dense equivalents). Only gathers, batched matMuls, slices, transposes and
 * element-wise ops are used, all of which cpu, wasm and webgpu implement.
 *
 * Memory: the aggregations gather the neighbour rows of a chunk of slots at a time (at most CHUNK_BUDGET
 * numbers) and reduce them with a batched matMul into an [N, F] result, so transient memory is O(N x F) plus a
 * fixed 16 MB (plus O(N x width x heads) for attention coefficients), never O(N x width x F) or O(N²).
 *
 * Also here: `mm`, a matrix product whose gradient uses explicit transposes (on WASM a transposed matMul is
 * ~12x slower than transpose + matMul), and Xavier initialisation (the reference initialises every GAE/GAT
 * weight with `xavier_uniform_`).
 */
import type { Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-core';
import type { CellGraph } from '../graph/cell-graph.ts';
import type { Tf } from '../pipeline/context.ts';
import type { Rng } from '../rng.ts';

/** The cell graph as padded neighbour lists (plain arrays; see `graphTensors` for the tensor form). */
export interface PaddedGraph {
  readonly n: number;
  /** Slots per row: max degree (+1 with self loops), at least 1. */
  readonly width: number;
  readonly selfLoops: boolean;
  /** Row-major [n, width]: the neighbour in each slot; unused slots point at the row itself. */
  readonly idx: Int32Array;
  /** Row-major [n, width]: 1 for a real edge (or self loop), 0 for padding. */
  readonly mask: Float32Array;
  /** Row-major [n, width]: flat index (j * width + k') of the reverse slot of each slot; padding: itself. */
  readonly rev: Int32Array;
  /**
   * Row-major [n, width]: the symmetric GCN normalisation Â = D̃^-½ (A + I) D̃^-½ with binary A (self loops
   * only counted when `selfLoops`), 0 on padding. scGNN 1.0 (`gae/utils.py:preprocess_graph`) uses the binary
   * kNN adjacency (kept edges have weight 1), so edge weights of the CellGraph are not used.
   */
  readonly coef: Float32Array;
  /** Number of stored (directed) positive pairs: 2 x edges (+ n self loops). */
  readonly nPositive: number;
}

/** Build padded neighbour lists from a symmetric CellGraph. Throws when the graph is not symmetric. */
export function paddedGraph(graph: CellGraph, selfLoops: boolean): PaddedGraph {
  const n = graph.nNodes;
  const off = selfLoops ? 1 : 0;
  let maxDeg = 0;
  for (let i = 0; i < n; i++) maxDeg = Math.max(maxDeg, graph.indptr[i + 1]! - graph.indptr[i]!);
  const width = Math.max(1, maxDeg + off);
  const idx = new Int32Array(n * width);
  const mask = new Float32Array(n * width);
  const rev = new Int32Array(n * width);
  const coef = new Float32Array(n * width);
  const invSqrtDeg = new Float64Array(n);
  for (let i = 0; i < n; i++) invSqrtDeg[i] = 1 / Math.sqrt(graph.indptr[i + 1]! - graph.indptr[i]! + off);
  for (let i = 0; i < n; i++) {
    const start = graph.indptr[i]!;
    const deg = graph.indptr[i + 1]! - start;
    for (let k = 0; k < width; k++) {
      const s = i * width + k;
      idx[s] = i;
      rev[s] = s;
    }
    if (selfLoops) {
      mask[i * width] = 1;
      coef[i * width] = invSqrtDeg[i]! * invSqrtDeg[i]!;
    }
    for (let e = 0; e < deg; e++) {
      const j = graph.indices[start + e]!;
      const s = i * width + off + e;
      idx[s] = j;
      mask[s] = 1;
      coef[s] = invSqrtDeg[i]! * invSqrtDeg[j]!;
      // Position of i in j's (ascending) row: binary search.
      let lo = graph.indptr[j]!;
      let hi = graph.indptr[j + 1]!;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (graph.indices[mid]! < i) lo = mid + 1;
        else hi = mid;
      }
      if (lo >= graph.indptr[j + 1]! || graph.indices[lo] !== i)
        throw new Error(`cell graph is not symmetric: edge ${i} -> ${j} has no reverse`);
      rev[s] = j * width + off + (lo - graph.indptr[j]!);
    }
  }
  return { n, width, selfLoops, idx, mask, rev, coef, nPositive: graph.indptr[n]! + (selfLoops ? n : 0) };
}

/**
 * How many numbers one gathered chunk may hold (16 MB of float32). Aggregations gather the neighbour rows of
 * as many slots at once as fit, then reduce them with one batched matMul: one big gather + one matMul is far
 * faster than a gather per slot (kernel launch overhead), and the budget keeps memory O(N x F) + 16 MB instead
 * of O(N x width x F).
 */
const CHUNK_BUDGET = 1 << 22;

/** The padded graph as tensors; index tensors for slot chunks are built on first use and cached. */
export interface GraphTensors {
  readonly pg: PaddedGraph;
  /** [n, width]. */
  readonly mask: Tensor2D;
  /** Flat rev, int32 [n * width]. */
  readonly rev: Tensor1D;
  /** Cached tensors by key (see `cached`). */
  readonly cache: Map<string, Tensor>;
  /** Numbers per gathered chunk (CHUNK_BUDGET unless set, e.g. small in tests to exercise several chunks). */
  readonly chunkBudget: number;
  dispose(): void;
}

export function graphTensors(tf: Tf, pg: PaddedGraph, chunkBudget = CHUNK_BUDGET): GraphTensors {
  const mask = tf.tensor2d(pg.mask, [pg.n, pg.width]);
  const rev = tf.tensor1d(pg.rev, 'int32');
  const cache = new Map<string, Tensor>();
  return {
    pg,
    mask,
    rev,
    cache,
    chunkBudget,
    dispose: () => {
      mask.dispose();
      rev.dispose();
      for (const t of cache.values()) t.dispose();
      cache.clear();
    },
  };
}

function cached<T extends Tensor>(tf: Tf, gt: GraphTensors, key: string, make: () => T): T {
  let t = gt.cache.get(key);
  if (!t) {
    // Kept: built lazily, possibly inside a caller's tidy, but owned by `gt` (freed by its dispose()).
    t = tf.keep(tf.tidy(make));
    gt.cache.set(key, t);
  }
  return t as T;
}

/** Slot ranges [s0, s1) such that n x (s1 - s0) x perSlot numbers fit the chunk budget. */
function slotChunks(gt: GraphTensors, perSlot: number): [number, number][] {
  const { n, width } = gt.pg;
  const c = Math.max(1, Math.min(width, Math.floor(gt.chunkBudget / Math.max(1, n * perSlot))));
  const out: [number, number][] = [];
  for (let s0 = 0; s0 < width; s0 += c) out.push([s0, Math.min(width, s0 + c)]);
  return out;
}

/**
 * Row indices for a chunk of slots, as [n * c * heads, 1] int32 in (i, h, k) order: the row of
 * `source` (an [n * heads, F] view when heads > 1) for node i, head h, slot k. `which` picks idx (neighbour
 * rows) or rev (reverse-slot rows of an [n * width, ·] tensor; heads must be 1).
 */
function chunkIndex(
  tf: Tf,
  gt: GraphTensors,
  which: 'idx' | 'rev',
  s0: number,
  s1: number,
  heads: number,
): Tensor2D {
  return cached(tf, gt, `${which}:${s0}:${s1}:${heads}`, () => {
    const { n, width } = gt.pg;
    const src = which === 'idx' ? gt.pg.idx : gt.pg.rev;
    const c = s1 - s0;
    const out = new Int32Array(n * heads * c);
    let o = 0;
    for (let i = 0; i < n; i++)
      for (let h = 0; h < heads; h++)
        for (let k = s0; k < s1; k++) out[o++] = src[i * width + k]! * heads + h;
    return tf.tensor2d(out, [out.length, 1], 'int32');
  });
}

/** One of the per-chunk float tensors: coefficients or mask, as [n, 1, c]. */
function chunkValues(tf: Tf, gt: GraphTensors, which: 'coef' | 'mask', s0: number, s1: number): Tensor3D {
  return cached(tf, gt, `${which}:${s0}:${s1}`, () => {
    const { n, width } = gt.pg;
    const src = which === 'coef' ? gt.pg.coef : gt.pg.mask;
    const c = s1 - s0;
    const out = new Float32Array(n * c);
    for (let i = 0; i < n; i++) for (let k = s0; k < s1; k++) out[i * c + k - s0] = src[i * width + k]!;
    return tf.tensor3d(out, [n, 1, c]);
  });
}

/**
 * Rows of x at the given indices ([m, 1] int32). On WASM `gatherND` copies whole rows and is ~12x faster than
 * `gather` (measured: 33k rows x 32 floats, 2.6 ms vs 36 ms); on cpu it is the other way round, so pick.
 */
function rows(tf: Tf, x: Tensor2D, index: Tensor2D): Tensor2D {
  if (tf.getBackend() === 'wasm') return tf.gatherND(x, index) as Tensor2D;
  return tf.tidy(() => tf.gather(x, tf.reshape(index, [index.shape[0]])));
}

/** Sum of `term(c)` over the chunks, disposing each term as soon as it is added. */
function accumulate<T extends Tensor>(
  tf: Tf,
  chunks: [number, number][],
  term: (s0: number, s1: number) => T,
): T {
  let acc: T | null = null;
  for (const [s0, s1] of chunks) {
    const t = tf.tidy(() => term(s0, s1));
    if (acc === null) acc = t;
    else {
      const next = tf.add(acc, t) as T;
      acc.dispose();
      t.dispose();
      acc = next;
    }
  }
  if (acc === null) throw new Error('accumulate over zero chunks');
  return acc;
}

/**
 * Y = Â X for the symmetric normalised adjacency of `gt` (Â = D̃^-½(A+I)D̃^-½ with self loops). Forward only;
 * Â is symmetric, so this is also its own backward (Âᵀ dY = Â dY).
 */
export function propagateForward(tf: Tf, gt: GraphTensors, x: Tensor2D): Tensor2D {
  const [n, f] = x.shape;
  return tf.tidy(() =>
    tf.reshape(
      accumulate(tf, slotChunks(gt, f), (s0, s1) =>
        tf.matMul(
          chunkValues(tf, gt, 'coef', s0, s1),
          tf.reshape(rows(tf, x, chunkIndex(tf, gt, 'idx', s0, s1, 1)), [n, s1 - s0, f]),
        ),
      ),
      [n, f],
    ),
  );
}

/** `propagateForward` as a differentiable op (gradient: the same propagation). */
export function propagate(tf: Tf, gt: GraphTensors, x: Tensor2D): Tensor2D {
  const op = tf.customGrad((...args: unknown[]) => ({
    value: propagateForward(tf, gt, args[0] as Tensor2D),
    gradFunc: (dy: Tensor) => propagateForward(tf, gt, dy as Tensor2D),
  }));
  return op(x) as Tensor2D;
}

/** Neighbour values V[idx[i,k]] as [n, width, C], zero on padding (for narrow V: attention scores). */
export function neighbourGatherForward(tf: Tf, gt: GraphTensors, v: Tensor2D): Tensor3D {
  const { n, width } = gt.pg;
  return tf.tidy(() =>
    tf.mul(
      tf.reshape(rows(tf, v, chunkIndex(tf, gt, 'idx', 0, width, 1)), [n, width, v.shape[1]]),
      tf.expandDims(gt.mask, 2),
    ),
  ) as Tensor3D;
}

/**
 * Transpose of `neighbourGatherForward`: dV_j = Σ_k' mask(j,k') dY[rev(j,k')] (the reverse slots of j's slots
 * are exactly the slots that point at j).
 */
export function neighbourGatherBackward(tf: Tf, gt: GraphTensors, dy: Tensor3D): Tensor2D {
  const { n, width } = gt.pg;
  const c = dy.shape[2];
  return tf.tidy(() => {
    const flat = tf.reshape(dy, [n * width, c]) as Tensor2D;
    const g = tf.reshape(rows(tf, flat, chunkIndex(tf, gt, 'rev', 0, width, 1)), [n, width, c]);
    return tf.sum(tf.mul(g, tf.expandDims(gt.mask, 2)), 1);
  }) as Tensor2D;
}

export function neighbourGather(tf: Tf, gt: GraphTensors, v: Tensor2D): Tensor3D {
  const op = tf.customGrad((...args: unknown[]) => ({
    value: neighbourGatherForward(tf, gt, args[0] as Tensor2D),
    gradFunc: (dy: Tensor) => neighbourGatherBackward(tf, gt, dy as Tensor3D),
  }));
  return op(v) as Tensor3D;
}

/** α[:, s0:s1, :] (masked) rearranged as [n * heads, 1, c] for batched matMuls. */
function alphaChunk(tf: Tf, gt: GraphTensors, alpha: Tensor3D, s0: number, s1: number): Tensor3D {
  const [n, , heads] = alpha.shape;
  const c = s1 - s0;
  const a = tf.mul(
    tf.slice(alpha, [0, s0, 0], [n, c, heads]),
    tf.transpose(chunkValues(tf, gt, 'mask', s0, s1), [0, 2, 1]),
  );
  return tf.reshape(tf.transpose(a, [0, 2, 1]), [n * heads, 1, c]);
}

/**
 * Attention-weighted aggregation (GAT): out[i,h,:] = Σ_k mask(i,k) α[i,k,h] P[idx[i,k], h, :].
 * α: [n, width, heads]; p: [n, heads * f]; returns [n, heads, f].
 */
export function attendForward(
  tf: Tf,
  gt: GraphTensors,
  alpha: Tensor3D,
  p: Tensor2D,
  heads: number,
): Tensor3D {
  const n = gt.pg.n;
  const f = p.shape[1] / heads;
  return tf.tidy(() => {
    const pRows = tf.reshape(p, [n * heads, f]) as Tensor2D;
    const out = accumulate(tf, slotChunks(gt, heads * f), (s0, s1) =>
      tf.matMul(
        alphaChunk(tf, gt, alpha, s0, s1),
        tf.reshape(rows(tf, pRows, chunkIndex(tf, gt, 'idx', s0, s1, heads)), [n * heads, s1 - s0, f]),
      ),
    );
    return tf.reshape(out, [n, heads, f]);
  }) as Tensor3D;
}

/**
 * Gradients of `attendForward`: dα[i,k,h] = mask(i,k) <dOut[i,h,:], P[idx[i,k],h,:]>;
 * dP[j,h,:] = Σ_k' mask(j,k') α[rev(j,k'),h] dOut[idx[j,k'],h,:].
 */
export function attendBackward(
  tf: Tf,
  gt: GraphTensors,
  alpha: Tensor3D,
  p: Tensor2D,
  heads: number,
  dOut: Tensor3D,
): { dAlpha: Tensor3D; dP: Tensor2D } {
  const { n, width } = gt.pg;
  const f = p.shape[1] / heads;
  return tf.tidy(() => {
    const pRows = tf.reshape(p, [n * heads, f]) as Tensor2D;
    const dRows = tf.reshape(dOut, [n * heads, f]) as Tensor2D;
    const dCol = tf.reshape(dOut, [n * heads, f, 1]);
    const aFlat = tf.reshape(alpha, [n * width, heads]) as Tensor2D;
    const chunks = slotChunks(gt, heads * f);
    const parts: Tensor[] = [];
    const dP = accumulate(tf, chunks, (s0, s1) => {
      const c = s1 - s0;
      const index = chunkIndex(tf, gt, 'idx', s0, s1, heads);
      // dα for this chunk: [n*heads, c, f] @ [n*heads, f, 1] -> [n, heads, c] -> [n, c, heads].
      const g = tf.reshape(rows(tf, pRows, index), [n * heads, c, f]);
      const da = tf.transpose(tf.reshape(tf.matMul(g, dCol), [n, heads, c]), [0, 2, 1]);
      parts.push(tf.keep(tf.mul(da, tf.transpose(chunkValues(tf, gt, 'mask', s0, s1), [0, 2, 1]))));
      // dP: α at the reverse slots, [n, c, heads] -> [n*heads, 1, c], times the dOut rows of the neighbours.
      const aRev = tf.reshape(rows(tf, aFlat, chunkIndex(tf, gt, 'rev', s0, s1, 1)), [n, c, heads]);
      const aRevMasked = tf.mul(aRev, tf.transpose(chunkValues(tf, gt, 'mask', s0, s1), [0, 2, 1]));
      const w = tf.reshape(tf.transpose(aRevMasked, [0, 2, 1]), [n * heads, 1, c]);
      return tf.matMul(w, tf.reshape(rows(tf, dRows, index), [n * heads, c, f]));
    });
    // The parts were kept to survive `accumulate`'s per-chunk tidy; release them once joined.
    // (clone: a tracked handle on the same data, so the caller's tidy owns the result).
    const dAlpha = (parts.length === 1 ? tf.clone(parts[0]!) : tf.concat(parts, 1)) as Tensor3D;
    for (const t of parts) t.dispose();
    return { dAlpha, dP: tf.reshape(dP, [n, heads * f]) as Tensor2D };
  });
}

export function attendNeighbours(
  tf: Tf,
  gt: GraphTensors,
  alpha: Tensor3D,
  p: Tensor2D,
  heads: number,
): Tensor3D {
  const op = tf.customGrad((...args: unknown[]) => {
    (args[2] as (t: Tensor[]) => void)([args[0] as Tensor, args[1] as Tensor]);
    return {
      value: attendForward(tf, gt, args[0] as Tensor3D, args[1] as Tensor2D, heads),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const g = attendBackward(tf, gt, saved[0] as Tensor3D, saved[1] as Tensor2D, heads, dy as Tensor3D);
        return [g.dAlpha, g.dP];
      },
    };
  });
  return op(alpha, p) as Tensor3D;
}

/** Inner-product decoder logits on the stored pairs: x[i,k] = mask(i,k) <z_i, z_idx[i,k]>, [n, width]. */
export function pairLogitsForward(tf: Tf, gt: GraphTensors, z: Tensor2D): Tensor2D {
  const [n, d] = z.shape;
  return tf.tidy(() => {
    const zCol = tf.reshape(z, [n, d, 1]);
    const parts = slotChunks(gt, d).map(([s0, s1]) =>
      tf.reshape(
        tf.matMul(tf.reshape(rows(tf, z, chunkIndex(tf, gt, 'idx', s0, s1, 1)), [n, s1 - s0, d]), zCol),
        [n, s1 - s0],
      ),
    );
    return tf.mul(parts.length === 1 ? parts[0]! : tf.concat(parts, 1), gt.mask);
  }) as Tensor2D;
}

/** dZ_i = Σ_k (g[i,k] + g[rev(i,k)]) z_idx[i,k] with g masked (z_i appears on both sides of a pair). */
export function pairLogitsBackward(tf: Tf, gt: GraphTensors, z: Tensor2D, dy: Tensor2D): Tensor2D {
  const { n, width } = gt.pg;
  const d = z.shape[1];
  return tf.tidy(() => {
    const g = tf.mul(dy, gt.mask);
    const gs = tf.add(g, tf.reshape(tf.gather(tf.reshape(g, [n * width]), gt.rev), [n, width]));
    return tf.reshape(
      accumulate(tf, slotChunks(gt, d), (s0, s1) =>
        tf.matMul(
          tf.reshape(tf.slice(gs, [0, s0], [n, s1 - s0]), [n, 1, s1 - s0]),
          tf.reshape(rows(tf, z, chunkIndex(tf, gt, 'idx', s0, s1, 1)), [n, s1 - s0, d]),
        ),
      ),
      [n, d],
    );
  }) as Tensor2D;
}

export function pairLogits(tf: Tf, gt: GraphTensors, z: Tensor2D): Tensor2D {
  const op = tf.customGrad((...args: unknown[]) => {
    (args[1] as (t: Tensor[]) => void)([args[0] as Tensor]);
    return {
      value: pairLogitsForward(tf, gt, args[0] as Tensor2D),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        pairLogitsBackward(tf, gt, saved[0] as Tensor2D, dy as Tensor2D),
    };
  });
  return op(z) as Tensor2D;
}

/** M permutations of 0..n-1, stacked: forward gather indices and the indices of their inverses (see below). */
export interface RowPermutations {
  readonly n: number;
  readonly m: number;
  /** fwd[m*n + i] = π_m(i). */
  readonly fwd: Int32Array;
  /** inv[m*n + j] = m*n + π_m⁻¹(j): where, in the stacked gather output, row j of permutation m went. */
  readonly inv: Int32Array;
}

export function rowPermutations(n: number, perms: readonly Int32Array[]): RowPermutations {
  const m = perms.length;
  const fwd = new Int32Array(m * n);
  const inv = new Int32Array(m * n);
  perms.forEach((p, q) => {
    for (let i = 0; i < n; i++) {
      const j = p[i]!;
      fwd[q * n + i] = j;
      inv[q * n + j] = q * n + i;
    }
  });
  return { n, m, fwd, inv };
}

/** `m` uniformly random permutations (Fisher-Yates with the seeded generator). */
export function randomPermutations(n: number, m: number, rng: Rng): RowPermutations {
  const perms: Int32Array[] = [];
  for (let q = 0; q < m; q++) {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    perms.push(p);
  }
  return rowPermutations(n, perms);
}

/** Rows of z permuted by each permutation, [m, n, d]. */
export function permutedForward(tf: Tf, z: Tensor2D, fwd: Tensor1D, m: number): Tensor3D {
  const [n, d] = z.shape;
  return tf.tidy(() => tf.reshape(tf.gather(z, fwd), [m, n, d])) as Tensor3D;
}

/** A permutation's transpose is its inverse, so the backward is again a gather (no scatter needed). */
export function permutedBackward(tf: Tf, dy: Tensor3D, inv: Tensor1D): Tensor2D {
  const [m, n, d] = dy.shape;
  return tf.tidy(() =>
    tf.sum(tf.reshape(tf.gather(tf.reshape(dy, [m * n, d]), inv), [m, n, d]), 0),
  ) as Tensor2D;
}

export function permutedRows(tf: Tf, z: Tensor2D, fwd: Tensor1D, inv: Tensor1D, m: number): Tensor3D {
  const op = tf.customGrad((...args: unknown[]) => ({
    value: permutedForward(tf, args[0] as Tensor2D, fwd, m),
    gradFunc: (dy: Tensor) => permutedBackward(tf, dy as Tensor3D, inv),
  }));
  return op(z) as Tensor3D;
}

/** aᵀ @ b with an explicit transpose (a transposed matMul is ~12x slower on WASM). */
export function matMulTA(tf: Tf, a: Tensor2D, b: Tensor2D): Tensor2D {
  return tf.tidy(() => tf.matMul(tf.transpose(a), b));
}

/** a @ bᵀ with an explicit transpose. */
export function matMulTB(tf: Tf, a: Tensor2D, b: Tensor2D): Tensor2D {
  return tf.tidy(() => tf.matMul(a, tf.transpose(b)));
}

/** a @ b whose gradient uses explicit transposes (transposed matMul is ~12x slower on WASM). */
export function mm(tf: Tf, a: Tensor2D, b: Tensor2D): Tensor2D {
  const op = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as Tensor2D;
    const y = args[1] as Tensor2D;
    (args[2] as (t: Tensor[]) => void)([x, y]);
    return {
      value: tf.matMul(x, y),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tf.tidy(() => {
          const [xs, ys] = saved as [Tensor2D, Tensor2D];
          return [tf.matMul(dy as Tensor2D, tf.transpose(ys)), tf.matMul(tf.transpose(xs), dy as Tensor2D)];
        }),
    };
  });
  return op(a, b) as Tensor2D;
}

/** Values drawn uniformly from [-bound, bound] with the seeded generator. */
export function uniformValues(count: number, bound: number, rng: Rng): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (2 * rng.next() - 1) * bound;
  return out;
}

/** A trainable variable holding `vals` (the temporary initial tensor is disposed). Unnamed: tf names it uniquely. */
export function variableFrom(tf: Tf, vals: Float32Array, shape: number[]): Variable {
  const t = tf.tensor(vals, shape);
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** Xavier (Glorot) uniform bound, as torch.nn.init.xavier_uniform_. */
export function xavierBound(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}
