/**
 * Rows of a cells x genes matrix read by index, so training and inference can build each batch without the
 * whole matrix in memory as a dense block (issue 12: at 100,000 cells x 2,000 genes one dense float32 copy is
 * 800 MB). A source is either a dense matrix already held, or computed on the fly from the sparse counts
 * (`log1pRows`: the model input X = ln(1 + s_i · count), 8 bytes per non-zero instead of 4 per entry).
 */
import type { CsrMatrix } from './csr.ts';
import { denseMatrix, type DenseMatrix } from './dense.ts';

export interface RowSource {
  readonly rows: number;
  readonly cols: number;
  /** The rows `idx`, in that order, as one idx.length x cols row-major block (a fresh array). */
  read(idx: ArrayLike<number>): Float32Array<ArrayBuffer>;
}

/** A dense matrix as a row source (rows copied out). */
export function denseRows(m: DenseMatrix): RowSource {
  const { rows, cols, data } = m;
  return {
    rows,
    cols,
    read(idx) {
      const out = new Float32Array(idx.length * cols);
      for (let i = 0; i < idx.length; i++) {
        const r = idx[i]!;
        out.set(data.subarray(r * cols, (r + 1) * cols), i * cols);
      }
      return out;
    },
  };
}

/** ln(1 + s_i · count) of a CSR count matrix, row by row when read (s_i = 1 without `rowScale`). */
export function log1pRows(m: CsrMatrix, rowScale?: Float64Array): RowSource {
  if (rowScale && rowScale.length !== m.nRows)
    throw new RangeError(`rowScale has ${rowScale.length} values for ${m.nRows} rows`);
  return sparseRows(m, (r, v) => Math.log1p((rowScale ? rowScale[r]! : 1) * v));
}

/** The rows of a CSR matrix as they are (zeros where nothing is stored). */
export function csrRows(m: CsrMatrix): RowSource {
  return sparseRows(m, (_, v) => v);
}

/** The rows of a CSR matrix with each stored value v of row r read as value(r, v), zeros elsewhere. */
function sparseRows(m: CsrMatrix, value: (r: number, v: number) => number): RowSource {
  const cols = m.nCols;
  return {
    rows: m.nRows,
    cols,
    read(idx) {
      const out = new Float32Array(idx.length * cols);
      for (let i = 0; i < idx.length; i++) {
        const r = idx[i]!;
        for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++)
          out[i * cols + m.indices[k]!] = value(r, m.values[k]!);
      }
      return out;
    },
  };
}

/** A row source as it is, or a dense matrix wrapped as one. */
export function asRows(m: RowSource | DenseMatrix): RowSource {
  return 'read' in m ? m : denseRows(m);
}

/** The indices start, start + 1, ..., end - 1. */
export function rowRange(start: number, end: number): Int32Array {
  const out = new Int32Array(Math.max(0, end - start));
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

/** The rows `idx` of a source as a source of idx.length rows (no copy: reads go through to `m`). */
export function subsetRows(m: RowSource, idx: Int32Array): RowSource {
  return {
    rows: idx.length,
    cols: m.cols,
    read: (local) => m.read(throughSubset(idx, local)),
  };
}

/** What reads rows: a row source, or a dense matrix held whole. */
export type MatrixRows = RowSource | DenseMatrix;

/** The parent's row of each row `local` of the subset of rows `idx`. */
export function throughSubset(idx: Int32Array, local: ArrayLike<number>): Int32Array {
  const global = new Int32Array(local.length);
  for (let i = 0; i < local.length; i++) global[i] = idx[local[i]!]!;
  return global;
}

/** A matrix read by rows that can also be had whole (e.g. the imputed matrix, whose rows are made on demand). */
export interface RowMatrix extends RowSource {
  /** Every row as one dense matrix (made on each call where the rows are computed). */
  dense(): DenseMatrix;
}

/** A dense matrix as a RowMatrix (`dense()` is the matrix itself). */
export function denseRowMatrix(m: DenseMatrix): RowMatrix {
  return { ...denseRows(m), dense: () => m };
}

/** Rows made one at a time by `row(i, out)` (out: a zeroed row of `cols` values). */
export function computedRows(
  rows: number,
  cols: number,
  row: (i: number, out: Float32Array) => void,
): RowMatrix {
  const read = (idx: ArrayLike<number>): Float32Array<ArrayBuffer> => {
    const out = new Float32Array(idx.length * cols);
    for (let i = 0; i < idx.length; i++) row(idx[i]!, out.subarray(i * cols, (i + 1) * cols));
    return out;
  };
  return { rows, cols, read, dense: () => denseMatrix(rows, cols, read(rowRange(0, rows))) };
}

/**
 * Computed rows (`computedRows`: each read and each `dense()` makes fresh rows) with `f(row, i)` applied in
 * place to every row made.
 */
export function mapComputedRows(m: RowMatrix, f: (row: Float32Array, i: number) => void): RowMatrix {
  const { rows, cols } = m;
  const apply = (data: Float32Array, idx: ArrayLike<number>): void => {
    for (let i = 0; i < idx.length; i++) f(data.subarray(i * cols, (i + 1) * cols), idx[i]!);
  };
  return {
    rows,
    cols,
    read(idx) {
      const out = m.read(idx);
      apply(out, idx);
      return out;
    },
    dense() {
      const all = m.dense();
      apply(all.data, rowRange(0, rows));
      return all;
    },
  };
}
