/**
 * The thinning protocol (thinning.ts): the binomial sampler against the exact distribution, thinning a CSR
 * matrix, and the scores on a hand-checkable 4 x 3 matrix.
 *
 * The 4 x 3 case, P = 0.5. Full-depth counts (cells c0..c3 x genes g0..g2) chosen so that the truth
 * ln(1 + 0.5 c) is a multiple of L = ln 2 (c = 2, 6, 14 give L, 2L, 3L):
 *   counts        truth / L     imputed          labels
 *   c0: 2  0 0    1 0 0         1 1 0.5          A
 *   c1: 6  2 0    2 1 0         3 1 0            A
 *   c2: 0 14 0    0 3 0         0 1 1            B
 *   c3: 0  6 0    0 2 0         1 1 0.5          (unlabelled)
 * Pearson correlation ignores the scale L. Per gene (across cells):
 *   g0: x = (1, 3, 0, 1), y = (1, 2, 0, 0): deviations (-1/4, 7/4, -5/4, -1/4) and (1/4, 5/4, -3/4, -3/4);
 *       sxy = 3.25, sxx = 4.75, syy = 2.75, r = 3.25 / sqrt(4.75 x 2.75) ≈ 0.899229;
 *   g1: the prediction is constant (1) while the truth varies: 0;
 *   g2: the truth is constant (0 at full depth): skipped.
 *   geneCorr = (0.899229 + 0) / 2 ≈ 0.449614.
 * Per cell (across genes):
 *   c0: x = (1, 1, .5), y = (1, 0, 0): sxy = 1/6, sxx = 1/6, syy = 2/3, r = 0.5;
 *   c1: x = (3, 1, 0), y = (2, 1, 0): sxy = 3, sxx = 14/3, syy = 2, r = sqrt(27/28) ≈ 0.981981;
 *   c2: x = (0, 1, 1), y = (0, 3, 0): sxy = 1, sxx = 2/3, syy = 6, r = 0.5;
 *   c3: x = (1, 1, .5), y = (0, 2, 0): sxy = 1/3, sxx = 1/6, syy = 8/3, r = 0.5;
 *   cellCorr = (1.5 + 0.981981) / 4 ≈ 0.620495.
 * False signal: detection at full depth, type A (c0, c1): g0 2/2, g1 1/2, g2 0; type B (c2): g0 0, g1 1, g2 0.
 * Entries zero at full depth in a gene detected in < 2 % of the cell's type: c0 g2, c1 g2 (A), c2 g0, c2 g2 (B);
 * c0 g1 is zero but g1 is detected in half of A; c3 is unlabelled. Their imputed values 0.5, 0, 0, 1: mean
 * 1.5 / 4 = 0.375 over 4 entries.
 */
import { describe, expect, it } from 'vitest';
import { csrFromDense, csrToDense, nnz } from '../matrix/csr.ts';
import { denseMatrix } from '../matrix/dense.ts';
import { createRng } from '../rng.ts';
import {
  binomial,
  falseSignalMask,
  logFactorial,
  meanCorrelation,
  thinCounts,
  thinningScorer,
  thinningTruth,
} from './thinning.ts';

/** Exact Binomial(n, p) probability of k. */
function pmf(n: number, p: number, k: number): number {
  return Math.exp(
    logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p),
  );
}

/**
 * Pearson's chi-square statistic of `draws` against Binomial(n, p), on the values 0..n with tails merged
 * until every bin expects at least 5; returns the statistic and its degrees of freedom.
 */
function chiSquare(draws: number[], n: number, p: number): { stat: number; df: number } {
  const counts = new Array<number>(n + 1).fill(0);
  for (const k of draws) counts[k]!++;
  const bins: { observed: number; expected: number }[] = [];
  let cur = { observed: 0, expected: 0 };
  for (let k = 0; k <= n; k++) {
    cur.observed += counts[k]!;
    cur.expected += draws.length * pmf(n, p, k);
    if (cur.expected >= 5) {
      bins.push(cur);
      cur = { observed: 0, expected: 0 };
    }
  }
  bins[bins.length - 1]!.observed += cur.observed;
  bins[bins.length - 1]!.expected += cur.expected;
  const stat = bins.reduce((s, b) => s + (b.observed - b.expected) ** 2 / b.expected, 0);
  return { stat, df: bins.length - 1 };
}

