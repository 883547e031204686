/**
 * Clustering metrics as scikit-learn computes them, which is how scGNN's benchmarks score a clustering
 * (reference note §5.3, `v1:benchmark_util.py:195-236`): adjusted Rand index, normalised mutual information
 * (arithmetic-mean normalisation, sklearn's default) against ground-truth labels, and the silhouette of the
 * clustering embedding.
 *
 * Cells whose truth or prediction is negative (code -1 from `encodeLabels`: unlabelled) are ignored, so a labels
 * file that covers only some cells can still be scored. The silhouette is O(N^2 d); above `sampleSize` cells it
 * is computed on a seeded random subset of cells (sklearn's `sample_size` argument does the same: the score of
 * the subset alone, not of the subset against all cells).
 */
import type { DenseMatrix } from '../matrix/dense.ts';
import { createRng, type Rng } from '../rng.ts';

/** Contingency table of the cells labelled in both (negative labels skipped) as sparse counts. */
function contingency(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
): { n: number; cells: Map<string, number>; rows: Map<number, number>; cols: Map<number, number> } {
  if (truth.length !== pred.length)
    throw new RangeError(`labelings differ in length: ${truth.length} vs ${pred.length}`);
  const cells = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = pred[i]!;
    if (t < 0 || p < 0) continue;
    n++;
    const key = `${t},${p}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(t, (rows.get(t) ?? 0) + 1);
    cols.set(p, (cols.get(p) ?? 0) + 1);
  }
  return { n, cells, rows, cols };
}

/** sklearn adjusted_rand_score (via the pair confusion matrix, as sklearn >= 0.24). */
export function adjustedRandIndex(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  const { n, cells, rows, cols } = contingency(truth, pred);
  let sumSquares = 0;
  for (const v of cells.values()) sumSquares += v * v;
  let rowSq = 0;
  for (const v of rows.values()) rowSq += v * v;
  let colSq = 0;
  for (const v of cols.values()) colSq += v * v;
  const tp = sumSquares - n;
  const fp = colSq - sumSquares;
  const fn = rowSq - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  // Special case (sklearn): no pair is split differently, e.g. both labelings are one cluster, or n <= 1.
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

function entropyOf(counts: Iterable<number>, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/** sklearn normalized_mutual_info_score, arithmetic mean normalisation. */
export function normalizedMutualInfo(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  const { n, cells, rows, cols } = contingency(truth, pred);
  // sklearn: both labelings a single cluster (or empty) is a perfect match.
  if ((rows.size === 1 && cols.size === 1) || (rows.size === 0 && cols.size === 0)) return 1;
  let mi = 0;
  for (const [key, nij] of cells) {
    const comma = key.indexOf(',');
    const a = rows.get(Number(key.slice(0, comma)))!;
    const b = cols.get(Number(key.slice(comma + 1)))!;
    mi += (nij / n) * (Math.log(nij) + Math.log(n) - Math.log(a) - Math.log(b));
  }
  mi = Math.max(mi, 0);
  if (mi === 0) return 0;
  const normaliser = (entropyOf(rows.values(), n) + entropyOf(cols.values(), n)) / 2;
  return mi / Math.max(normaliser, Number.EPSILON);
}

/**
 * sklearn silhouette_score (Euclidean): mean over cells of (b - a) / max(a, b), where a is the mean distance
 * to the other cells of its cluster and b the smallest mean distance to another cluster; cells alone in their
 * cluster score 0. For N > sampleSize (default 4000) the score is computed on a seeded random sample of
 * sampleSize cells (`rng`, default seed 0), as sklearn's `sample_size`. Needs 2 <= clusters <= N - 1.
 */
export function silhouetteScore(
  data: DenseMatrix,
  labels: ArrayLike<number>,
  opts: { sampleSize?: number; rng?: Rng } = {},
): number {
  if (labels.length !== data.rows)
    throw new RangeError(`silhouette: ${labels.length} labels for ${data.rows} rows`);
  let cellsIdx: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0) cellsIdx.push(i);
  const sampleSize = opts.sampleSize ?? 4000;
  if (cellsIdx.length > sampleSize) {
    const rng = opts.rng ?? createRng(0);
    // Partial Fisher-Yates: a uniform sample without replacement; sorted for memory locality.
    for (let i = 0; i < sampleSize; i++) {
      const j = i + rng.int(cellsIdx.length - i);
      const t = cellsIdx[i]!;
      cellsIdx[i] = cellsIdx[j]!;
      cellsIdx[j] = t;
    }
    cellsIdx = cellsIdx.slice(0, sampleSize).sort((a, b) => a - b);
  }
  const n = cellsIdx.length;
  const codes = new Map<number, number>();
  const lab = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const l = labels[cellsIdx[s]!]!;
    if (!codes.has(l)) codes.set(l, codes.size);
    lab[s] = codes.get(l)!;
  }
  const nc = codes.size;
  if (nc < 2 || nc > n - 1)
    throw new RangeError(
      `silhouette needs 2 <= clusters <= samples - 1, got ${nc} clusters for ${n} samples`,
    );
  const size = new Float64Array(nc);
  for (let s = 0; s < n; s++) size[lab[s]!]!++;
  const d = data.cols;
  const x = data.data;
  // sums[s * nc + c] = sum of distances from sample s to the samples of cluster c (pairs computed once).
  const sums = new Float64Array(n * nc);
  for (let s = 0; s < n; s++) {
    const oi = cellsIdx[s]! * d;
    const ls = lab[s]!;
    for (let t = s + 1; t < n; t++) {
      const oj = cellsIdx[t]! * d;
      let q = 0;
      for (let f = 0; f < d; f++) {
        const diff = x[oi + f]! - x[oj + f]!;
        q += diff * diff;
      }
      const dist = Math.sqrt(q);
      sums[s * nc + lab[t]!]! += dist;
      sums[t * nc + ls]! += dist;
    }
  }
  let total = 0;
  for (let s = 0; s < n; s++) {
    const own = lab[s]!;
    if (size[own]! <= 1) continue; // sklearn: 0 for singletons
    const a = sums[s * nc + own]! / (size[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < nc; c++) if (c !== own) b = Math.min(b, sums[s * nc + c]! / size[c]!);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / n;
}

/**
 * Codes for string labels: classes sorted (as sklearn's LabelEncoder, by code unit), null -> -1 (metrics ignore
 * those cells).
 */
export function encodeLabels(labels: ArrayLike<string | null>): { codes: Int32Array; classes: string[] } {
  const set = new Set<string>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== null && l !== undefined) set.add(l);
  }
  const classes = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classes.map((c, i) => [c, i]));
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    codes[i] = l === null || l === undefined ? -1 : index.get(l)!;
  }
  return { codes, classes };
}
