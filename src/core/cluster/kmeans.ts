/**
 * K-means as scikit-learn's `KMeans(n_clusters=k)` runs it: the second half of scGNN's LouvainK clustering
 * (reference note §1.7, `KMeans(n_clusters=k, random_state=0).fit(z)`, n_init 10 as in sklearn < 1.4).
 *
 * - Initialisation: greedy k-means++ (sklearn `_kmeans_plusplus`): the first centre is a uniform random cell;
 *   each next centre is the best, by resulting potential, of 2 + floor(ln k) candidates sampled with probability
 *   proportional to the squared distance to the nearest chosen centre.
 * - Lloyd iterations until the labels stop changing ("strict convergence") or the total squared centre shift is
 *   <= tolerance x mean per-feature variance of the data (sklearn's relative `tol`); if stopped by the shift, a
 *   last assignment step makes the labels match the centres, as sklearn does.
 * - Empty clusters are re-seeded with the cells farthest from their centres (sklearn's relocation).
 * - Best of `nInit` runs by inertia (sum of squared distances to the assigned centre).
 *
 * Assignment uses Hamerly's bounds (an upper bound to the assigned centre, a lower bound to the second nearest,
 * loosened by how far the centres moved): points whose bounds prove the assignment unchanged skip the k
 * distance computations. It gives the same labels as plain Lloyd (it is exact), several times faster once the
 * centres settle. Plain typed arrays: N x k x d is small enough that tf would only add transfer overhead.
 * The random stream is this project's seeded Rng, not numpy's, so results match sklearn in distribution only.
 */
import type { DenseMatrix } from '../matrix/dense.ts';
import type { Rng } from '../rng.ts';

export interface KMeansResult {
  readonly labels: Int32Array;
  readonly centroids: DenseMatrix;
  readonly inertia: number;
  readonly iterations: number;
}

export interface KMeansOptions {
  rng: Rng;
  /** Independent runs with different initialisations; the lowest inertia wins (default 10). */
  nInit?: number;
  /** Lloyd iterations per run (default 300). */
  maxIterations?: number;
  /** Relative tolerance on the centre shift, scaled by the mean feature variance as in sklearn (default 1e-4). */
  tolerance?: number;
  /** Start from these centres (k x d) instead of k-means++ (then a single run). */
  initialCentroids?: DenseMatrix;
}

/** Squared Euclidean distance between row i of x (d values at offset oi) and centre c (offset oc). */
function sqDist(x: Float32Array, oi: number, centres: Float64Array, oc: number, d: number): number {
  let s = 0;
  for (let f = 0; f < d; f++) {
    const diff = x[oi + f]! - centres[oc + f]!;
    s += diff * diff;
  }
  return s;
}

/**
 * out[c] = x_i . C_c for the k rows of C (row-major, d columns): four centres per pass over x_i, so each value of
 * x_i is loaded once per four products (about twice as fast as one centre at a time in V8).
 */
function dotRows(
  x: Float32Array,
  oi: number,
  C: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): void {
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const o0 = c * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let f = 0; f < d; f++) {
      const v = x[oi + f]!;
      s0 += v * C[o0 + f]!;
      s1 += v * C[o1 + f]!;
      s2 += v * C[o2 + f]!;
      s3 += v * C[o3 + f]!;
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  for (; c < k; c++) {
    const oc = c * d;
    let s = 0;
    for (let f = 0; f < d; f++) s += x[oi + f]! * C[oc + f]!;
    out[c] = s;
  }
}

/** Squared norms of the k rows of C. */
function rowNorms(C: Float64Array, k: number, d: number, out: Float64Array): void {
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let f = 0; f < d; f++) s += C[c * d + f]! * C[c * d + f]!;
    out[c] = s;
  }
}

