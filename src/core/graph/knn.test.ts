import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { knn, type KnnResult } from './knn.ts';

const ctx = createContext(tf, createRng(1));

/** Plain JS brute-force kNN (float64, ties by lower index): the reference the blocked tf version must match. */
function bruteForce(m: DenseMatrix, k: number): KnnResult {
  const { rows: n, cols: d, data: x } = m;
  const neighbors = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const dist = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += (x[i * d + f]! - x[j * d + f]!) ** 2;
      dist[j] = s;
    }
    const ids = Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => dist[a]! - dist[b]! || a - b);
    for (let c = 0; c < k; c++) {
      neighbors[i * k + c] = ids[c]!;
      distances[i * k + c] = Math.sqrt(dist[ids[c]!]!);
    }
  }
  return { nNodes: n, k, neighbors, distances };
}

function randomMatrix(n: number, d: number, seed: number): DenseMatrix {
  const rng = createRng(seed);
  return denseMatrix(
    n,
    d,
    Float32Array.from({ length: n * d }, () => rng.normal()),
  );
}

describe('knn', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('finds the exact neighbours of points on a line, ties broken by the lower index', async () => {
    // x = 0, 1, 3, 6, 10. Cell 2 (x=3) is 2 from cell 1 and 3 from both cell 0 and cell 3: cell 0 wins the tie.
    const r = await knn(denseMatrix(5, 1, Float32Array.of(0, 1, 3, 6, 10)), 2, ctx);
    expect(r.k).toBe(2);
    expect(Array.from(r.neighbors)).toEqual([1, 2, 0, 2, 1, 0, 2, 4, 3, 2]);
    expect(Array.from(r.distances)).toEqual([1, 3, 1, 2, 2, 3, 3, 4, 4, 7]);
  });

  it('handles a unit square (ties and a diagonal of sqrt 2)', async () => {
    const r = await knn(denseMatrix(4, 2, Float32Array.of(0, 0, 1, 0, 0, 1, 1, 1)), 3, ctx);
    expect(Array.from(r.neighbors)).toEqual([1, 2, 3, 0, 3, 2, 0, 3, 1, 1, 2, 0]);
    for (let i = 0; i < 4; i++) {
      expect(r.distances[i * 3]).toBe(1);
      expect(r.distances[i * 3 + 1]).toBe(1);
      expect(r.distances[i * 3 + 2]).toBeCloseTo(Math.SQRT2, 6);
    }
  });

  it('excludes self by index even when a duplicate cell ties with it at distance 0', async () => {
    const r = await knn(denseMatrix(3, 2, Float32Array.of(1, 1, 1, 1, 4, 5)), 1, ctx);
    expect(Array.from(r.neighbors)).toEqual([1, 0, 0]);
    expect(Array.from(r.distances)).toEqual([0, 0, 5]);
  });

  it('equals brute force on random data for block sizes below, not dividing, and above N', async () => {
    const m = randomMatrix(157, 7, 11);
    const expected = bruteForce(m, 6);
    for (const blockSize of [1, 10, 64, 157, 1000]) {
      const r = await knn(m, 6, ctx, { blockSize });
      expect(Array.from(r.neighbors)).toEqual(Array.from(expected.neighbors));
      for (let e = 0; e < r.distances.length; e++)
        expect(r.distances[e]).toBeCloseTo(expected.distances[e]!, 5);
    }
  });

  it('leaves constant (dead) columns out and finds the same neighbours and distances', async () => {
    const base = randomMatrix(90, 5, 12);
    // Columns 0, 3 and 6 constant (two of them zero, as dead ReLU units), the rest the random data.
    const wide = denseMatrix(90, 8);
    for (let i = 0; i < 90; i++) {
      const row = [
        0,
        ...Array.from(base.data.subarray(i * 5, i * 5 + 2)),
        2.5,
        ...Array.from(base.data.subarray(i * 5 + 2, i * 5 + 5)),
        0,
      ];
      wide.data.set(row.slice(0, 8), i * 8);
    }
    const expected = bruteForce(base, 7);
    const r = await knn(wide, 7, ctx, { blockSize: 32 });
    expect(Array.from(r.neighbors)).toEqual(Array.from(expected.neighbors));
    r.distances.forEach((v, e) => expect(v).toBeCloseTo(expected.distances[e]!, 5));
    // Every column constant: all distances 0, neighbours by index.
    const flat = await knn(denseMatrix(4, 3, new Float32Array(12).fill(1)), 2, ctx);
    expect(Array.from(flat.neighbors)).toEqual([1, 2, 0, 2, 0, 1, 0, 1]);
    expect(Array.from(flat.distances)).toEqual(new Array(8).fill(0));
  });

  it('is exact on data far from the origin (no cancellation from the matMul form)', async () => {
    const base = randomMatrix(60, 5, 5);
    const shifted = denseMatrix(
      60,
      5,
      base.data.map((v) => v * 0.01 + 1000),
    );
    const expected = bruteForce(shifted, 4);
    const r = await knn(shifted, 4, ctx, { blockSize: 7 });
    expect(Array.from(r.neighbors)).toEqual(Array.from(expected.neighbors));
    for (let e = 0; e < r.distances.length; e++)
      expect(r.distances[e]).toBeCloseTo(expected.distances[e]!, 3);
  });

  it('returns ascending distances per row', async () => {
    const r = await knn(randomMatrix(80, 3, 2), 10, ctx, { blockSize: 9 });
    for (let i = 0; i < 80; i++)
      for (let c = 1; c < 10; c++)
        expect(r.distances[i * 10 + c]!).toBeGreaterThanOrEqual(r.distances[i * 10 + c - 1]!);
  });

  it('clamps k >= N to N - 1 (every other cell) and rejects k < 1 or fewer than 2 cells', async () => {
    const m = denseMatrix(3, 1, Float32Array.of(0, 2, 5));
    const r = await knn(m, 10, ctx);
    expect(r.k).toBe(2);
    expect(Array.from(r.neighbors)).toEqual([1, 2, 0, 2, 1, 0]);
    expect((await knn(m, 2, ctx)).k).toBe(2);
    await expect(knn(m, 0, ctx)).rejects.toThrow(RangeError);
    await expect(knn(m, 1.5, ctx)).rejects.toThrow(RangeError);
    await expect(knn(denseMatrix(1, 2, Float32Array.of(1, 2)), 1, ctx)).rejects.toThrow(RangeError);
  });

  it('leaks no tensors and never allocates N x N when blockSize < N', async () => {
    const n = 400;
    const m = randomMatrix(n, 8, 3);
    const before = tf.memory().numTensors;
    const info = await tf.profile(async () => {
      await knn(m, 10, ctx, { blockSize: 32 });
      return [];
    });
    expect(tf.memory().numTensors).toBe(before);
    // A block's intermediates (matMul, scale, shift: 3 x 32 x 400 floats, 51 kB each) plus the embedding and its
    // transpose; an N x N matrix alone would be 640 kB.
    expect(info.peakBytes).toBeLessThan(4 * 32 * n * 4 + 4 * m.data.byteLength);
    expect(info.peakBytes).toBeLessThan(n * n * 4 * 0.5);
  });
});
