/**
 * The seeded Isolation Forest (isolation-forest.ts).
 *
 * Expected values worked out on paper from sklearn's definitions:
 * - c(n) = 2 (ln(n - 1) + γ) - 2 (n - 1) / n with c(1) = 0, c(2) = 1: c(3) = 2 (ln 2 + γ) - 4/3 ≈ 1.20739,
 *   c(256) = 2 (ln 255 + γ) - 510/256 ≈ 10.24477.
 * - Rows (0), (0), (1): every tree splits the root at a threshold in [0, 1), isolating (1) at depth 1 (leaf
 *   of size 1: h = 1) and leaving the two zeros in a constant leaf at depth 1 (h = 1 + c(2) = 2), whatever
 *   the random stream. Scores: 2^(-1 / c(3)) ≈ 0.5632 for the outlier and 2^(-2 / c(3)) ≈ 0.3172 for the
 *   others.
 * - Constant rows: the root is a leaf of the whole subsample, h = c(n), so every score is 0.5 (up to the
 *   rounding of the sum).
 * - A seeded 2-D Gaussian cloud with one far point: that point scores above 0.5 and above every inlier.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { averagePathLength, isolationForestScores } from './isolation-forest.ts';

const GAMMA = 0.5772156649015329;

describe('isolation forest (isolation-forest.ts)', () => {
  it('averagePathLength is sklearn c(n)', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(3)).toBeCloseTo(2 * (Math.LN2 + GAMMA) - 4 / 3, 12);
    expect(averagePathLength(3)).toBeCloseTo(1.20739, 5);
    expect(averagePathLength(256)).toBeCloseTo(10.24477, 5);
  });

  it('scores three 1-D rows exactly as worked out by hand, for any seed, on a subset of the rows', () => {
    const c3 = averagePathLength(3);
    // Rows 1, 3, 4 of the data are (0), (0), (1); rows 0 and 2 are not part of the fit.
    const data = Float32Array.from([5, 0, 7, 0, 1]);
    for (const seed of [1, 2, 3]) {
      const s = isolationForestScores(data, 1, [1, 3, 4], createRng(seed), { nEstimators: 10 });
      expect(s).toHaveLength(3);
      expect(s[0]).toBeCloseTo(2 ** (-2 / c3), 12);
      expect(s[1]).toBeCloseTo(2 ** (-2 / c3), 12);
      expect(s[2]).toBeCloseTo(2 ** (-1 / c3), 12);
    }
    expect(2 ** (-1 / c3)).toBeCloseTo(0.5632, 4);
    expect(2 ** (-2 / c3)).toBeCloseTo(0.3172, 4);
  });

  it('gives 0.5 to constant rows, to a single row, and nothing to no rows', () => {
    const constant = new Float32Array(20 * 3).fill(2.5);
    const rows = Array.from({ length: 20 }, (_, i) => i);
    const s = isolationForestScores(constant, 3, rows, createRng(1));
    expect(s).toHaveLength(20);
    for (const v of s) expect(v).toBeCloseTo(0.5, 12); // 2^(-c(20) / c(20)), up to rounding of the sum
    expect([...isolationForestScores(Float32Array.from([1, 2]), 2, [0], createRng(1))]).toEqual([0.5]);
    expect(isolationForestScores(constant, 3, [], createRng(1))).toHaveLength(0);
  });

  it('scores an obvious outlier above 0.5 and above every inlier; seeded and deterministic', () => {
    const rng = createRng(5);
    const n = 200;
    const data = new Float32Array(n * 2);
    for (let i = 0; i < n - 1; i++) {
      data[2 * i] = rng.normal();
      data[2 * i + 1] = rng.normal();
    }
    data[2 * (n - 1)] = 8;
    data[2 * (n - 1) + 1] = 8;
    const rows = Array.from({ length: n }, (_, i) => i);
    for (const opts of [{}, { maxSamples: 64, nEstimators: 50 }]) {
      const s = isolationForestScores(data, 2, rows, createRng(9), opts);
      const outlier = s[n - 1]!;
      const inliers = Array.from(s.subarray(0, n - 1));
      expect(outlier).toBeGreaterThan(0.5);
      expect(outlier).toBeGreaterThan(Math.max(...inliers));
      const meanInlier = inliers.reduce((a, b) => a + b, 0) / inliers.length;
      expect(meanInlier).toBeLessThan(0.5);
      expect(s.every((v) => v > 0 && v <= 1)).toBe(true);
      expect(isolationForestScores(data, 2, rows, createRng(9), opts)).toEqual(s);
      expect(isolationForestScores(data, 2, rows, createRng(10), opts)).not.toEqual(s);
    }
  });
});
