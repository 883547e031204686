/** Dense row-major matrices (dense.ts): construction checks, row views, row selection, unit rows (3-4-5). */
import { describe, expect, it } from 'vitest';
import { denseMatrix, denseRow, denseSelectRows, unitRows } from './dense.ts';

describe('dense matrices (dense.ts)', () => {
  it('checks the length and defaults to zeros', () => {
    expect([...denseMatrix(2, 2).data]).toEqual([0, 0, 0, 0]);
    expect(() => denseMatrix(2, 3, new Float32Array(5))).toThrow(/2x3 needs 6 values, got 5/);
  });

  it('denseRow is a view, denseSelectRows a copy in the given order', () => {
    const m = denseMatrix(3, 2, Float32Array.from([1, 2, 3, 4, 5, 6]));
    const r = denseRow(m, 1);
    expect([...r]).toEqual([3, 4]);
    r[0] = 30;
    expect(m.data[2]).toBe(30);
    const s = denseSelectRows(m, [2, 0, 2]);
    expect([s.rows, s.cols]).toEqual([3, 2]);
    expect([...s.data]).toEqual([5, 6, 1, 2, 5, 6]);
    s.data[0] = 0;
    expect(m.data[4]).toBe(5);
  });

  it('unitRows scales rows to length 1 and leaves zero rows at zero', () => {
    const m = denseMatrix(2, 2, Float32Array.from([3, 4, 0, 0]));
    const u = unitRows(m);
    expect(u.data[0]).toBeCloseTo(0.6, 7);
    expect(u.data[1]).toBeCloseTo(0.8, 7);
    expect([u.data[2], u.data[3]]).toEqual([0, 0]);
    expect([...m.data]).toEqual([3, 4, 0, 0]); // input untouched
  });
});