/** Greedy k-means++ (sklearn `_kmeans_plusplus`), returns k x d centres. */
function kmeansPlusPlus(
  x: Float32Array,
  xNorm: Float64Array,
  n: number,
  d: number,
  k: number,
  rng: Rng,
): Float64Array {
  const centres = new Float64Array(k * d);
  const nTrials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const cumsum = new Float64Array(n);
  const cand = new Int32Array(nTrials);
  const candRows = new Float64Array(nTrials * d);
  const candNorm = new Float64Array(nTrials);
  const candPot = new Float64Array(nTrials);
  const dots = new Float64Array(nTrials);
  const setCentre = (c: number, i: number): void => {
    for (let f = 0; f < d; f++) centres[c * d + f] = x[i * d + f]!;
  };
  const first = rng.int(n);
  setCentre(0, first);
  let pot = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = sqDist(x, i * d, centres, 0, d);
    pot += closest[i]!;
  }
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += closest[i]!;
      cumsum[i] = acc;
    }
    for (let t = 0; t < nTrials; t++) {
      // searchsorted(cumsum, u * pot), clipped to n - 1 (sklearn): all-zero potential (duplicates) picks cell 0.
      const target = rng.next() * pot;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumsum[mid]! < target) lo = mid + 1;
        else hi = mid;
      }
      cand[t] = lo;
      for (let f = 0; f < d; f++) candRows[t * d + f] = x[lo * d + f]!;
    }
    // Potential of each candidate, all candidates in one pass over the data.
    rowNorms(candRows, nTrials, d, candNorm);
    candPot.fill(0);
    for (let i = 0; i < n; i++) {
      dotRows(x, i * d, candRows, nTrials, d, dots);
      const ci = closest[i]!;
      for (let t = 0; t < nTrials; t++) {
        const s = Math.max(xNorm[i]! + candNorm[t]! - 2 * dots[t]!, 0);
        candPot[t]! += s < ci ? s : ci;
      }
    }
    let best = 0;
    for (let t = 1; t < nTrials; t++) if (candPot[t]! < candPot[best]!) best = t;
    setCentre(c, cand[best]!);
    pot = 0;
    for (let i = 0; i < n; i++) {
      const s = sqDist(x, i * d, centres, c * d, d);
      if (s < closest[i]!) closest[i] = s;
      pot += closest[i]!;
    }
  }
  return centres;
}

interface RunResult {
  labels: Int32Array;
  centres: Float64Array;
  inertia: number;
  iterations: number;
}

/** One Lloyd run (Hamerly-accelerated) from the given centres (modified in place). */
function lloyd(
  x: Float32Array,
  xNorm: Float64Array,
  n: number,
  d: number,
  k: number,
  centres: Float64Array,
  maxIterations: number,
  tol: number,
): RunResult {
  const labels = new Int32Array(n);
  const upper = new Float64Array(n); // >= distance to the assigned centre
  const lower = new Float64Array(n); // <= distance to every other centre
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  const shift = new Float64Array(k);
  const half = new Float64Array(k); // half the distance from each centre to its nearest other centre
  const newCentres = new Float64Array(k * d);
  const cNorm = new Float64Array(k);
  const dots = new Float64Array(k);

  // Half the distance between centres (Hamerly's s(c)) is computed after each M-step.
  // Full assignment of point i (exact nearest and second nearest): sets label and bounds.
  const assignFull = (i: number): void => {
    dotRows(x, i * d, centres, k, d, dots);
    let b1 = Infinity;
    let b2 = Infinity;
    let a = 0;
    for (let c = 0; c < k; c++) {
      // |x|^2 + |c|^2 - 2 x.c in float64 (float32 inputs): cancellation is far below the distances compared.
      const s = Math.max(xNorm[i]! + cNorm[c]! - 2 * dots[c]!, 0);
      if (s < b1) {
        b2 = b1;
        b1 = s;
        a = c;
      } else if (s < b2) b2 = s;
    }
    labels[i] = a;
    upper[i] = Math.sqrt(b1);
    lower[i] = Math.sqrt(b2);
  };
  rowNorms(centres, k, d, cNorm);
  for (let i = 0; i < n; i++) assignFull(i);

  let prevLabels = new Int32Array(labels);
  let iterations = 0;
  for (let it = 0; it < maxIterations; it++) {
    iterations = it + 1;
    // M-step: new centres from the current labels.
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      counts[c]!++;
      const oi = i * d;
      const oc = c * d;
      for (let f = 0; f < d; f++) sums[oc + f]! += x[oi + f]!;
    }
    relocateEmpty(x, n, d, k, centres, labels, sums, counts, upper, lower);
    let shiftTot = 0;
    // The largest and second-largest centre shifts: a point's lower bound (to the centres other than its own)
    // only needs to drop by the largest shift among those other centres (Hamerly's refinement).
    let maxShift = 0;
    let secondShift = 0;
    let maxShiftCentre = -1;
    for (let c = 0; c < k; c++) {
      const oc = c * d;
      let s = 0;
      for (let f = 0; f < d; f++) {
        const v = sums[oc + f]! / counts[c]!;
        const diff = v - centres[oc + f]!;
        s += diff * diff;
        newCentres[oc + f] = v;
      }
      shiftTot += s;
      shift[c] = Math.sqrt(s);
      if (shift[c]! > maxShift) {
        secondShift = maxShift;
        maxShift = shift[c]!;
        maxShiftCentre = c;
      } else if (shift[c]! > secondShift) secondShift = shift[c]!;
    }
    centres.set(newCentres);
    rowNorms(centres, k, d, cNorm);
    // E-step with Hamerly's bounds: move the bounds by the centre shifts, recompute only where they overlap.
    for (let c = 0; c < k; c++) {
      let m = Infinity;
      for (let c2 = 0; c2 < k; c2++) {
        if (c2 === c) continue;
        let s = 0;
        for (let f = 0; f < d; f++) {
          const diff = centres[c * d + f]! - centres[c2 * d + f]!;
          s += diff * diff;
        }
        m = Math.min(m, s);
      }
      half[c] = Math.sqrt(m) / 2;
    }
    for (let i = 0; i < n; i++) {
      const a = labels[i]!;
      upper[i]! += shift[a]!;
      lower[i]! -= a === maxShiftCentre ? secondShift : maxShift;
      const bound = Math.max(half[a]!, lower[i]!);
      if (upper[i]! <= bound) continue;
      upper[i] = Math.sqrt(sqDist(x, i * d, centres, a * d, d));
      if (upper[i]! <= bound) continue;
      assignFull(i);
    }
    let same = true;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== prevLabels[i]) {
        same = false;
        break;
      }
    }
    if (same) break;
    if (shiftTot <= tol) break;
    prevLabels = new Int32Array(labels);
  }
  // The E-step above already assigned labels to the final centres, so labels and centres match either way
  // (sklearn needs an extra E-step when it stops on the shift; this loop does its E-step after the M-step).
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sqDist(x, i * d, centres, labels[i]! * d, d);
  return { labels, centres, inertia, iterations };
}

