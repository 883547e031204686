import { describe, expect, it } from 'vitest';
import { csrFromDense } from '../matrix/csr.ts';
import { librarySizeFactors, log1pDense, unscaleLog1p } from './normalise.ts';

// 3 cells x 2 genes; totals 4, 2, 0 (the empty cell gets factor 1).
const counts = csrFromDense([1, 3, 2, 0, 0, 0], 3, 2);

describe('model input scaling', () => {
  it('log1pDense is ln(1 + s_i x), zeros stay zero', () => {
    expect(Array.from(log1pDense(counts).data)).toEqual(
      [1, 3, 2, 0, 0, 0].map((v) => Math.fround(Math.log1p(v))),
    );
    const scaled = log1pDense(counts, new Float64Array([0.5, 2, 1]));
    expect(Array.from(scaled.data)).toEqual([0.5, 1.5, 4, 0, 0, 0].map((v) => Math.fround(Math.log1p(v))));
  });

  it('librarySizeFactors is the median total over each total, 1 for empty cells', () => {
    expect(Array.from(librarySizeFactors(counts))).toEqual([2 / 4, 2 / 2, 1]);
  });

  it('unscaleLog1p maps ln(1 + s x) back to ln(1 + x), in place', () => {
    const scale = librarySizeFactors(counts);
    const m = log1pDense(counts, scale);
    expect(unscaleLog1p(m, scale)).toBe(m);
    const expected = [1, 3, 2, 0, 0, 0].map((v) => Math.log1p(v));
    Array.from(m.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });
});
