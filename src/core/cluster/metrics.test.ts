import { describe, expect, it } from 'vitest';
import { denseMatrix } from '../matrix/dense.ts';
import { createRng } from '../rng.ts';
import { adjustedRandIndex, encodeLabels, normalizedMutualInfo, silhouetteScore } from './metrics.ts';

describe('adjustedRandIndex / normalizedMutualInfo', () => {
  it('is 1 for identical labelings (and for relabelled ones)', () => {
    const a = [0, 0, 1, 1, 2, 2, 2];
    expect(adjustedRandIndex(a, a)).toBe(1);
    expect(normalizedMutualInfo(a, a)).toBeCloseTo(1, 12);
    const relabelled = a.map((l) => [5, 3, 9][l]!);
    expect(adjustedRandIndex(a, relabelled)).toBe(1);
    expect(normalizedMutualInfo(a, relabelled)).toBeCloseTo(1, 12);
  });

  it('matches the sklearn documentation values', () => {
    // sklearn: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.57 (= 4 / 7); symmetric.
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.5714285714, 9);
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(0.5714285714, 9);
    // sklearn: adjusted_rand_score([0, 0, 1, 1], [0, 1, 0, 1]) = -0.5
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
    // NMI: MI = H(truth) = ln 2, H(pred) = 1.5 ln 2, arithmetic mean 1.25 ln 2 -> 0.8.
    expect(normalizedMutualInfo([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.8, 12);
    expect(normalizedMutualInfo([0, 0, 1, 1], [0, 1, 0, 1])).toBe(0);
    // Both single-cluster: sklearn returns 1 for both scores.
    expect(adjustedRandIndex([3, 3, 3], [1, 1, 1])).toBe(1);
    expect(normalizedMutualInfo([3, 3, 3], [1, 1, 1])).toBe(1);
  });

  it('is invariant to permuting the cells and symmetric in its arguments', () => {
    const rng = createRng(3);
    const truth = Array.from({ length: 300 }, () => rng.int(4));
    const pred = truth.map((t) => (rng.next() < 0.3 ? rng.int(5) : t));
    const ari = adjustedRandIndex(truth, pred);
    const nmi = normalizedMutualInfo(truth, pred);
    const perm = Array.from({ length: 300 }, (_, i) => i);
    for (let i = 299; i > 0; i--) {
      const j = rng.int(i + 1);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    expect(
      adjustedRandIndex(
        perm.map((i) => truth[i]!),
        perm.map((i) => pred[i]!),
      ),
    ).toBeCloseTo(ari, 12);
    expect(
      normalizedMutualInfo(
        perm.map((i) => truth[i]!),
        perm.map((i) => pred[i]!),
      ),
    ).toBeCloseTo(nmi, 12);
    expect(adjustedRandIndex(pred, truth)).toBeCloseTo(ari, 12);
    expect(normalizedMutualInfo(pred, truth)).toBeCloseTo(nmi, 12);
    expect(ari).toBeGreaterThan(0.3);
    expect(ari).toBeLessThan(0.9);
  });

  it('is near 0 for independent labelings', () => {
    const rng = createRng(8);
    const a = Int32Array.from({ length: 5000 }, () => rng.int(5));
    const b = Int32Array.from({ length: 5000 }, () => rng.int(5));
    expect(Math.abs(adjustedRandIndex(a, b))).toBeLessThan(0.01);
    expect(normalizedMutualInfo(a, b)).toBeLessThan(0.01);
  });

  it('ignores cells coded -1 in either labeling', () => {
    expect(adjustedRandIndex([0, 0, -1, 1, 1], [0, 0, 1, 1, 2])).toBeCloseTo(0.5714285714, 9);
    expect(normalizedMutualInfo([0, 0, 1, 1, 1], [0, 0, 1, 2, -1])).toBeCloseTo(0.8, 12);
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(RangeError);
  });
});

describe('silhouetteScore', () => {
  it('matches a hand computation on a 1-D toy', () => {
    // A = {0, 1}, B = {4, 5}; a = 1 for every point.
    // x=0: b = (4 + 5) / 2 = 4.5 -> 3.5 / 4.5; x=1: b = (3 + 4) / 2 = 3.5 -> 2.5 / 3.5; B mirrors A.
    // mean = (7/9 + 5/7) / 2 = 94 / 126 = 0.746031746...
    const m = denseMatrix(4, 1, Float32Array.of(0, 1, 4, 5));
    expect(silhouetteScore(m, [0, 0, 1, 1])).toBeCloseTo(94 / 126, 12);
    // A singleton cluster scores 0 (sklearn). With x=30 alone, the others' b is unchanged (30 is farther than the
    // other pair), so the mean is (4 x 94/126 + 0) / 5.
    const m5 = denseMatrix(5, 1, Float32Array.of(0, 1, 4, 5, 30));
    expect(silhouetteScore(m5, [0, 0, 1, 1, 2])).toBeCloseTo((4 * (94 / 126)) / 5, 12);
    // Unlabelled cells (-1) are left out.
    expect(silhouetteScore(m5, [0, 0, 1, 1, -1])).toBeCloseTo(94 / 126, 12);
    expect(() => silhouetteScore(m, [0, 0, 0, 0])).toThrow(RangeError);
  });

  it('samples deterministically above sampleSize and stays close to the full score', () => {
    const rng = createRng(5);
    const n = 1200;
    const labels = Int32Array.from({ length: n }, () => rng.int(3));
    const data = Float32Array.from({ length: n * 2 }, (_, e) => rng.normal() + 2 * labels[e >> 1]! * (e & 1));
    const m = denseMatrix(n, 2, data);
    const full = silhouetteScore(m, labels);
    const s1 = silhouetteScore(m, labels, { sampleSize: 400, rng: createRng(1) });
    const s2 = silhouetteScore(m, labels, { sampleSize: 400, rng: createRng(1) });
    expect(s1).toBe(s2);
    expect(Math.abs(s1 - full)).toBeLessThan(0.05);
    expect(full).toBeGreaterThan(0.1);
  });
});

describe('encodeLabels', () => {
  it('codes sorted classes and maps null to -1', () => {
    const { codes, classes } = encodeLabels(['b', 'a', null, 'b', 'c']);
    expect(classes).toEqual(['a', 'b', 'c']);
    expect(Array.from(codes)).toEqual([1, 0, -1, 1, 2]);
  });
});
