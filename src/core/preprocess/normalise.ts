/**
 * Scaling of the model input (ScgnnParams.normalize): ln(1 + s_i · x) of the selected counts with an optional
 * per-cell library-size factor s_i, and the map of model outputs back to ln(1 + x) of the input's own scale.
 */
import type { CsrMatrix } from '../matrix/csr.ts';
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';

/** Dense ln(1 + s_i · x) of a CSR matrix, with an optional per-row scale s_i. */
export function log1pDense(m: CsrMatrix, rowScale?: Float64Array): DenseMatrix {
  const out = denseMatrix(m.nRows, m.nCols);
  for (let r = 0; r < m.nRows; r++) {
    const s = rowScale ? rowScale[r]! : 1;
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      out.data[r * m.nCols + m.indices[k]!] = Math.log1p(s * m.values[k]!);
    }
  }
  return out;
}

/** ln(1 + s_i · x) of a CSR matrix's stored entries, as a CSR matrix of the same pattern (float32 values). */
export function log1pCsr(m: CsrMatrix, rowScale?: Float64Array): CsrMatrix {
  const values = new Float32Array(m.values.length);
  for (let r = 0; r < m.nRows; r++) {
    const s = rowScale ? rowScale[r]! : 1;
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) values[k] = Math.log1p(s * m.values[k]!);
  }
  return { nRows: m.nRows, nCols: m.nCols, indptr: m.indptr, indices: m.indices, values };
}

/** Per-cell scale factors m / total_i (m = median of the per-cell totals); 1 for empty cells. */
export function librarySizeFactors(m: CsrMatrix): Float64Array {
  const totals = new Float64Array(m.nRows);
  for (let r = 0; r < m.nRows; r++)
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) totals[r]! += m.values[k]!;
  const sorted = totals.slice().sort();
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return totals.map((t) => (t > 0 ? median / t : 1));
}

/** Map ln(1 + s_i · x) values back to ln(1 + x), in place. */
export function unscaleLog1p(m: DenseMatrix, rowScale: Float64Array): DenseMatrix {
  for (let r = 0; r < m.rows; r++)
    unscaleLog1pRow(m.data.subarray(r * m.cols, (r + 1) * m.cols), rowScale[r]!);
  return m;
}

/** One row of `unscaleLog1p`: ln(1 + s · x) values back to ln(1 + x), in place. */
export function unscaleLog1pRow(row: Float32Array, s: number): void {
  for (let c = 0; c < row.length; c++) row[c] = Math.log1p(Math.expm1(Math.max(0, row[c]!)) / s);
}
