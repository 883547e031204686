/**
 * A second imputation benchmark beside the published dropout protocol (dropout.ts): binomial thinning of a
 * deep dataset (`eval --thin P`). Where the dropout protocol scores only the entries it zeroed, this one scores
 * every entry, zeros included, so an imputation that spreads signal into genes a cell does not express is
 * penalised too.
 *
 * Protocol:
 * - Thinning: after cell/gene selection (decided on the full-depth data, like the dropout), each raw count c
 *   of the selected cells x genes becomes Binomial(c, P), drawn with a seeded generator (the CLI forks 'thin'
 *   from the run's seed, so each seed thins differently). Entries that become 0 are dropped from the CSR; a
 *   cell may be left with no counts at all (it is kept). The pipeline runs on the thinned counts. Thinning
 *   needs integer counts (it throws on anything else).
 * - Truth: truth_ij = ln(1 + P · c_ij), c the full-depth count: the full-depth values brought to the thinned
 *   depth, on the ln(1 + count) scale of the pipeline's input (here the thinned counts), which is the scale
 *   of its imputed output. Every entry (cells x genes, the selection's order) is compared.
 * - geneCorr: the mean over genes of the Pearson correlation across cells between the imputed values and the
 *   truth; cellCorr: the mean over cells, across genes. A vector whose truth is constant carries no
 *   information and is skipped; a prediction that is constant while the truth varies predicts nothing and
 *   counts as 0 (a gene all zero after thinning, for the unimputed reference). Constancy is tested exactly
 *   (min = max); sums are accumulated in float64, two-pass (means first).
 * - falseSignal: labels (the true cell types of the selected cells; -1 = unlabelled) are used for scoring only.
 *   det(t, g) = the fraction of type t's cells with c > 0 at full depth. The false-signal entries are the
 *   (i, g) with c_ig = 0, cell i labelled t and det(t, g) < 0.02 (a gene the cell's type does not express);
 *   falseSignal is the mean imputed value (ln(1 + x) scale) over them, and falseEntries their number. Without
 *   labels both are null; with labels but no such entry, falseSignal is null and falseEntries 0.
 * The references computed on the same thinned data (ln(1 + thinned count) itself, and a MAGIC-like kNN
 * diffusion) are in magic-reference.ts; the CLI scores all three with one `thinningScorer`.
 *
 * Binomial draws: inversion by geometric waiting times for n·min(P, 1 - P) < 10, otherwise Hörmann's BTRS
 * (transformed rejection with squeeze; W. Hörmann, "The generation of binomial random variates", J. Statist.
 * Comput. Simul. 46, 1993), O(1) per draw, so deep counts (10^5 reads per gene and cell) thin quickly. Both
 * are exact samplers (given the uniform generator).
 */
import type { CsrMatrix } from '../matrix/csr.ts';
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import type { Rng } from '../rng.ts';

/** Highest detection rate at full depth (in the cell's type) of a gene whose zeros count as false signal. */
export const FALSE_SIGNAL_MAX_DETECTION = 0.02;

/** Where n·p reaches this, BTRS is used instead of inversion (as numpy and PyTorch do). */
const BTRS_MIN_MEAN = 10;

/** ln(k!) - Stirling's ln(k!) for k = 0..9 (exact values); above, the asymptotic series. */
const STIRLING_TAIL = [
  0.08106146679532726, 0.04134069595540929, 0.02767792568499834, 0.02079067210376509, 0.01664469118982119,
  0.01387612882307075, 0.01189670994589177, 0.01041126526197209, 0.009255462182712733, 0.008330563433362871,
];
const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln(k!) for a non-negative integer k: Stirling with its tail correction (relative error below 1e-13). */
export function logFactorial(k: number): number {
  const x = k + 1;
  const x2 = x * x;
  const tail = k < 10 ? STIRLING_TAIL[k]! : (1 / 12 - (1 / 360 - (1 / 1260 - 1 / 1680 / x2) / x2) / x2) / x;
  return (k + 0.5) * Math.log(x) - x + HALF_LN_2PI + tail;
}

/** Binomial(n, p) by inversion: the number of geometric waiting times (failures + 1) that fit in n trials. */
function binomialInversion(n: number, p: number, rng: Rng): number {
  const lq = Math.log1p(-p);
  let trials = 0;
  let successes = 0;
  for (;;) {
    // Trials up to and including the next success: ceil(ln U / ln(1 - p)) >= 1 for U in (0, 1) (U = 1 - next()
    // is in (0, 1]; U = 1, which would give 0, counts as 1).
    trials += Math.max(1, Math.ceil(Math.log(1 - rng.next()) / lq));
    if (trials > n) return successes;
    successes++;
  }
}

