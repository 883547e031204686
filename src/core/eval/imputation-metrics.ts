/**
 * Imputation error on the entries corrupted by `simulateDropout`, exactly as the published protocol
 * (reference note §5.2, `imputation_error_log`): d = |imputed - ln(1 + true raw value)| over the corrupted
 * entries only, imputed values on the log1p scale. Also the cosine similarity of the two vectors and a true
 * RMSE sqrt(mean d^2) (the reference's "RMSE" is mean|d|/sqrt(n), which is not one).
 */
import type { DenseMatrix } from '../matrix/dense.ts';
import { asRows, rowRange, type RowSource } from '../matrix/rows.ts';
import type { Dropout } from './dropout.ts';

export interface ImputationMetrics {
  readonly medianL1: number;
  readonly meanL1: number;
  readonly cosine: number;
  readonly rmse: number;
  readonly nEntries: number;
}

/** Median of a Float64Array (copied and sorted). */
export function median(xs: Float64Array): number {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `imputed` is cells x genes on the log1p scale, in the same cell and gene order as the dropout matrix. */
export function imputationMetrics(imputed: DenseMatrix | RowSource, dropout: Dropout): ImputationMetrics {
  const value = entryReader(asRows(imputed));
  const n = dropout.rows.length;
  const d = new Float64Array(n);
  let sum = 0;
  let sumSq = 0;
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (let e = 0; e < n; e++) {
    const x = value(dropout.rows[e]!, dropout.cols[e]!);
    const y = Math.log1p(dropout.values[e]!);
    const diff = Math.abs(x - y);
    d[e] = diff;
    sum += diff;
    sumSq += diff * diff;
    dot += x * y;
    nx += x * x;
    ny += y * y;
  }
  return {
    medianL1: median(d),
    meanL1: n ? sum / n : NaN,
    cosine: nx > 0 && ny > 0 ? dot / Math.sqrt(nx * ny) : 0,
    rmse: n ? Math.sqrt(sumSq / n) : NaN,
    nEntries: n,
  };
}

/** Cells read per block when the imputed matrix is read by rows. */
const BLOCK = 512;

/**
 * value(row, col) of a row source, reading blocks of BLOCK rows: entries asked in row order (as the dropout's
 * are) read every row once, with one block in memory.
 */
function entryReader(m: RowSource): (row: number, col: number) => number {
  let start = -1;
  let block = new Float32Array(0);
  return (row, col) => {
    if (start < 0 || row < start || row >= start + BLOCK) {
      start = row - (row % BLOCK);
      block = m.read(rowRange(start, Math.min(m.rows, start + BLOCK)));
    }
    return block[(row - start) * m.cols + col]!;
  };
}
