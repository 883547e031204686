/**
 * UMAP's optimisation on typed arrays, from a precomputed kNN: what the layout runs above `TYPED_UMAP_CELLS`
 * cells. umap-js keeps its fuzzy graph in string-keyed Map sparse matrices and its embedding as arrays of
 * arrays: at 100,000 cells x 15 neighbours its set-up alone took 85 s and each epoch ~2 s (Node, this
 * machine), where this takes ~1 s and ~0.05-0.1 s. The algorithm is umap-learn's (and umap-js'):
 *
 * 1. per cell, rho = distance to the nearest neighbour at a non-zero distance, and sigma found by bisection so
 *    that sum_j exp(-max(0, d_ij - rho) / sigma) = log2(k + 1) (k neighbours plus self, as umap counts them);
 * 2. memberships w_ij = exp(-max(0, d_ij - rho_i) / sigma_i), combined by fuzzy union w_ij + w_ji - w_ij w_ji;
 * 3. edges below max / nEpochs dropped; each edge sampled every max / w epochs, with 5 negative samples,
 *    gradients clipped to 4, learning rate decaying linearly to 0 (umap's optimize_layout_euclidean);
 * 4. a and b of the low-dimensional kernel 1 / (1 + a d^2b) fitted to min_dist and spread 1 (`fitAB`).
 *
 * Positions are nCells x 2 flat; the random stream is the caller's (seeded), so a layout repeats.
 */

/** Above this many cells (and with a kNN given), the layout uses this module rather than umap-js. */
export const TYPED_UMAP_CELLS = 10_000;

const NEGATIVE_SAMPLE_RATE = 5;
const REPULSION = 1;
const CLIP = 4;
const SMOOTH_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/**
 * a and b of 1 / (1 + a x^(2b)) fitted by least squares to umap's target curve (1 below minDist, then
 * exp(-(x - minDist) / spread)) on 300 points in [0, 3 spread], by a grid search refined around the best
 * point (deterministic; umap-learn fits the same curve with scipy's curve_fit: a ~ 0.58, b ~ 1.33 for
 * minDist 0.5).
 */
export function fitAB(minDist: number, spread = 1): { a: number; b: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 300; i++) {
    const x = (3 * spread * i) / 299;
    xs.push(x);
    ys.push(x < minDist ? 1 : Math.exp(-(x - minDist) / spread));
  }
  const err = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) {
      const d = 1 / (1 + a * Math.pow(xs[i]!, 2 * b)) - ys[i]!;
      s += d * d;
    }
    return s;
  };
  let best = { a: 1, b: 1, e: err(1, 1) };
  let [aLo, aHi, bLo, bHi] = [0.01, 5, 0.1, 3];
  for (let round = 0; round < 6; round++) {
    const steps = 24;
    for (let i = 0; i <= steps; i++) {
      const a = aLo + ((aHi - aLo) * i) / steps;
      for (let j = 0; j <= steps; j++) {
        const b = bLo + ((bHi - bLo) * j) / steps;
        if (a <= 0 || b <= 0) continue;
        const e = err(a, b);
        if (e < best.e) best = { a, b, e };
      }
    }
    const da = (aHi - aLo) / steps;
    const db = (bHi - bLo) / steps;
    [aLo, aHi, bLo, bHi] = [best.a - 2 * da, best.a + 2 * da, best.b - 2 * db, best.b + 2 * db];
  }
  return { a: best.a, b: best.b };
}

/** The symmetric fuzzy graph as directed sample lists (both directions of each edge), weights in (0, 1]. */
export interface FuzzyGraph {
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly weight: Float32Array;
}

/**
 * umap's fuzzy simplicial set of a kNN (n x k, self excluded, -1 = no neighbour): memberships by smoothed
 * distances, fuzzy union of the two directions, both directions listed.
 */
export function fuzzyGraph(
  nCells: number,
  k: number,
  indices: Int32Array,
  distances: Float32Array,
): FuzzyGraph {
  const target = Math.log2(k + 1);
  const memb = new Float64Array(nCells * k);
  let meanAll = 0;
  let count = 0;
  for (let e = 0; e < nCells * k; e++) {
    if (indices[e]! >= 0) {
      meanAll += distances[e]!;
      count++;
    }
  }
  meanAll = count > 0 ? meanAll / count : 0;
  for (let i = 0; i < nCells; i++) {
    const o = i * k;
    let rho = 0;
    let sum = 0;
    let m = 0;
    for (let j = 0; j < k; j++) {
      if (indices[o + j]! < 0) continue;
      const d = distances[o + j]!;
      sum += d;
      m++;
      if (d > 0 && (rho === 0 || d < rho)) rho = d;
    }
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        if (indices[o + j]! < 0) continue;
        const d = distances[o + j]! - rho;
        psum += d > 0 ? Math.exp(-d / mid) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    const meanRow = m > 0 ? sum / m : 0;
    const floor = MIN_K_DIST_SCALE * (rho > 0 ? meanRow : meanAll);
    const sigma = Math.max(mid, floor, 1e-12);
    for (let j = 0; j < k; j++) {
      const nb = indices[o + j]!;
      if (nb < 0 || nb === i) continue;
      const d = distances[o + j]! - rho;
      memb[o + j] = d <= 0 ? 1 : Math.exp(-d / sigma);
    }
  }
  // Fuzzy union: each unordered pair once (from the lower cell, or from the only side that lists it).
  const head: number[] = [];
  const tail: number[] = [];
  const weight: number[] = [];
  const reverse = (j: number, i: number): number => {
    const o = j * k;
    for (let c = 0; c < k; c++) if (indices[o + c] === i) return memb[o + c]!;
    return -1;
  };
  for (let i = 0; i < nCells; i++) {
    const o = i * k;
    for (let c = 0; c < k; c++) {
      const j = indices[o + c]!;
      if (j < 0 || j === i) continue;
      // A repeated neighbour in the row: only its first occurrence.
      let repeated = false;
      for (let p = 0; p < c; p++) if (indices[o + p] === j) repeated = true;
      if (repeated) continue;
      const w = memb[o + c]!;
      const back = reverse(j, i);
      if (back >= 0 && j < i) continue; // listed by j, already taken there
      const u = back >= 0 ? w + back - w * back : w;
      if (!(u > 0)) continue;
      head.push(i, j);
      tail.push(j, i);
      weight.push(u, u);
    }
  }
  return { head: Int32Array.from(head), tail: Int32Array.from(tail), weight: Float32Array.from(weight) };
}