/** Binomial(n, p) for p <= 0.5 and n·p >= 10: Hörmann's BTRS. */
function binomialBtrs(n: number, p: number, rng: Rng): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / (1 - p));
  const m = Math.floor((n + 1) * p);
  const h = logFactorial(m) + logFactorial(n - m);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (!(k >= 0 && k <= n)) continue;
    if (us >= 0.07 && v <= vr) return k; // inside the squeeze: accepted at once
    // Accept when v · alpha / (a / us² + b) <= f(k) / f(m), in logs.
    const lv = Math.log((v * alpha) / (a / (us * us) + b));
    if (lv <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}

/** One Binomial(n, p) draw (n a non-negative integer, p in [0, 1]). */
export function binomial(n: number, p: number, rng: Rng): number {
  if (n === 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const q = p > 0.5 ? 1 - p : p;
  const k = n * q < BTRS_MIN_MEAN ? binomialInversion(n, q, rng) : binomialBtrs(n, q, rng);
  return p > 0.5 ? n - k : k;
}

/**
 * Each stored count c of `m` becomes Binomial(c, p), drawn with `rng` in storage order; entries that become 0
 * are dropped. p must be in (0, 1) and the counts non-negative integers.
 */
export function thinCounts(m: CsrMatrix, p: number, rng: Rng): CsrMatrix {
  if (!(p > 0 && p < 1)) throw new RangeError(`thinning probability must be in (0, 1), got ${p}`);
  const total = m.indptr[m.nRows]!;
  const indptr = new Uint32Array(m.nRows + 1);
  const indices = new Int32Array(total);
  const values = new Float32Array(total);
  let out = 0;
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const c = m.values[k]!;
      if (!(Number.isInteger(c) && c >= 0))
        throw new RangeError(`binomial thinning needs integer counts, found ${c}`);
      const kept = binomial(c, p, rng);
      if (kept === 0) continue;
      indices[out] = m.indices[k]!;
      values[out] = kept;
      out++;
    }
    indptr[r + 1] = out;
  }
  return {
    nRows: m.nRows,
    nCols: m.nCols,
    indptr,
    indices: indices.slice(0, out),
    values: values.slice(0, out),
  };
}

/** Dense ln(1 + p · c) of the full-depth counts: the thinning protocol's truth. */
export function thinningTruth(full: CsrMatrix, p: number): DenseMatrix {
  const out = denseMatrix(full.nRows, full.nCols);
  for (let r = 0; r < full.nRows; r++)
    for (let k = full.indptr[r]!; k < full.indptr[r + 1]!; k++)
      out.data[r * full.nCols + full.indices[k]!] = Math.log1p(p * full.values[k]!);
  return out;
}

/**
 * Mean Pearson correlation between `pred` and `truth` (same shape) along 'genes' (one correlation per gene,
 * across cells) or 'cells' (one per cell, across genes). Vectors with a constant truth are skipped; a constant
 * prediction against a varying truth counts as 0. NaN when every vector is skipped.
 */
export function meanCorrelation(pred: DenseMatrix, truth: DenseMatrix, per: 'genes' | 'cells'): number {
  if (pred.rows !== truth.rows || pred.cols !== truth.cols)
    throw new RangeError(
      `prediction ${pred.rows}x${pred.cols} and truth ${truth.rows}x${truth.cols} differ in shape`,
    );
  const { rows, cols } = truth;
  const x = pred.data;
  const y = truth.data;
  let sum = 0;
  let used = 0;
  if (per === 'cells') {
    for (let i = 0; i < rows; i++) {
      const r = rowCorrelation(x.subarray(i * cols, (i + 1) * cols), y.subarray(i * cols, (i + 1) * cols));
      if (r === null) continue;
      sum += r;
      used++;
    }
    return used ? sum / used : NaN;
  }
  // Per gene: accumulate all genes at once, row by row (row-major access).
  const mx = new Float64Array(cols);
  const my = new Float64Array(cols);
  const xMin = new Float64Array(cols).fill(Infinity);
  const xMax = new Float64Array(cols).fill(-Infinity);
  const yMin = new Float64Array(cols).fill(Infinity);
  const yMax = new Float64Array(cols).fill(-Infinity);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let g = 0; g < cols; g++) {
      const a = x[o + g]!;
      const b = y[o + g]!;
      mx[g]! += a;
      my[g]! += b;
      if (a < xMin[g]!) xMin[g] = a;
      if (a > xMax[g]!) xMax[g] = a;
      if (b < yMin[g]!) yMin[g] = b;
      if (b > yMax[g]!) yMax[g] = b;
    }
  }
  for (let g = 0; g < cols; g++) {
    mx[g]! /= rows;
    my[g]! /= rows;
  }
  const sxy = new Float64Array(cols);
  const sxx = new Float64Array(cols);
  const syy = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let g = 0; g < cols; g++) {
      const a = x[o + g]! - mx[g]!;
      const b = y[o + g]! - my[g]!;
      sxy[g]! += a * b;
      sxx[g]! += a * a;
      syy[g]! += b * b;
    }
  }
  for (let g = 0; g < cols; g++) {
    if (!(yMin[g]! < yMax[g]!)) continue; // constant truth: no information
    sum += xMin[g]! < xMax[g]! ? sxy[g]! / Math.sqrt(sxx[g]! * syy[g]!) : 0;
    used++;
  }
  return used ? sum / used : NaN;
}

