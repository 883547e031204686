/**
 * Compressed sparse row (CSR) matrices: how count matrices live in memory.
 *
 * A single-cell count matrix is 80-98 % zeros, so it is held as three typed arrays and never as a dense
 * rows x cols block. Row i's non-zeros are `indices[indptr[i] .. indptr[i+1])` (column indices, ascending)
 * with the matching `values`. Memory: 8 bytes per non-zero plus 4 bytes per row.
 */

/** A sparse matrix in CSR layout. Column indices within a row are strictly ascending. */
export interface CsrMatrix {
  readonly nRows: number;
  readonly nCols: number;
  /** Row pointer, length nRows + 1; indptr[nRows] is the number of stored entries. */
  readonly indptr: Uint32Array;
  /** Column index of each stored entry. */
  readonly indices: Int32Array;
  /** Value of each stored entry (float32: counts and normalised values alike). */
  readonly values: Float32Array;
}

/** Number of stored (non-zero) entries. */
export function nnz(m: CsrMatrix): number {
  return m.indptr[m.nRows] ?? 0;
}

/** Bytes held by the matrix's arrays. */
export function csrBytes(m: CsrMatrix): number {
  return m.indptr.byteLength + m.indices.byteLength + m.values.byteLength;
}

/** Value at (row, col); 0 when not stored. Binary search within the row. */
export function csrGet(m: CsrMatrix, row: number, col: number): number {
  let lo = m.indptr[row]!;
  let hi = m.indptr[row + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = m.indices[mid]!;
    if (c === col) return m.values[mid]!;
    if (c < col) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Transpose in O(nnz) with a counting sort; column order within each output row stays ascending. */
export function transposeCsr(m: CsrMatrix): CsrMatrix {
  const total = nnz(m);
  const indptr = new Uint32Array(m.nCols + 1);
  for (let k = 0; k < total; k++) indptr[m.indices[k]! + 1]!++;
  for (let c = 0; c < m.nCols; c++) indptr[c + 1]! += indptr[c]!;
  const cursor = indptr.slice(0, m.nCols);
  const indices = new Int32Array(total);
  const values = new Float32Array(total);
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const c = m.indices[k]!;
      const dst = cursor[c]!++;
      indices[dst] = r;
      values[dst] = m.values[k]!;
    }
  }
  return { nRows: m.nCols, nCols: m.nRows, indptr, indices, values };
}

/**
 * Build a CSR matrix from coordinate triplets (any order). Duplicate coordinates are summed, as
 * MatrixMarket readers conventionally do. Inputs are not modified.
 */
export function csrFromCoo(
  nRows: number,
  nCols: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  vals: ArrayLike<number>,
): CsrMatrix {
  const n = rows.length;
  const counts = new Uint32Array(nRows + 1);
  for (let k = 0; k < n; k++) counts[rows[k]! + 1]!++;
  for (let r = 0; r < nRows; r++) counts[r + 1]! += counts[r]!;
  const cursor = counts.slice(0, nRows);
  const idx = new Int32Array(n);
  const val = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const dst = cursor[rows[k]!]!++;
    idx[dst] = cols[k]!;
    val[dst] = vals[k]!;
  }
  // Sort each row by column and merge duplicates.
  const indptr = new Uint32Array(nRows + 1);
  let out = 0;
  for (let r = 0; r < nRows; r++) {
    out = sortMergeRow(idx, val, counts[r]!, counts[r + 1]!, out);
    indptr[r + 1] = out;
  }
  return { nRows, nCols, indptr, indices: idx.slice(0, out), values: val.slice(0, out) };
}

/**
 * Sort the entries [start, end) of `indices`/`values` by column, sum duplicate columns, and write the result
 * from position `out` (out <= start, so it works in place). Returns the new end. Ascending rows are copied as
 * they are and strictly descending rows (Cell Ranger's order) are reversed; only other rows are sorted.
 */
export function sortMergeRow(
  indices: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  out: number,
): number {
  let ascending = true;
  let descending = true;
  for (let k = start + 1; k < end; k++) {
    if (indices[k - 1]! >= indices[k]!) ascending = false;
    if (indices[k - 1]! <= indices[k]!) descending = false;
  }
  if (ascending || descending) {
    indices.copyWithin(out, start, end);
    values.copyWithin(out, start, end);
    const last = out + end - start;
    if (!ascending) {
      indices.subarray(out, last).reverse();
      values.subarray(out, last).reverse();
    }
    return last;
  }
  const order = Array.from({ length: end - start }, (_, t) => start + t).sort(
    (a, b) => indices[a]! - indices[b]!,
  );
  const rowIdx = order.map((k) => indices[k]!);
  const rowVal = order.map((k) => values[k]!);
  for (let t = 0; t < rowIdx.length; t++) {
    if (t > 0 && rowIdx[t] === rowIdx[t - 1]) {
      values[out - 1]! += rowVal[t]!;
    } else {
      indices[out] = rowIdx[t]!;
      values[out] = rowVal[t]!;
      out++;
    }
  }
  return out;
}

