import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  inverseMills,
  logNormalCdf,
  logNormalCdfScalar,
  truncatedMoments,
  truncatedMomentsScalar,
} from './truncated-normal.ts';

/** Simpson integration of f over [a, b]. */
function simpson(f: (x: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += f(a + i * h) * (i % 2 ? 4 : 2);
  return (s * h) / 3;
}

const pdf = (x: number, mu: number, sd: number): number =>
  Math.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));

describe('truncated-normal helpers', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('log Φ matches integration, also deep in the lower tail where 1 + erf underflows in float32', () => {
    for (const z of [-30, -12, -5, -1.3, 0, 0.7, 3, 8]) {
      const exact = z < -8 ? null : Math.log(simpson((x) => pdf(x, 0, 1), -40, z));
      const scalar = logNormalCdfScalar(z);
      if (exact !== null) expect(scalar).toBeCloseTo(exact, 5);
      const t = tf.tidy(() => logNormalCdf(tf, tf.scalar(z)));
      expect(t.dataSync()[0]!).toBeCloseTo(scalar, z < -8 ? 1 : 4);
      t.dispose();
    }
    // Asymptotics: log Φ(z) ≈ log φ(z) − log(−z) for z → −∞.
    expect(logNormalCdfScalar(-30)).toBeCloseTo(-0.5 * 900 - 0.5 * Math.log(2 * Math.PI) - Math.log(30), 2);
    const im = tf.tidy(() => inverseMills(tf, tf.tensor1d([-20, 0, 5])));
    const v = im.dataSync();
    expect(v[0]!).toBeCloseTo(20.05, 1); // ≈ −z − 1/z
    expect(v[1]!).toBeCloseTo(Math.sqrt(2 / Math.PI), 5);
    expect(v[2]!).toBeLessThan(2e-6);
    im.dispose();
  });

  it('truncated moments (X < q) equal numeric integration, scalar and tensor', () => {
    const cases = [
      [2, 1.5, 1],
      [0, 1, 0],
      [5, 0.7, 3.2],
      [-1, 2, 4],
    ] as const;
    const before = tf.memory().numTensors;
    for (const [mu, sd, q] of cases) {
      const mass = simpson((x) => pdf(x, mu, sd), mu - 15 * sd, q);
      const mean = simpson((x) => x * pdf(x, mu, sd), mu - 15 * sd, q) / mass;
      const second = simpson((x) => (x - mu) ** 2 * pdf(x, mu, sd), mu - 15 * sd, q) / mass;
      const s = truncatedMomentsScalar(mu, sd, q);
      expect(s.mean).toBeCloseTo(mean, 5);
      expect(s.second).toBeCloseTo(second, 5);
      const t = tf.tidy(() => truncatedMoments(tf, tf.scalar(mu), tf.scalar(sd), tf.scalar(q)));
      expect(t.mean.dataSync()[0]!).toBeCloseTo(mean, 4);
      expect(t.second.dataSync()[0]!).toBeCloseTo(second, 3);
      tf.dispose([t.mean, t.second]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
