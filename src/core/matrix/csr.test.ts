import { describe, expect, it } from 'vitest';
import {
  CsrBuilder,
  csrFromCoo,
  csrFromDense,
  csrGet,
  csrSelect,
  csrToDense,
  nnz,
  sortMergeRow,
  transposeCsr,
} from './csr.ts';

// 3 x 4:
// [1 0 2 0]
// [0 0 0 3]
// [4 5 0 0]
const dense = [1, 0, 2, 0, 0, 0, 0, 3, 4, 5, 0, 0];

describe('CSR matrices', () => {
  it('builds from dense and reads entries back', () => {
    const m = csrFromDense(dense, 3, 4);
    expect(nnz(m)).toBe(5);
    expect(Array.from(m.indptr)).toEqual([0, 2, 3, 5]);
    expect(Array.from(m.indices)).toEqual([0, 2, 3, 0, 1]);
    expect(csrGet(m, 0, 2)).toBe(2);
    expect(csrGet(m, 1, 0)).toBe(0);
    expect(csrGet(m, 2, 1)).toBe(5);
    expect(Array.from(csrToDense(m))).toEqual(dense);
  });

  it('transposes', () => {
    const t = transposeCsr(csrFromDense(dense, 3, 4));
    expect([t.nRows, t.nCols]).toEqual([4, 3]);
    expect(Array.from(csrToDense(t))).toEqual([1, 0, 4, 0, 0, 5, 2, 0, 0, 0, 3, 0]);
    expect(Array.from(csrToDense(transposeCsr(t)))).toEqual(dense);
  });

  it('builds from unordered COO triplets and sums duplicates', () => {
    const m = csrFromCoo(3, 4, [2, 0, 1, 0, 2, 2], [1, 2, 3, 0, 0, 1], [5, 2, 3, 1, 4, 1]);
    expect(Array.from(csrToDense(m))).toEqual([1, 0, 2, 0, 0, 0, 0, 3, 4, 6, 0, 0]);
    for (let r = 0; r < m.nRows; r++) {
      for (let k = m.indptr[r]! + 1; k < m.indptr[r + 1]!; k++)
        expect(m.indices[k]!).toBeGreaterThan(m.indices[k - 1]!);
    }
  });

  it('selects rows and columns in the requested order', () => {
    const m = csrFromDense(dense, 3, 4);
    const s = csrSelect(m, [2, 0], [1, 0, 3]);
    expect(Array.from(csrToDense(s))).toEqual([5, 4, 0, 0, 1, 0]);
  });

  it('sorts and merges one row in place: ascending copied, descending reversed, others sorted', () => {
    // Rows at [2,5) descending, [5,9) unsorted with a duplicate; written from position 0.
    const idx = Int32Array.from([9, 9, 7, 4, 1, 3, 0, 3, 8]);
    const val = Float32Array.from([0, 0, 1, 2, 3, 10, 20, 30, 40]);
    let out = sortMergeRow(idx, val, 2, 5, 0);
    expect(out).toBe(3);
    expect(Array.from(idx.subarray(0, 3))).toEqual([1, 4, 7]);
    expect(Array.from(val.subarray(0, 3))).toEqual([3, 2, 1]);
    out = sortMergeRow(idx, val, 5, 9, out);
    expect(out).toBe(6);
    expect(Array.from(idx.subarray(3, 6))).toEqual([0, 3, 8]);
    expect(Array.from(val.subarray(3, 6))).toEqual([20, 40, 40]);
    const asc = Int32Array.from([1, 2, 5]);
    expect(sortMergeRow(asc, Float32Array.from([1, 1, 1]), 0, 3, 0)).toBe(3);
    expect(Array.from(asc)).toEqual([1, 2, 5]);
  });

  it('grows the builder past its initial capacity', () => {
    const b = new CsrBuilder(10, 4);
    for (let r = 0; r < 3000; r++) {
      b.push(r % 10, r + 1);
      b.endRow();
    }
    const m = b.finish();
    expect(m.nRows).toBe(3000);
    expect(nnz(m)).toBe(3000);
    expect(csrGet(m, 2999, 9)).toBe(3000);
  });
});