export interface TypedUmapOptions {
  readonly nEpochs: number;
  readonly minDist: number;
  /** Initial learning rate. */
  readonly learningRate: number;
  /** Uniform [0, 1) random stream (seeded). */
  readonly random: () => number;
  /** Start positions (n x 2, umap's [-10, 10] box); random in that box when absent. */
  readonly init?: Float32Array | null;
}

/** An optimisation in progress: `step()` runs one epoch and returns the epochs done; `positions` is live. */
export interface TypedUmap {
  readonly nEpochs: number;
  readonly positions: Float32Array;
  step(): number;
}

/** Set up the optimisation of `graph` over nCells cells (see the module comment). */
export function typedUmap(nCells: number, graph: FuzzyGraph, opts: TypedUmapOptions): TypedUmap {
  const { nEpochs, random } = opts;
  const { a, b } = fitAB(opts.minDist);
  const positions = new Float32Array(nCells * 2);
  if (opts.init && opts.init.length === nCells * 2) positions.set(opts.init);
  else for (let i = 0; i < positions.length; i++) positions[i] = random() * 20 - 10;
  let maxW = 0;
  for (let e = 0; e < graph.weight.length; e++) if (graph.weight[e]! > maxW) maxW = graph.weight[e]!;
  // Edges too weak to be sampled once in nEpochs are dropped (umap does the same).
  const keep: number[] = [];
  for (let e = 0; e < graph.weight.length; e++) if (graph.weight[e]! >= maxW / nEpochs) keep.push(e);
  const m = keep.length;
  const head = new Int32Array(m);
  const tail = new Int32Array(m);
  const perSample = new Float64Array(m);
  for (let q = 0; q < m; q++) {
    const e = keep[q]!;
    head[q] = graph.head[e]!;
    tail[q] = graph.tail[e]!;
    perSample[q] = maxW / graph.weight[e]!;
  }
  const nextSample = Float64Array.from(perSample);
  const perNegative = new Float64Array(m);
  for (let q = 0; q < m; q++) perNegative[q] = perSample[q]! / NEGATIVE_SAMPLE_RATE;
  const nextNegative = Float64Array.from(perNegative);
  const clip = (v: number): number => (v > CLIP ? CLIP : v < -CLIP ? -CLIP : v);
  let epoch = 0;
  return {
    nEpochs,
    positions,
    step(): number {
      if (epoch >= nEpochs) return epoch;
      const alpha = opts.learningRate * (1 - epoch / nEpochs);
      const n = epoch;
      for (let q = 0; q < m; q++) {
        if (nextSample[q]! > n) continue;
        const j = head[q]!;
        const k = tail[q]!;
        const dx = positions[2 * j]! - positions[2 * k]!;
        const dy = positions[2 * j + 1]! - positions[2 * k + 1]!;
        const d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const pb = Math.pow(d2, b);
          const coeff = (-2 * a * b * (pb / d2)) / (a * pb + 1);
          const gx = clip(coeff * dx) * alpha;
          const gy = clip(coeff * dy) * alpha;
          positions[2 * j] = positions[2 * j]! + gx;
          positions[2 * j + 1] = positions[2 * j + 1]! + gy;
          positions[2 * k] = positions[2 * k]! - gx;
          positions[2 * k + 1] = positions[2 * k + 1]! - gy;
        }
        nextSample[q] = nextSample[q]! + perSample[q]!;
        const nNeg = Math.floor((n - nextNegative[q]!) / perNegative[q]!);
        for (let p = 0; p < nNeg; p++) {
          const r = Math.floor(random() * nCells);
          if (r === j) continue;
          const ex = positions[2 * j]! - positions[2 * r]!;
          const ey = positions[2 * j + 1]! - positions[2 * r + 1]!;
          const e2 = ex * ex + ey * ey;
          if (e2 > 0) {
            const coeff = (2 * REPULSION * b) / ((0.001 + e2) * (a * Math.pow(e2, b) + 1));
            positions[2 * j] = positions[2 * j]! + clip(coeff * ex) * alpha;
            positions[2 * j + 1] = positions[2 * j + 1]! + clip(coeff * ey) * alpha;
          } else {
            positions[2 * j] = positions[2 * j]! + CLIP * alpha;
            positions[2 * j + 1] = positions[2 * j + 1]! + CLIP * alpha;
          }
        }
        nextNegative[q] = nextNegative[q]! + Math.max(0, nNeg) * perNegative[q]!;
      }
      epoch++;
      return epoch;
    },
  };
}
