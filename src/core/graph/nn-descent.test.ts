import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { denseMatrix } from '../matrix/dense.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { knn } from './knn.ts';
import { nnDescent } from './nn-descent.ts';

/** n points around `clusters` centres in d dimensions (a low-dimensional structure, like an embedding). */
function blobs(n: number, d: number, clusters: number, seed: number): Float32Array<ArrayBuffer> {
  const rng = createRng(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: d }, () => 4 * rng.normal()));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++)
    for (let f = 0; f < d; f++) x[i * d + f] = centres[i % clusters]![f]! + rng.normal();
  return x;
}

/** Brute-force k nearest (float64, ties by lower index), self excluded. */
function exact(x: Float32Array, n: number, d: number, k: number): Int32Array {
  const out = new Int32Array(n * k);
  const dist = new Float64Array(n);
  const ids = Array.from({ length: n }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += (x[i * d + f]! - x[j * d + f]!) ** 2;
      dist[j] = j === i ? Infinity : s;
    }
    const sorted = ids.slice().sort((a, b) => dist[a]! - dist[b]! || a - b);
    for (let c = 0; c < k; c++) out[i * k + c] = sorted[c]!;
  }
  return out;
}

function recall(found: Int32Array, truth: Int32Array, n: number, k: number): number {
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const t = new Set(truth.subarray(i * k, i * k + k));
    for (let c = 0; c < k; c++) if (t.has(found[i * k + c]!)) hit++;
  }
  return hit / (n * k);
}

describe('nnDescent', () => {
  const n = 1500;
  const d = 8;
  const k = 10;
  const x = blobs(n, d, 6, 3);

  it('finds nearly all of the exact neighbours, with exact distances in ascending order, no self or repeat', async () => {
    const r = await nnDescent(x, n, d, k);
    expect(r.neighbors).toHaveLength(n * k);
    expect(recall(r.neighbors, exact(x, n, d, k), n, k)).toBeGreaterThan(0.97);
    for (let i = 0; i < n; i++) {
      const row = Array.from(r.neighbors.subarray(i * k, i * k + k));
      expect(row).not.toContain(i);
      expect(new Set(row).size).toBe(k);
      for (let c = 0; c < k; c++) {
        const j = row[c]!;
        let s = 0;
        for (let f = 0; f < d; f++) s += (x[i * d + f]! - x[j * d + f]!) ** 2;
        expect(r.distances[i * k + c]).toBeCloseTo(Math.sqrt(s), 4);
        if (c > 0) expect(r.distances[i * k + c]).toBeGreaterThanOrEqual(r.distances[i * k + c - 1]!);
      }
    }
    expect(r.rounds).toBeGreaterThanOrEqual(1);
  });

  it('is deterministic: the same rows give the same graph', async () => {
    const a = await nnDescent(x, n, d, k);
    const b = await nnDescent(x, n, d, k);
    expect(Array.from(b.neighbors)).toEqual(Array.from(a.neighbors));
    const c = await nnDescent(x, n, d, k, { seed: 99 });
    expect(recall(c.neighbors, a.neighbors, n, k)).toBeGreaterThan(0.95);
  });

  it('fills k distinct neighbours when all points coincide, and when the trees leave tiny leaves', async () => {
    const same = new Float32Array(50 * 3).fill(1);
    const r = await nnDescent(same, 50, 3, 7, { leafSize: 2, trees: 1 });
    for (let i = 0; i < 50; i++) {
      const row = Array.from(r.neighbors.subarray(i * 7, i * 7 + 7));
      expect(new Set(row).size).toBe(7);
      expect(row).not.toContain(i);
      expect(Array.from(r.distances.subarray(i * 7, i * 7 + 7))).toEqual(new Array(7).fill(0));
    }
  });

  it('k = n - 1 gives every other point', async () => {
    const small = blobs(12, 2, 2, 1);
    const r = await nnDescent(small, 12, 2, 11);
    for (let i = 0; i < 12; i++)
      expect(Array.from(r.neighbors.subarray(i * 11, i * 11 + 11)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 12 }, (_, j) => j).filter((j) => j !== i),
      );
  });

  it('rejects k outside [1, n)', async () => {
    await expect(nnDescent(x, n, d, 0)).rejects.toThrow(RangeError);
    await expect(nnDescent(x.subarray(0, 5 * d), 5, d, 5)).rejects.toThrow(RangeError);
  });
});

describe('knn method', () => {
  const ctx = createContext(tf, createRng(1));
  const n = 800;
  const d = 6;
  const x = blobs(n, d, 4, 5);
  const m = denseMatrix(n, d, x);

  it("'auto' is exact below the threshold; 'approximate' is NN-descent with the same shape and near-equal rows", async () => {
    const auto = await knn(m, 10, ctx);
    const ex = await knn(m, 10, ctx, { method: 'exact' });
    expect(Array.from(auto.neighbors)).toEqual(Array.from(ex.neighbors));
    expect(Array.from(ex.neighbors)).toEqual(Array.from(exact(x, n, d, 10)));
    const ap = await knn(m, 10, ctx, { method: 'approximate' });
    expect(ap.k).toBe(10);
    expect(ap.neighbors).toHaveLength(n * 10);
    expect(recall(ap.neighbors, ex.neighbors, n, 10)).toBeGreaterThan(0.97);
  });

  it("'approximate' clamps k to N - 1 and leaves constant columns out like the exact search", async () => {
    const withConst = denseMatrix(5, 3, Float32Array.from([0, 7, 0, 1, 7, 0, 3, 7, 1, 6, 7, 1, 10, 7, 2]));
    const ap = await knn(withConst, 10, ctx, { method: 'approximate' });
    const ex = await knn(withConst, 10, ctx, { method: 'exact' });
    expect(ap.k).toBe(4);
    expect(Array.from(ap.neighbors)).toEqual(Array.from(ex.neighbors));
    expect(Array.from(ap.distances)).toEqual(Array.from(ex.distances));
  });
});
