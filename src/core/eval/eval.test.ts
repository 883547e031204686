import { describe, expect, it } from 'vitest';
import { csrFromDense, csrToDense, nnz } from '../matrix/csr.ts';
import { denseMatrix } from '../matrix/dense.ts';
import { createRng } from '../rng.ts';
import { simulateDropout } from './dropout.ts';
import { imputationMetrics, median } from './imputation-metrics.ts';

describe('dropout simulation (published protocol)', () => {
  const dense = Array.from({ length: 40 * 25 }, (_, i) => (i % 3 === 0 ? 0 : 1 + (i % 7)));
  const m = csrFromDense(dense, 40, 25);

  it('zeroes floor(rate x nnz) non-zero entries, only non-zeros, reproducibly', () => {
    const d = simulateDropout(m, 0.1, createRng(1));
    const total = nnz(m);
    expect(d.rows.length).toBe(Math.floor(0.1 * total));
    expect(nnz(d.corrupted)).toBe(total - d.rows.length);
    const after = csrToDense(d.corrupted);
    for (let e = 0; e < d.rows.length; e++) {
      const idx = d.rows[e]! * 25 + d.cols[e]!;
      expect(d.values[e]).toBe(dense[idx]);
      expect(dense[idx]).not.toBe(0);
      expect(after[idx]).toBe(0);
    }
    // Everything not chosen is untouched.
    let changed = 0;
    for (let i = 0; i < dense.length; i++) if (after[i] !== dense[i]) changed++;
    expect(changed).toBe(d.rows.length);
    const again = simulateDropout(m, 0.1, createRng(1));
    expect(Array.from(again.rows)).toEqual(Array.from(d.rows));
    expect(Array.from(again.cols)).toEqual(Array.from(d.cols));
    expect(Array.from(simulateDropout(m, 0.1, createRng(2)).rows)).not.toEqual(Array.from(d.rows));
    expect(simulateDropout(m, 0, createRng(1)).rows.length).toBe(0);
  });

  it('scores imputation on the corrupted entries only, on the log1p scale', () => {
    // 2 cells x 3 genes; entries (0,1)=3 and (1,2)=1 were corrupted.
    const dropout = {
      corrupted: csrFromDense([1, 0, 2, 4, 5, 0], 2, 3),
      rows: Int32Array.from([0, 1]),
      cols: Int32Array.from([1, 2]),
      values: Float32Array.from([3, 1]),
    };
    const imputed = denseMatrix(2, 3, Float32Array.from([9, Math.log(4) + 0.5, 9, 9, 9, Math.log(2) - 0.25]));
    const r = imputationMetrics(imputed, dropout);
    expect(r.nEntries).toBe(2);
    expect(r.medianL1).toBeCloseTo(0.375, 6);
    expect(r.meanL1).toBeCloseTo(0.375, 6);
    expect(r.rmse).toBeCloseTo(Math.sqrt((0.25 + 0.0625) / 2), 6);
    const x = [Math.log(4) + 0.5, Math.log(2) - 0.25];
    const y = [Math.log(4), Math.log(2)];
    const cos = (x[0]! * y[0]! + x[1]! * y[1]!) / Math.hypot(...x) / Math.hypot(...y);
    expect(r.cosine).toBeCloseTo(cos, 5);
    expect(median(Float64Array.from([3, 1, 2]))).toBe(2);
    expect(median(Float64Array.from([4, 1, 2, 3]))).toBe(2.5);
  });
});