/** Dense row-major Float32Array of a CSR matrix. Only for small matrices and tests. */
export function csrToDense(m: CsrMatrix): Float32Array {
  const out = new Float32Array(m.nRows * m.nCols);
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) out[r * m.nCols + m.indices[k]!] = m.values[k]!;
  }
  return out;
}

/** CSR from a dense row-major array (zeros are not stored). */
export function csrFromDense(dense: ArrayLike<number>, nRows: number, nCols: number): CsrMatrix {
  const b = new CsrBuilder(nCols);
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      const v = dense[r * nCols + c]!;
      if (v !== 0) b.push(c, v);
    }
    b.endRow();
  }
  return b.finish();
}

/**
 * Select rows and columns (in the given orders) of a CSR matrix. Column order in the result follows
 * `cols`; entries in dropped columns are skipped.
 */
export function csrSelect(m: CsrMatrix, rows: ArrayLike<number>, cols: ArrayLike<number>): CsrMatrix {
  const colMap = new Int32Array(m.nCols).fill(-1);
  let colsAscending = true;
  for (let j = 0; j < cols.length; j++) {
    colMap[cols[j]!] = j;
    if (j > 0 && cols[j]! <= cols[j - 1]!) colsAscending = false;
  }
  const b = new CsrBuilder(cols.length);
  const rowIdx: number[] = [];
  const rowVal: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    rowIdx.length = 0;
    rowVal.length = 0;
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const j = colMap[m.indices[k]!]!;
      if (j >= 0) {
        rowIdx.push(j);
        rowVal.push(m.values[k]!);
      }
    }
    if (colsAscending) {
      for (let t = 0; t < rowIdx.length; t++) b.push(rowIdx[t]!, rowVal[t]!);
    } else {
      const order = rowIdx.map((_, t) => t).sort((a, c) => rowIdx[a]! - rowIdx[c]!);
      for (const t of order) b.push(rowIdx[t]!, rowVal[t]!);
    }
    b.endRow();
  }
  return b.finish();
}

/**
 * Incremental CSR construction, row by row, with amortised growth of the entry arrays. Used by the
 * streaming parsers so that no dense copy and no per-value JS object is ever made.
 */
export class CsrBuilder {
  private indptr: Uint32Array;
  private indices: Int32Array;
  private values: Float32Array;
  private rows = 0;
  private count = 0;

  /** `nCols` may be unknown (-1) until `finish(nCols)`. */
  constructor(
    private nCols: number,
    initialCapacity = 1 << 16,
  ) {
    this.indptr = new Uint32Array(1024);
    this.indices = new Int32Array(initialCapacity);
    this.values = new Float32Array(initialCapacity);
  }

  get nRows(): number {
    return this.rows;
  }

  get nnz(): number {
    return this.count;
  }

  /** Bytes currently reserved by the builder's arrays. */
  get reservedBytes(): number {
    return this.indptr.byteLength + this.indices.byteLength + this.values.byteLength;
  }

  /** Append an entry to the current row; columns must be pushed in ascending order. */
  push(col: number, value: number): void {
    if (this.count === this.indices.length) this.grow();
    this.indices[this.count] = col;
    this.values[this.count] = value;
    this.count++;
  }

  /** Close the current row. */
  endRow(): void {
    this.rows++;
    if (this.rows + 1 > this.indptr.length) {
      const next = new Uint32Array(this.indptr.length * 2);
      next.set(this.indptr);
      this.indptr = next;
    }
    this.indptr[this.rows] = this.count;
  }

  /** Trim to size and return the matrix. */
  finish(nCols = this.nCols): CsrMatrix {
    if (nCols < 0) throw new Error('CsrBuilder.finish: number of columns unknown');
    return {
      nRows: this.rows,
      nCols,
      indptr: this.indptr.slice(0, this.rows + 1),
      indices: this.indices.slice(0, this.count),
      values: this.values.slice(0, this.count),
    };
  }

  private grow(): void {
    const cap = Math.max(1024, Math.ceil(this.indices.length * 1.5));
    const idx = new Int32Array(cap);
    idx.set(this.indices);
    const val = new Float32Array(cap);
    val.set(this.values);
    this.indices = idx;
    this.values = val;
  }
}
