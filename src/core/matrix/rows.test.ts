import { describe, expect, it } from 'vitest';
import { csrFromDense } from './csr.ts';
import { denseMatrix } from './dense.ts';
import {
  asRows,
  computedRows,
  csrRows,
  denseRowMatrix,
  denseRows,
  log1pRows,
  mapComputedRows,
  rowRange,
  subsetRows,
} from './rows.ts';

// 3 cells x 4 genes of counts.
const counts = [0, 2, 0, 5, 1, 0, 0, 0, 3, 3, 7, 0];
const csr = csrFromDense(counts, 3, 4);

describe('row sources', () => {
  it('denseRows copies the asked rows in the asked order', () => {
    const m = denseMatrix(3, 4, Float32Array.from(counts));
    const r = denseRows(m);
    expect([r.rows, r.cols]).toEqual([3, 4]);
    expect(Array.from(r.read([2, 0, 2]))).toEqual([3, 3, 7, 0, 0, 2, 0, 5, 3, 3, 7, 0]);
    const out = r.read([1]);
    out[0] = 99; // a fresh array: the matrix is not touched
    expect(m.data[4]).toBe(1);
    expect(asRows(m).read([1])).toEqual(r.read([1]));
    expect(asRows(r)).toBe(r);
  });

  it('log1pRows is ln(1 + s_i · count) of the sparse counts, zeros included (hand-computed)', () => {
    const plain = log1pRows(csr);
    expect(Array.from(plain.read([0]))).toEqual([0, 2, 0, 5].map((c) => Math.fround(Math.log1p(c))));
    const scaled = log1pRows(csr, Float64Array.from([0.5, 2, 1]));
    const got = Array.from(scaled.read([1, 0]));
    const want = [Math.log1p(2), 0, 0, 0, 0, Math.log1p(1), 0, Math.log1p(2.5)];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    expect(() => log1pRows(csr, new Float64Array(2))).toThrow(RangeError);
    // csrRows: the stored values as they are.
    expect(Array.from(csrRows(csr).read([2, 1]))).toEqual([3, 3, 7, 0, 1, 0, 0, 0]);
  });

  it('subsetRows reads through to the parent rows, and rowRange counts up', () => {
    const sub = subsetRows(log1pRows(csr), Int32Array.from([2, 0]));
    expect([sub.rows, sub.cols]).toEqual([2, 4]);
    expect(sub.read([1, 0])).toEqual(log1pRows(csr).read([0, 2]));
    expect(Array.from(rowRange(3, 6))).toEqual([3, 4, 5]);
    expect(rowRange(4, 4)).toHaveLength(0);
  });
});

describe('row matrices', () => {
  it('denseRowMatrix hands out the matrix itself whole', () => {
    const m = denseMatrix(2, 2, Float32Array.from([1, 2, 3, 4]));
    const r = denseRowMatrix(m);
    expect(r.dense()).toBe(m);
    expect(Array.from(r.read([1]))).toEqual([3, 4]);
  });

  it('computedRows makes each asked row (fresh on every read), mapComputedRows maps every row made', () => {
    let made = 0;
    const rows = computedRows(3, 2, (i, out) => {
      made++;
      out[0] = i;
      out[1] = 10 * i;
    });
    expect(Array.from(rows.read([2, 0]))).toEqual([2, 20, 0, 0]);
    expect(made).toBe(2);
    const whole = rows.dense();
    expect([whole.rows, whole.cols]).toEqual([3, 2]);
    expect(Array.from(whole.data)).toEqual([0, 0, 1, 10, 2, 20]);
    expect(rows.dense()).not.toBe(whole);
    const shifted = mapComputedRows(rows, (row, i) => {
      row[1] = row[1]! + i;
    });
    expect(Array.from(shifted.read([1]))).toEqual([1, 11]);
    // Every dense() is made afresh and mapped once.
    expect(Array.from(shifted.dense().data)).toEqual([0, 0, 1, 11, 2, 22]);
    expect(Array.from(shifted.dense().data)).toEqual([0, 0, 1, 11, 2, 22]);
  });
});
