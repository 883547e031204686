/**
 * Imputation metrics (imputation-metrics.ts), edge cases beside eval.test.ts, values by hand: median of
 * odd, even and empty arrays; no corrupted entries gives NaN errors and cosine 0; a perfect imputation gives 0
 * error and cosine 1; a constant offset of 0.5 gives median = mean = RMSE = 0.5.
 */
import { describe, expect, it } from 'vitest';
import { csrFromDense } from '../matrix/csr.ts';
import { denseMatrix } from '../matrix/dense.ts';
import type { Dropout } from './dropout.ts';
import { imputationMetrics, median } from './imputation-metrics.ts';

function dropoutOf(rows: number[], cols: number[], values: number[]): Dropout {
  return {
    corrupted: csrFromDense([0, 0, 0, 0], 2, 2),
    rows: Int32Array.from(rows),
    cols: Int32Array.from(cols),
    values: Float32Array.from(values),
  };
}

describe('imputation metrics (imputation-metrics.ts)', () => {
  it('median of odd, even and empty arrays, without changing the input', () => {
    const xs = Float64Array.from([5, -1, 3]);
    expect(median(xs)).toBe(3);
    expect([...xs]).toEqual([5, -1, 3]);
    expect(median(Float64Array.from([10, 2]))).toBe(6);
    expect(median(new Float64Array(0))).toBeNaN();
  });

  it('handles no entries, a perfect imputation and a constant offset', () => {
    const none = imputationMetrics(denseMatrix(2, 2), dropoutOf([], [], []));
    expect(none.nEntries).toBe(0);
    expect(none.medianL1).toBeNaN();
    expect(none.meanL1).toBeNaN();
    expect(none.rmse).toBeNaN();
    expect(none.cosine).toBe(0);

    const d = dropoutOf([0, 1, 1], [1, 0, 1], [1, 3, 7]);
    const truth = [0, Math.log(2), Math.log(4), Math.log(8)];
    const perfect = imputationMetrics(denseMatrix(2, 2, Float32Array.from(truth)), d);
    expect(perfect.nEntries).toBe(3);
    expect(perfect.medianL1).toBeLessThan(1e-6);
    expect(perfect.cosine).toBeCloseTo(1, 6);

    const shifted = imputationMetrics(denseMatrix(2, 2, Float32Array.from(truth.map((v) => v + 0.5))), d);
    expect(shifted.medianL1).toBeCloseTo(0.5, 6);
    expect(shifted.meanL1).toBeCloseTo(0.5, 6);
    expect(shifted.rmse).toBeCloseTo(0.5, 6);
    // An all-zero imputation has no direction: cosine 0.
    expect(imputationMetrics(denseMatrix(2, 2), d).cosine).toBe(0);
  });
});

describe('imputation metrics on rows read on demand', () => {
  it('give the dense figures, reading each block of rows once when the entries come in row order', () => {
    const n = 1100; // three blocks of 512 rows
    const g = 3;
    const imputed = denseMatrix(
      n,
      g,
      Float32Array.from({ length: n * g }, (_, k) => (k % 7) / 3),
    );
    const rows: number[] = [];
    const cols: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; i += 5) {
      rows.push(i);
      cols.push(i % g);
      values.push((i % 4) + 1);
    }
    const dropout = {
      rows: Int32Array.from(rows),
      cols: Int32Array.from(cols),
      values: Float32Array.from(values),
    } as unknown as Dropout;
    const reads: number[][] = [];
    const source = {
      rows: n,
      cols: g,
      read(idx: ArrayLike<number>) {
        reads.push([idx[0]!, idx.length]);
        const out = new Float32Array(idx.length * g);
        for (let i = 0; i < idx.length; i++)
          out.set(imputed.data.subarray(idx[i]! * g, (idx[i]! + 1) * g), i * g);
        return out;
      },
    };
    expect(imputationMetrics(source, dropout)).toEqual(imputationMetrics(imputed, dropout));
    expect(reads).toEqual([
      [0, 512],
      [512, 512],
      [1024, 76],
    ]);
  });
});
