/**
 * The published dropout protocol (dropout.ts), edge cases beside eval.test.ts: the rate must be in
 * [0, 1); stored zeros are never chosen and do not count in nnz; chosen entries are listed in storage order
 * (row-major), and the corrupted matrix keeps every other stored entry, explicit zeros included.
 */
import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../matrix/csr.ts';
import { createRng } from '../rng.ts';
import { simulateDropout } from './dropout.ts';

describe('dropout simulation (dropout.ts)', () => {
  it('rejects rates outside [0, 1)', () => {
    const m: CsrMatrix = {
      nRows: 1,
      nCols: 1,
      indptr: Uint32Array.of(0, 1),
      indices: Int32Array.of(0),
      values: Float32Array.of(1),
    };
    for (const rate of [1, -0.1, Number.NaN])
      expect(() => simulateDropout(m, rate, createRng(1))).toThrow(RangeError);
  });

  it('never picks stored zeros: 4 non-zeros at rate 0.75 drop exactly 3 of them', () => {
    // 2 x 4 with stored zeros at (0,1) and (1,0): non-zeros 5 (0,0), 6 (0,3), 7 (1,1), 8 (1,2).
    const m: CsrMatrix = {
      nRows: 2,
      nCols: 4,
      indptr: Uint32Array.of(0, 3, 6),
      indices: Int32Array.of(0, 1, 3, 0, 1, 2),
      values: Float32Array.of(5, 0, 6, 0, 7, 8),
    };
    for (const seed of [1, 2, 3, 4, 5]) {
      const d = simulateDropout(m, 0.75, createRng(seed));
      expect(d.values).toHaveLength(3); // floor(0.75 x 4)
      expect([...d.values].every((v) => v > 0)).toBe(true);
      // Storage order: (row, col) pairs ascending.
      const keys = Array.from(d.rows, (r, i) => r * 4 + d.cols[i]!);
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
      // What is left: the two stored zeros and the one non-zero not chosen.
      expect(d.corrupted.indptr[2]).toBe(3);
      const left = [...d.corrupted.values].filter((v) => v > 0);
      expect(left).toHaveLength(1);
      expect([...d.values, ...left].sort()).toEqual([5, 6, 7, 8]);
    }
  });
});
