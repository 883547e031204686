/**
 * Approximate k-nearest neighbours by NN-descent (Dong, Charikar & Li, WWW 2011: "a neighbour of a neighbour is
 * likely a neighbour"), started from random-projection-tree leaves (as pynndescent does), Euclidean, for the
 * cell graphs of large runs: the exact search (`knn.ts`) is O(N^2 d) and takes ~190 s per call at 100,000
 * cells x 64 dimensions on the WASM backend, this ~10-20 s; decision: docs/decisions/approximate-knn.md.
 *
 * Why written here and not a library: `hnswlib-wasm` (the registry's HNSW binding) is built for the web only
 * (its Emscripten module refuses to start in Node: "not compiled for this environment"), and the numeric core
 * runs in Node (CLI, tests) and in workers alike; umap-js carries an NN-descent, but not in its public API, on
 * number[][] rows.
 *
 * Outline, N points of d dimensions, k neighbours per point kept in a bounded max-heap each:
 * 1. a few random projection trees: each node splits its points by the hyperplane halfway between two of them
 *    (chosen at random) until at most `leafSize` remain; every pair inside a leaf is a candidate;
 * 2. rounds of local joins: each point's neighbours that are new since the last round (and its reverse
 *    neighbours, those that list it), at most `maxCandidates` of each kind chosen at random, are compared with
 *    each other and with the old ones; every closer pair enters both heaps. Rounds stop when fewer than
 *    delta * N * k heap entries change, or after `maxRounds`.
 *
 * Distances are exact (float64 sums over the rows), so the result is ordered and tie-broken like the exact
 * search (by distance, then by the lower index); only whether a true neighbour was found is approximate. The
 * random stream is private and fixed: the same rows give the same graph, whatever the caller's RNG state.
 */
import { createRng, type Rng } from '../rng.ts';

export interface NnDescentOptions {
  /** Random projection trees for the start (default 8). */
  readonly trees?: number;
  /** Largest leaf of a tree (default max(2k, 24)). */
  readonly leafSize?: number;
  /** New (and old) candidates sampled per point and round (default max(k, 15)). */
  readonly maxCandidates?: number;
  /** At most this many rounds of local joins (default 12). */
  readonly maxRounds?: number;
  /** Stop when a round changes fewer than delta * N * k heap entries (default 0.001). */
  readonly delta?: number;
  /** Seed of the private random stream (default fixed). */
  readonly seed?: number;
  /** Called after the trees and after each round with the fraction done (an upper bound on rounds). */
  readonly onRound?: (fraction: number) => Promise<void> | void;
}

export interface NnDescentResult {
  /** n*k neighbour indices, nearest first, self excluded */
  readonly neighbors: Int32Array;
  /** n*k Euclidean distances, ascending per row */
  readonly distances: Float32Array;
  /** Rounds of local joins run. */
  readonly rounds: number;
}

/** Squared Euclidean distance between rows a and b of x (d columns), summed in float64. */
function sqDist(x: Float32Array, d: number, a: number, b: number): number {
  const oa = a * d;
  const ob = b * d;
  let s = 0;
  for (let f = 0; f < d; f++) {
    const t = x[oa + f]! - x[ob + f]!;
    s += t * t;
  }
  return s;
}

/**
 * The N bounded max-heaps (k slots each) of the current neighbours: index -1 marks an empty slot, whose
 * distance is +Infinity so it is the first replaced. `fresh` flags an entry not yet used in a local join.
 */
class NeighbourHeaps {
  readonly idx: Int32Array;
  readonly dist: Float64Array;
  readonly fresh: Uint8Array;

  constructor(
    readonly n: number,
    readonly k: number,
  ) {
    this.idx = new Int32Array(n * k).fill(-1);
    this.dist = new Float64Array(n * k).fill(Infinity);
    this.fresh = new Uint8Array(n * k);
  }

  /** Offer j at squared distance s to i's heap; true when it entered (closer than the worst, not present). */
  push(i: number, j: number, s: number): boolean {
    const { k, idx, dist, fresh } = this;
    const o = i * k;
    // The root is the worst; ties go to the lower index, as in the exact search.
    if (s > dist[o]! || (s === dist[o]! && j >= idx[o]! && idx[o]! >= 0)) return false;
    for (let c = 0; c < k; c++) if (idx[o + c] === j) return false;
    // Replace the root, sift down.
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= k) break;
      const r = l + 1;
      let big = l;
      if (r < k && worse(dist[o + r]!, idx[o + r]!, dist[o + l]!, idx[o + l]!)) big = r;
      if (!worse(dist[o + big]!, idx[o + big]!, s, j)) break;
      dist[o + p] = dist[o + big]!;
      idx[o + p] = idx[o + big]!;
      fresh[o + p] = fresh[o + big]!;
      p = big;
    }
    dist[o + p] = s;
    idx[o + p] = j;
    fresh[o + p] = 1;
    return true;
  }
}

