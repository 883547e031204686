import { describe, expect, it } from 'vitest';
import {
  CsrBuilder,
  csrFromCoo,
  csrFromDense,
  csrGet,
  csrSelect,
  csrToDense,
  nnz,
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