/** Pearson correlation of one vector pair; null for a constant truth, 0 for a constant prediction. */
function rowCorrelation(x: Float32Array, y: Float32Array): number | null {
  const length = x.length;
  let mx = 0;
  let my = 0;
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let j = 0; j < length; j++) {
    const a = x[j]!;
    const b = y[j]!;
    mx += a;
    my += b;
    if (a < xMin) xMin = a;
    if (a > xMax) xMax = a;
    if (b < yMin) yMin = b;
    if (b > yMax) yMax = b;
  }
  if (!(yMin < yMax)) return null;
  if (!(xMin < xMax)) return 0;
  mx /= length;
  my /= length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let j = 0; j < length; j++) {
    const a = x[j]! - mx;
    const b = y[j]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * The false-signal entries (cells x genes, 1 = one): c_ig = 0 at full depth, cell i labelled t (>= 0) and
 * fewer than `maxDetection` of type t's cells with c > 0 in gene g.
 */
export function falseSignalMask(
  full: CsrMatrix,
  labels: Int32Array,
  maxDetection = FALSE_SIGNAL_MAX_DETECTION,
): Uint8Array {
  const { nRows: n, nCols: g } = full;
  if (labels.length !== n) throw new RangeError(`${labels.length} labels for ${n} cells`);
  let nTypes = 0;
  for (const t of labels) if (t + 1 > nTypes) nTypes = t + 1;
  const typeCells = new Float64Array(nTypes);
  const detected = new Float64Array(nTypes * g); // cells of type t with c > 0 in gene g
  for (let i = 0; i < n; i++) {
    const t = labels[i]!;
    if (t < 0) continue;
    typeCells[t]!++;
    for (let k = full.indptr[i]!; k < full.indptr[i + 1]!; k++)
      if (full.values[k]! > 0) detected[t * g + full.indices[k]!]!++;
  }
  const mask = new Uint8Array(n * g);
  for (let i = 0; i < n; i++) {
    const t = labels[i]!;
    if (t < 0) continue;
    const o = i * g;
    for (let j = 0; j < g; j++) if (detected[t * g + j]! / typeCells[t]! < maxDetection) mask[o + j] = 1;
    // Entries that are non-zero at full depth are not false signal (they can only be in such genes when the
    // type has 50 cells or more).
    for (let k = full.indptr[i]!; k < full.indptr[i + 1]!; k++)
      if (full.values[k]! > 0) mask[o + full.indices[k]!] = 0;
  }
  return mask;
}

export interface ThinningMetrics {
  /** Mean per-gene Pearson correlation with the truth (null when no gene varies). */
  readonly geneCorr: number | null;
  /** Mean per-cell Pearson correlation with the truth (null when no cell varies). */
  readonly cellCorr: number | null;
  /** Mean imputed value on the false-signal entries (null without labels or without such entries). */
  readonly falseSignal: number | null;
}

export interface ThinningScorer {
  /** Number of false-signal entries; null without labels. */
  readonly falseEntries: number | null;
  /** Score an imputation (cells x genes, ln(1 + x) of the thinned counts' scale, the selection's order). */
  score(imputed: DenseMatrix): ThinningMetrics;
}

/** Truth and false-signal entries of the full-depth counts `full` thinned with `p`, for scoring several imputations. */
export function thinningScorer(full: CsrMatrix, p: number, labels: Int32Array | null): ThinningScorer {
  const truth = thinningTruth(full, p);
  const mask = labels ? falseSignalMask(full, labels) : null;
  let falseEntries: number | null = null;
  if (mask) {
    falseEntries = 0;
    for (const e of mask) falseEntries += e;
  }
  const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return {
    falseEntries,
    score(imputed) {
      let falseSignal: number | null = null;
      if (mask && falseEntries) {
        let s = 0;
        for (let e = 0; e < mask.length; e++) if (mask[e]) s += imputed.data[e]!;
        falseSignal = s / falseEntries;
      }
      return {
        geneCorr: orNull(meanCorrelation(imputed, truth, 'genes')),
        cellCorr: orNull(meanCorrelation(imputed, truth, 'cells')),
        falseSignal,
      };
    },
  };
}
