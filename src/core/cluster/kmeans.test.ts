import { describe, expect, it } from 'vitest';
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import { blobs } from './test-blobs.ts';
import { createRng } from '../rng.ts';
import { kmeans } from './kmeans.ts';
import { adjustedRandIndex } from './metrics.ts';

function inertiaOf(data: DenseMatrix, centres: Float32Array): number {
  const { rows: n, cols: d, data: x } = data;
  const k = centres.length / d;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += (x[i * d + f]! - centres[c * d + f]!) ** 2;
      best = Math.min(best, s);
    }
    total += best;
  }
  return total;
}

const three = [
  [0, 0],
  [10, 0],
  [0, 10],
];

describe('kmeans', () => {
  it('recovers 3 well-separated blobs exactly', () => {
    const { data, truth } = blobs(three, 30, 0.5, 1);
    const r = kmeans(data, 3, { rng: createRng(7) });
    expect(adjustedRandIndex(truth, r.labels)).toBe(1);
    expect(r.centroids.rows).toBe(3);
    // Each true centre has a fitted centroid within 0.3.
    for (const c of three) {
      const dists = [0, 1, 2].map((j) =>
        Math.hypot(r.centroids.data[j * 2]! - c[0]!, r.centroids.data[j * 2 + 1]! - c[1]!),
      );
      expect(Math.min(...dists)).toBeLessThan(0.3);
    }
    expect(r.inertia).toBeCloseTo(inertiaOf(data, r.centroids.data), 3);
  });

  it('is deterministic for a seed', () => {
    const rng = createRng(2);
    const data = denseMatrix(
      300,
      4,
      Float32Array.from({ length: 1200 }, () => rng.normal()),
    );
    const a = kmeans(data, 5, { rng: createRng(11) });
    const b = kmeans(data, 5, { rng: createRng(11) });
    expect(b.labels).toEqual(a.labels);
    expect(b.inertia).toBe(a.inertia);
    expect(b.centroids.data).toEqual(a.centroids.data);
  });

  it('lowers the inertia of a bad initialisation, and k-means++ does at least as well', () => {
    const { data } = blobs(three, 30, 0.5, 3);
    // All three initial centres inside the first blob.
    const bad = denseMatrix(3, 2, Float32Array.of(0, 0, 0.1, 0, 0, 0.1));
    const initial = inertiaOf(data, bad.data);
    const fromBad = kmeans(data, 3, { rng: createRng(1), initialCentroids: bad });
    expect(fromBad.inertia).toBeLessThan(initial);
    const pp = kmeans(data, 3, { rng: createRng(1) });
    expect(pp.inertia).toBeLessThanOrEqual(fromBad.inertia + 1e-6);
    // maxIterations 0: labels are the assignment to the initial centres.
    const none = kmeans(data, 3, { rng: createRng(1), initialCentroids: bad, maxIterations: 0 });
    expect(none.inertia).toBeCloseTo(initial, 3);
    expect(none.iterations).toBe(0);
  });

  it('re-seeds an empty cluster', () => {
    const { data } = blobs(three, 10, 0.5, 4);
    // The third centre is far from every point: its cluster starts empty.
    const init = denseMatrix(3, 2, Float32Array.of(0, 0, 10, 0, 1000, 1000));
    const r = kmeans(data, 3, { rng: createRng(1), initialCentroids: init });
    const sizes = [0, 0, 0];
    for (const l of r.labels) sizes[l]!++;
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(r.inertia).toBeLessThan(inertiaOf(data, init.data));
  });

  it('rejects k larger than the number of points and non-integer k', () => {
    const data = denseMatrix(2, 1, Float32Array.of(0, 1));
    expect(() => kmeans(data, 3, { rng: createRng(1) })).toThrow(RangeError);
    expect(() => kmeans(data, 0, { rng: createRng(1) })).toThrow(RangeError);
    expect(kmeans(data, 2, { rng: createRng(1) }).inertia).toBe(0);
  });
});
