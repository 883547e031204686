import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import {
  NB_INVERSION_MAX_MEAN,
  dirichlet,
  gamma,
  negativeBinomial,
  nbZeroProbability,
  poisson,
} from './distributions.ts';

function moments(n: number, draw: () => number): { mean: number; variance: number; zeros: number } {
  let sum = 0;
  let sumSq = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSq += x * x;
    if (x === 0) zeros++;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean, zeros: zeros / n };
}

describe('synthetic distributions', () => {
  it('gamma has mean = variance = shape, below and above shape 1', () => {
    const rng = createRng(3);
    for (const shape of [0.3, 1, 2.5, 40]) {
      const m = moments(40000, () => gamma(shape, rng));
      expect(m.mean).toBeCloseTo(shape, shape < 1 ? 1 : 0);
      expect(Math.abs(m.variance / shape - 1)).toBeLessThan(0.08);
    }
  });

  it('poisson has mean = variance = lambda on both methods', () => {
    const rng = createRng(4);
    for (const lambda of [0.2, 3, 9.5, 25, 400]) {
      const m = moments(40000, () => poisson(lambda, rng));
      expect(Math.abs(m.mean / lambda - 1)).toBeLessThan(0.03);
      expect(Math.abs(m.variance / lambda - 1)).toBeLessThan(0.06);
    }
    expect(poisson(0, rng)).toBe(0);
  });

  it('negative binomial: mean mu, variance mu + phi mu^2, zeros as the NB says, by inversion and by mixture', () => {
    const rng = createRng(5);
    for (const [mu, phi] of [
      [0.05, 2],
      [0.8, 0.5],
      [5, 0.1],
      [NB_INVERSION_MAX_MEAN * 3, 0.3],
    ] as const) {
      const m = moments(60000, () => negativeBinomial(mu, phi, 1 / phi, rng));
      const variance = mu + phi * mu * mu;
      expect(Math.abs(m.mean / mu - 1)).toBeLessThan(0.05);
      expect(Math.abs(m.variance / variance - 1)).toBeLessThan(0.12);
      expect(Math.abs(m.zeros - nbZeroProbability(mu, phi, 1 / phi))).toBeLessThan(0.01);
    }
    expect(negativeBinomial(0, 1, 1, rng)).toBe(0);
  });

  it('dirichlet sums to one with positive parts', () => {
    const p = dirichlet(7, 1, createRng(6));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.min(...p)).toBeGreaterThan(0);
  });
});