describe('binomial draws (thinning.ts)', () => {
  it('logFactorial matches the sum of logarithms', () => {
    let exact = 0;
    for (let k = 0; k <= 300; k++) {
      if (k > 0) exact += Math.log(k);
      expect(Math.abs(logFactorial(k) - exact)).toBeLessThan(1e-13 * Math.max(1, exact));
    }
  });

  it('follows the exact distribution on each path (chi-square below the 0.1 % critical value)', () => {
    // Inversion (n p < 10), BTRS (n p >= 10), and p > 0.5 through n - Binomial(n, 1 - p) on both.
    // The 0.1 % critical value of chi-square by Wilson-Hilferty (z = 3.0902; df 10 gives 29.8, the table 29.59).
    const critical = (df: number): number => df * (1 - 2 / (9 * df) + 3.0902 * Math.sqrt(2 / (9 * df))) ** 3;
    for (const [n, p] of [
      [20, 0.2],
      [60, 0.3],
      [1000, 0.2],
      [40, 0.8],
      [100, 0.75],
    ] as const) {
      const rng = createRng(7);
      const draws = Array.from({ length: 20_000 }, () => binomial(n, p, rng));
      expect(draws.every((k) => Number.isInteger(k) && k >= 0 && k <= n)).toBe(true);
      const { stat, df } = chiSquare(draws, n, p);
      expect(df).toBeGreaterThanOrEqual(8);
      expect(stat, `n ${n}, p ${p}: chi-square ${stat.toFixed(1)} on ${df} df`).toBeLessThan(critical(df));
    }
  });

  it('gives 0 for n = 0 or p = 0 and n for p = 1', () => {
    const rng = createRng(1);
    expect(binomial(0, 0.3, rng)).toBe(0);
    expect(binomial(12, 0, rng)).toBe(0);
    expect(binomial(12, 1, rng)).toBe(12);
  });
});

describe('thinCounts (thinning.ts)', () => {
  // 3 x 4, with a stored zero at (1, 0).
  const m = {
    nRows: 3,
    nCols: 4,
    indptr: Uint32Array.of(0, 2, 4, 6),
    indices: Int32Array.of(0, 3, 0, 2, 1, 3),
    values: Float32Array.of(5, 40, 0, 1000, 3, 80),
  };

  it('refuses a probability outside (0, 1) and counts that are not integers', () => {
    for (const p of [0, 1, -0.1, 1.5, Number.NaN])
      expect(() => thinCounts(m, p, createRng(1))).toThrow(RangeError);
    const frac = csrFromDense([1.5, 2], 1, 2);
    expect(() => thinCounts(frac, 0.5, createRng(1))).toThrow(/integer counts/);
  });

  it('never raises a count, keeps zeros zero, drops entries that become 0, and is seeded', () => {
    const before = csrToDense(m);
    const a = thinCounts(m, 0.2, createRng(4));
    const after = csrToDense(a);
    after.forEach((v, i) => {
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(before[i]!);
    });
    expect([...a.values].every((v) => v > 0)).toBe(true); // no stored zeros
    expect(a.indptr[3]).toBe(nnz(a));
    expect([...csrToDense(thinCounts(m, 0.2, createRng(4)))]).toEqual([...after]);
    const others = new Set<string>();
    for (let seed = 5; seed < 10; seed++) others.add(csrToDense(thinCounts(m, 0.2, createRng(seed))).join());
    expect(others.size).toBeGreaterThan(1);
  });

  it('keeps p c on average: a count of 1000 thinned at 0.2, 4000 times', () => {
    // Binomial(1000, 0.2): mean 200, variance 160 (sd 12.65). The mean of 4000 draws has sd 0.2; the sample
    // variance has sd about 160 x sqrt(2 / 4000) = 3.6. No single draw is 8 sd (101) from 200.
    const one = csrFromDense([1000], 1, 1);
    const rng = createRng(11);
    const kept = Array.from({ length: 4000 }, () => thinCounts(one, 0.2, rng).values[0] ?? 0);
    const mean = kept.reduce((s, k) => s + k, 0) / kept.length;
    const variance = kept.reduce((s, k) => s + (k - mean) ** 2, 0) / (kept.length - 1);
    expect(Math.abs(mean - 200)).toBeLessThan(1);
    expect(Math.abs(variance - 160)).toBeLessThan(18);
    expect(Math.min(...kept)).toBeGreaterThan(99);
    expect(Math.max(...kept)).toBeLessThan(301);
  });
});