/**
 * sklearn `_relocate_empty_clusters_dense`: each empty cluster takes the point farthest from its current centre
 * (largest first), which leaves its old cluster.
 */
function relocateEmpty(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  centres: Float64Array,
  labels: Int32Array,
  sums: Float64Array,
  counts: Int32Array,
  upper: Float64Array,
  lower: Float64Array,
): void {
  let nEmpty = 0;
  for (let c = 0; c < k; c++) if (counts[c] === 0) nEmpty++;
  if (nEmpty === 0) return;
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = sqDist(x, i * d, centres, labels[i]! * d, d);
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[b]! - dist[a]! || a - b);
  let next = 0;
  for (let c = 0; c < k; c++) {
    if (counts[c] !== 0) continue;
    // Skip points whose cluster would become empty in turn.
    while (next < n && counts[labels[order[next]!]!]! <= 1) next++;
    if (next >= n) break;
    const i = order[next++]!;
    const old = labels[i]!;
    for (let f = 0; f < d; f++) {
      sums[old * d + f]! -= x[i * d + f]!;
      sums[c * d + f] = x[i * d + f]!;
    }
    counts[old]!--;
    counts[c] = 1;
    labels[i] = c;
    // Its bounds referred to the old assignment: force a full assignment in the next E-step.
    upper[i] = Infinity;
    lower[i] = -Infinity;
  }
}

/**
 * k-means++ init (greedy, as sklearn), Lloyd; best of nInit by inertia. Centroids are returned in float32.
 */
export function kmeans(data: DenseMatrix, k: number, opts: KMeansOptions): KMeansResult {
  const n = data.rows;
  const d = data.cols;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`kmeans: k must be a positive integer, got ${k}`);
  if (k > n) throw new RangeError(`kmeans: k = ${k} exceeds the number of points (${n})`);
  const nInit = opts.initialCentroids ? 1 : Math.max(1, opts.nInit ?? 10);
  const maxIterations = opts.maxIterations ?? 300;
  const x = data.data;

  // sklearn `_tolerance`: tol x mean of the per-feature variances.
  let varSum = 0;
  for (let f = 0; f < d; f++) {
    let s = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + f]!;
      s += v;
      ss += v * v;
    }
    const m = s / n;
    varSum += Math.max(ss / n - m * m, 0);
  }
  const xNorm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let f = 0; f < d; f++) q += x[i * d + f]! * x[i * d + f]!;
    xNorm[i] = q;
  }
  const tol = d > 0 ? (varSum / d) * (opts.tolerance ?? 1e-4) : 0;

  let best: RunResult | undefined;
  for (let run = 0; run < nInit; run++) {
    let centres: Float64Array;
    if (opts.initialCentroids) {
      if (opts.initialCentroids.rows !== k || opts.initialCentroids.cols !== d)
        throw new RangeError(`kmeans: initial centroids must be ${k} x ${d}`);
      centres = Float64Array.from(opts.initialCentroids.data);
    } else {
      centres = kmeansPlusPlus(x, xNorm, n, d, k, opts.rng);
    }
    const result = lloyd(x, xNorm, n, d, k, centres, maxIterations, tol);
    if (!best || result.inertia < best.inertia) best = result;
  }
  const b = best!;
  return {
    labels: b.labels,
    centroids: { rows: k, cols: d, data: Float32Array.from(b.centres) },
    inertia: b.inertia,
    iterations: b.iterations,
  };
}