/** Whether (s1, j1) ranks after (s2, j2): larger distance, or equal distance and larger index (empty = worst). */
function worse(s1: number, j1: number, s2: number, j2: number): boolean {
  if (s1 !== s2) return s1 > s2;
  if (j1 < 0) return j2 >= 0;
  if (j2 < 0) return false;
  return j1 > j2;
}

/** Candidate lists of up to m entries per point, each kept with a random priority (lowest m kept). */
class Candidates {
  readonly idx: Int32Array;
  readonly pri: Float64Array;
  readonly count: Int32Array;

  constructor(
    n: number,
    readonly m: number,
  ) {
    this.idx = new Int32Array(n * m);
    this.pri = new Float64Array(n * m);
    this.count = new Int32Array(n);
  }

  /** Add j to i's list with priority p unless present; when full, j replaces the highest priority if lower. */
  add(i: number, j: number, p: number): void {
    const { m, idx, pri, count } = this;
    const o = i * m;
    const c = count[i]!;
    for (let t = 0; t < c; t++) if (idx[o + t] === j) return;
    if (c < m) {
      idx[o + c] = j;
      pri[o + c] = p;
      count[i] = c + 1;
      return;
    }
    let worst = 0;
    for (let t = 1; t < m; t++) if (pri[o + t]! > pri[o + worst]!) worst = t;
    if (p < pri[o + worst]!) {
      idx[o + worst] = j;
      pri[o + worst] = p;
    }
  }

  clear(): void {
    this.count.fill(0);
  }
}

/** Split `ids` (a run of point indices) into random projection tree leaves of at most `leafSize`; call `leaf`. */
function rpTreeLeaves(
  x: Float32Array,
  d: number,
  ids: Int32Array,
  leafSize: number,
  rng: Rng,
  leaf: (from: number, to: number) => void,
): void {
  const stack: [number, number][] = [[0, ids.length]];
  const side = new Float64Array(ids.length);
  const normal = new Float64Array(d);
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    const size = to - from;
    if (size <= leafSize) {
      leaf(from, to);
      continue;
    }
    const a = ids[from + rng.int(size)]!;
    let b = ids[from + rng.int(size)]!;
    for (let tries = 0; b === a && tries < 8; tries++) b = ids[from + rng.int(size)]!;
    let offset = 0;
    for (let f = 0; f < d; f++) {
      normal[f] = x[a * d + f]! - x[b * d + f]!;
      offset += (normal[f]! * (x[a * d + f]! + x[b * d + f]!)) / 2;
    }
    for (let t = from; t < to; t++) {
      const o = ids[t]! * d;
      let s = -offset;
      for (let f = 0; f < d; f++) s += normal[f]! * x[o + f]!;
      side[t] = s;
    }
    // Partition: side > 0 first. A degenerate split (identical points, one side empty) halves at random.
    let lo = from;
    let hi = to - 1;
    while (lo <= hi) {
      if (side[lo]! > 0) lo++;
      else {
        const ti = ids[lo]!;
        ids[lo] = ids[hi]!;
        ids[hi] = ti;
        const ts = side[lo]!;
        side[lo] = side[hi]!;
        side[hi] = ts;
        hi--;
      }
    }
    let mid = lo;
    if (mid === from || mid === to) {
      for (let t = to - 1; t > from; t--) {
        const u = from + rng.int(t - from + 1);
        const ti = ids[t]!;
        ids[t] = ids[u]!;
        ids[u] = ti;
      }
      mid = from + (size >> 1);
    }
    stack.push([mid, to], [from, mid]);
  }
}

/**
 * k approximate nearest neighbours of each row of x (n rows, d columns, row-major), self excluded; see the
 * file comment. Needs k < n.
 */