describe('thinning scores (thinning.ts), the 4 x 3 case of the header', () => {
  const L = Math.LN2;
  const full = csrFromDense([2, 0, 0, 6, 2, 0, 0, 14, 0, 0, 6, 0], 4, 3);
  const imputed = denseMatrix(4, 3, Float32Array.of(1, 1, 0.5, 3, 1, 0, 0, 1, 1, 1, 1, 0.5));
  const labels = Int32Array.of(0, 0, 1, -1);

  it('takes ln(1 + P c) of the full-depth counts as the truth', () => {
    const truth = thinningTruth(full, 0.5);
    const expected = [1, 0, 0, 2, 1, 0, 0, 3, 0, 0, 2, 0].map((u) => u * L);
    truth.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('scores per gene and per cell by hand, with the skip and zero rules', () => {
    const truth = thinningTruth(full, 0.5);
    expect(meanCorrelation(imputed, truth, 'genes')).toBeCloseTo(0.449614, 6);
    expect(meanCorrelation(imputed, truth, 'genes')).toBeCloseTo(3.25 / Math.sqrt(4.75 * 2.75) / 2, 6);
    expect(meanCorrelation(imputed, truth, 'cells')).toBeCloseTo(0.620495, 6);
    expect(meanCorrelation(imputed, truth, 'cells')).toBeCloseTo((1.5 + Math.sqrt(27 / 28)) / 4, 6);
    // Per cell too: a constant truth is skipped, a constant prediction scores 0.
    const y = denseMatrix(2, 3, Float32Array.of(2, 2, 2, 0, 1, 2));
    const x = denseMatrix(2, 3, Float32Array.of(0, 1, 2, 5, 5, 5));
    expect(meanCorrelation(x, y, 'cells')).toBe(0);
    expect(meanCorrelation(x, x, 'genes')).toBeCloseTo(1, 12); // every gene of x varies
    // Nothing varies: NaN.
    expect(meanCorrelation(y, denseMatrix(2, 3), 'genes')).toBeNaN();
  });

  it('finds the false-signal entries and their mean imputed level', () => {
    const mask = falseSignalMask(full, labels);
    expect([...mask]).toEqual([0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0]);
    const s = thinningScorer(full, 0.5, labels);
    expect(s.falseEntries).toBe(4);
    const r = s.score(imputed);
    expect(r.falseSignal).toBeCloseTo(0.375, 12);
    expect(r.geneCorr).toBeCloseTo(0.449614, 6);
    expect(r.cellCorr).toBeCloseTo(0.620495, 6);
    // Without labels: no false signal.
    const unlabelled = thinningScorer(full, 0.5, null);
    expect(unlabelled.falseEntries).toBeNull();
    expect(unlabelled.score(imputed).falseSignal).toBeNull();
  });

  it('uses "< 2 %" of the type: 1 detecting cell in 50 is 2 % (expressed), 1 in 51 is below', () => {
    for (const [nCells, expected] of [
      [50, 0],
      [51, 1],
    ] as const) {
      // Gene 0 detected in cell 0 only; gene 1 everywhere (so no cell is empty).
      const dense = Array.from({ length: nCells }, (_, i) => [i === 0 ? 3 : 0, 1]).flat();
      const mask = falseSignalMask(csrFromDense(dense, nCells, 2), new Int32Array(nCells));
      expect(mask[0]).toBe(0); // non-zero at full depth: never false signal
      expect(mask[2]).toBe(expected); // cell 1, gene 0
      expect(mask[3]).toBe(0);
    }
  });
});