export async function nnDescent(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  opts: NnDescentOptions = {},
): Promise<NnDescentResult> {
  if (!Number.isInteger(k) || k < 1 || k >= n)
    throw new RangeError(`nnDescent: need 1 <= k < n, got k = ${k}, n = ${n}`);
  const trees = opts.trees ?? 8;
  const leafSize = Math.max(opts.leafSize ?? Math.max(2 * k, 24), 2);
  const maxCandidates = opts.maxCandidates ?? Math.max(k, 15);
  const maxRounds = opts.maxRounds ?? 12;
  const delta = opts.delta ?? 0.001;
  const rng = createRng(opts.seed ?? 0x6e6e64);
  const heaps = new NeighbourHeaps(n, k);

  // 1. Tree leaves: every pair inside a leaf.
  const ids = new Int32Array(n);
  for (let t = 0; t < trees; t++) {
    for (let i = 0; i < n; i++) ids[i] = i;
    rpTreeLeaves(x, d, ids, leafSize, rng, (from, to) => {
      for (let a = from; a < to; a++)
        for (let b = a + 1; b < to; b++) {
          const p = ids[a]!;
          const q = ids[b]!;
          const s = sqDist(x, d, p, q);
          heaps.push(p, q, s);
          heaps.push(q, p, s);
        }
    });
  }
  // Points a tree left with fewer than k neighbours (tiny leaves) get random ones.
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const missing = (): boolean => heaps.idx[o]! < 0; // an empty slot is the worst, so the root
    for (let tries = 0; missing() && tries < 4 * k; tries++) {
      let j = rng.int(n - 1);
      if (j >= i) j++;
      heaps.push(i, j, sqDist(x, d, i, j));
    }
    for (let j = 0; missing() && j < n; j++) if (j !== i) heaps.push(i, j, sqDist(x, d, i, j));
  }
  await opts.onRound?.(1 / (maxRounds + 1));

  // 2. Local joins.
  const fresh = new Candidates(n, maxCandidates);
  const old = new Candidates(n, maxCandidates);
  let rounds = 0;
  for (let round = 0; round < maxRounds; round++) {
    rounds++;
    fresh.clear();
    old.clear();
    for (let i = 0; i < n; i++) {
      const o = i * k;
      for (let c = 0; c < k; c++) {
        const j = heaps.idx[o + c]!;
        if (j < 0) continue;
        const p = rng.next();
        const list = heaps.fresh[o + c] ? fresh : old;
        list.add(i, j, p);
        list.add(j, i, p);
      }
    }
    // The sampled new entries are no longer new.
    for (let i = 0; i < n; i++) {
      const o = i * k;
      const fo = i * maxCandidates;
      const fc = fresh.count[i]!;
      for (let c = 0; c < k; c++) {
        if (!heaps.fresh[o + c]) continue;
        const j = heaps.idx[o + c]!;
        for (let t = 0; t < fc; t++)
          if (fresh.idx[fo + t] === j) {
            heaps.fresh[o + c] = 0;
            break;
          }
      }
    }
    let updates = 0;
    for (let i = 0; i < n; i++) {
      const fo = i * maxCandidates;
      const fc = fresh.count[i]!;
      const oc = old.count[i]!;
      for (let a = 0; a < fc; a++) {
        const p = fresh.idx[fo + a]!;
        for (let b = a + 1; b < fc; b++) {
          const q = fresh.idx[fo + b]!;
          const s = sqDist(x, d, p, q);
          if (heaps.push(p, q, s)) updates++;
          if (heaps.push(q, p, s)) updates++;
        }
        for (let b = 0; b < oc; b++) {
          const q = old.idx[fo + b]!;
          if (q === p) continue;
          const s = sqDist(x, d, p, q);
          if (heaps.push(p, q, s)) updates++;
          if (heaps.push(q, p, s)) updates++;
        }
      }
    }
    await opts.onRound?.((round + 2) / (maxRounds + 1));
    if (updates <= delta * n * k) break;
  }

  // Each heap in ascending order (distance, then index).
  const neighbors = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const order = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let c = 0; c < k; c++) order[c] = c;
    order.sort((a, b) => heaps.dist[o + a]! - heaps.dist[o + b]! || heaps.idx[o + a]! - heaps.idx[o + b]!);
    for (let c = 0; c < k; c++) {
      neighbors[o + c] = heaps.idx[o + order[c]!]!;
      distances[o + c] = Math.sqrt(heaps.dist[o + order[c]!]!);
    }
  }
  return { neighbors, distances, rounds };
}
