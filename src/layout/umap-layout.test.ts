/**
 * The UMAP layout run by the layout worker, in Node: helpers, determinism, cluster separation (computed and
 * precomputed kNN), warm starts that stay near the previous layout, progress reports, cancellation, tiny
 * inputs and request validation.
 */
import { describe, expect, it } from 'vitest';
import { unitRows } from '../core/matrix/dense.ts';
import { createRng } from '../core/rng.ts';
import type { UmapLayoutRequest, UmapProgress } from './contract.ts';
import {
  UMAP_BOX,
  flattenPositions,
  injectWarmStart,
  isLayoutCancelled,
  layoutResult,
  knnRows,
  rescaleToBox,
  runUmapLayout,
  seededRandom,
  tinyLayout,
  toRows,
  validateRequest,
} from './umap-layout.ts';

const DIMS = 8;

/** Two Gaussian blobs, unit variance, centres 12 apart along every axis; cells alternate between them. */
function twoBlobs(n: number, seed: number): { embedding: Float32Array; labels: Int32Array } {
  const rng = createRng(seed);
  const embedding = new Float32Array(n * DIMS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let d = 0; d < DIMS; d++) embedding[i * DIMS + d] = rng.normal() + (i % 2) * 12;
  }
  return { embedding, labels };
}

/** Exact kNN, self excluded, as the core's knn returns it. */
function bruteKnn(emb: Float32Array, n: number, k: number): { indices: Int32Array; distances: Float32Array } {
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const row: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let d = 0; d < DIMS; d++)
        s += ((emb[i * DIMS + d] as number) - (emb[j * DIMS + d] as number)) ** 2;
      row.push([Math.sqrt(s), j]);
    }
    row.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let t = 0; t < k; t++) {
      indices[i * k + t] = (row[t] as [number, number])[1];
      distances[i * k + t] = (row[t] as [number, number])[0];
    }
  }
  return { indices, distances };
}

/** Distance between clusters 0 and 1's 2-D centroids over the larger within-cluster RMS radius (-1: ignored). */
function separation(pos: Float32Array, labels: Int32Array): number {
  const n = labels.length;
  const cx = [0, 0];
  const cy = [0, 0];
  const cnt = [0, 0];
  for (let i = 0; i < n; i++) {
    const c = labels[i] as number;
    if (c < 0) continue;
    cx[c]! += pos[2 * i] as number;
    cy[c]! += pos[2 * i + 1] as number;
    cnt[c]!++;
  }
  for (const c of [0, 1]) {
    cx[c]! /= cnt[c]!;
    cy[c]! /= cnt[c]!;
  }
  const rms = [0, 0];
  for (let i = 0; i < n; i++) {
    const c = labels[i] as number;
    if (c < 0) continue;
    rms[c]! += ((pos[2 * i] as number) - cx[c]!) ** 2 + ((pos[2 * i + 1] as number) - cy[c]!) ** 2;
  }
  const spread = Math.max(Math.sqrt(rms[0]! / cnt[0]!), Math.sqrt(rms[1]! / cnt[1]!));
  return Math.hypot(cx[0]! - cx[1]!, cy[0]! - cy[1]!) / spread;
}

/** Mean displacement between two layouts, both rescaled to the [-10, 10] box. */
function meanShift(a: Float32Array, b: Float32Array): number {
  const ra = rescaleToBox(a) as Float32Array;
  const rb = rescaleToBox(b) as Float32Array;
  let s = 0;
  for (let i = 0; i < ra.length / 2; i++) {
    s += Math.hypot(
      (ra[2 * i] as number) - (rb[2 * i] as number),
      (ra[2 * i + 1] as number) - (rb[2 * i + 1] as number),
    );
  }
  return s / (ra.length / 2);
}

function request(n: number, seed: number, extra: Partial<UmapLayoutRequest> = {}): UmapLayoutRequest {
  return { nCells: n, dims: DIMS, embedding: twoBlobs(n, 1).embedding, seed, ...extra };
}

describe('umap-layout helpers', () => {
  it('seededRandom repeats per seed, differs across seeds and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('converts flat arrays to rows and positions back', () => {
    expect(toRows(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(
      Array.from(
        flattenPositions([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toEqual([1, 2, 3, 4]);
  });

  it('rescales to the [-10, 10] box, centred, aspect kept; nothing to rescale gives null', () => {
    const r = rescaleToBox(Float32Array.of(0, 0, 4, 1, 2, 2)) as Float32Array;
    expect(Array.from(r)).toEqual([-UMAP_BOX, -5, UMAP_BOX, 0, 0, 5]);
    expect(rescaleToBox(Float32Array.of(3, 3, 3, 3))).toBeNull();
    expect(rescaleToBox(Float32Array.of(0, 0, NaN, 1))).toBeNull();
    expect(rescaleToBox(new Float32Array(0))).toBeNull();
  });

  it('injects a warm start into the live embedding rows in place', () => {
    const rows = [
      [0, 0],
      [0, 0],
    ];
    const first = rows[0];
    injectWarmStart(rows, Float32Array.of(1, 2, 3, 4));
    expect(rows).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(rows[0]).toBe(first);
    expect(() => injectWarmStart(rows, Float32Array.of(1, 2))).toThrow(RangeError);
  });

  it('prepends self to a kNN without it, and leaves one with it alone', () => {
    const noSelf = knnRows(Int32Array.of(1, 0), Float32Array.of(0.5, 0.5), 2, 1);
    expect(noSelf.indices).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(noSelf.distances).toEqual([
      [0, 0.5],
      [0, 0.5],
    ]);
    const withSelf = knnRows(Int32Array.of(0, 1, 1, 0), Float32Array.of(0, 0.5, 0, 0.5), 2, 2);
    expect(withSelf.indices).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('lays out fewer than 4 cells without umap, deterministically, keeping a warm start', () => {
    expect(tinyLayout(0).length).toBe(0);
    expect(Array.from(tinyLayout(1))).toEqual([0, 0]);
    const three = tinyLayout(3);
    expect(three.length).toBe(6);
    expect(Array.from(tinyLayout(3))).toEqual(Array.from(three));
    expect(Array.from(tinyLayout(2, Float32Array.of(5, 6, 7, 8)))).toEqual([5, 6, 7, 8]);
  });

  it('rejects malformed requests with a RangeError naming the problem', () => {
    const ok = request(10, 1);
    expect(() => validateRequest({ ...ok, embedding: new Float32Array(3) })).toThrow(
      /embedding has 3 values/,
    );
    expect(() => validateRequest({ ...ok, init: new Float32Array(3) })).toThrow(/init has 3 values/);
    expect(() => validateRequest({ ...ok, knnIndices: new Int32Array(10) })).toThrow(/given together/);
    expect(() =>
      validateRequest({
        ...ok,
        knnIndices: new Int32Array(10).fill(10),
        knnDistances: new Float32Array(10),
        k: 1,
      }),
    ).toThrow(/out of range/);
    const bad = Float32Array.from(ok.embedding);
    bad[5] = NaN;
    expect(() => validateRequest({ ...ok, embedding: bad })).toThrow(/not finite/);
    expect(() => validateRequest({ ...ok, epochs: 0 })).toThrow(/epochs/);
  });
});

describe('runUmapLayout', () => {
  const N = 160;
  const { labels } = twoBlobs(N, 1);

  it('is deterministic for a seed and differs across seeds', async () => {
    const a = await runUmapLayout(request(N, 7, { epochs: 150 }));
    const b = await runUmapLayout(request(N, 7, { epochs: 150 }));
    const c = await runUmapLayout(request(N, 8, { epochs: 150 }));
    expect(a.length).toBe(N * 2);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('unitRows lays out the rows scaled to unit length: direction, not length, places a cell', async () => {
    // Two directions, each cell at a random length in [1, 20]: apart only once scaled to unit length.
    const rng = createRng(5);
    const embedding = new Float32Array(N * DIMS);
    for (let i = 0; i < N; i++) {
      const length = 1 + 19 * rng.next();
      for (let d = 0; d < DIMS; d++)
        embedding[i * DIMS + d] = length * ((d % 2 === i % 2 ? 1 : 0) + 0.05 * rng.normal());
    }
    const req = { nCells: N, dims: DIMS, embedding, seed: 3, epochs: 150 };
    const unit = await runUmapLayout({ ...req, unitRows: true });
    const scaled = await runUmapLayout({
      ...req,
      embedding: unitRows({ rows: N, cols: DIMS, data: embedding }).data,
    });
    expect(Array.from(unit)).toEqual(Array.from(scaled));
    expect(separation(unit, labels)).toBeGreaterThan(4);
    // By raw Euclidean distance long cells of both directions sit nearer each other than short ones.
    expect(separation(await runUmapLayout(req), labels)).toBeLessThan(separation(unit, labels));
  });

  it('keeps two well-separated Gaussian blobs apart in 2-D', async () => {
    const pos = await runUmapLayout(request(N, 3));
    expect(separation(pos, labels)).toBeGreaterThan(4);
  });

  it('uses a precomputed kNN (self excluded) and still separates the blobs', async () => {
    const { embedding } = twoBlobs(N, 1);
    const k = 10;
    const knn = bruteKnn(embedding, N, k);
    const pos = await runUmapLayout(
      request(N, 3, { knnIndices: knn.indices, knnDistances: knn.distances, k }),
    );
    expect(separation(pos, labels)).toBeGreaterThan(4);
  });

  it('a warm start stays close to the given positions, much closer than a cold start', async () => {
    const first = await runUmapLayout(request(N, 11));
    const warm = await runUmapLayout(request(N, 12, { init: first }));
    const cold = await runUmapLayout(request(N, 12));
    const warmShift = meanShift(first, warm);
    const coldShift = meanShift(first, cold);
    expect(warmShift).toBeLessThan(0.25 * coldShift);
    expect(warmShift).toBeLessThan(0.15 * 2 * UMAP_BOX);
    expect(separation(warm, labels)).toBeGreaterThan(4);
  });

  it('a warm start still follows a changed embedding: a cluster that splits separates', async () => {
    const { embedding } = twoBlobs(N, 1);
    const split = Float32Array.from(embedding);
    // Cells of blob 0 with i % 4 === 0 move 12 away along the last axis: a new cluster.
    const moved = (i: number): boolean => i % 4 === 0;
    for (let i = 0; i < N; i++) if (moved(i)) split[i * DIMS + DIMS - 1]! += 12;
    const before = await runUmapLayout(request(N, 21));
    const after = await runUmapLayout({ ...request(N, 22, { init: before }), embedding: split });
    const blob0 = Int32Array.from({ length: N }, (_, i) => (i % 2 === 0 ? (moved(i) ? 1 : 0) : -1));
    expect(separation(before, blob0)).toBeLessThan(1);
    expect(separation(after, blob0)).toBeGreaterThan(3);
  });

  it('reports progress with increasing epochs and fresh position arrays', async () => {
    const reports: UmapProgress[] = [];
    let t = 0;
    const result = await runUmapLayout(request(N, 5, { epochs: 60 }), {
      onProgress: (p) => reports.push(p),
      now: () => (t += 10),
    });
    expect(reports.length).toBeGreaterThan(2);
    expect(reports.every((p) => p.nEpochs === 60 && p.positions.length === N * 2)).toBe(true);
    const epochs = reports.map((p) => p.epoch);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    expect(new Set(epochs).size).toBe(epochs.length);
    expect(epochs[0]).toBeGreaterThanOrEqual(10);
    expect(reports[0]?.positions).not.toBe(reports[1]?.positions);
    expect(Array.from(reports.at(-1)?.positions ?? [])).not.toEqual(Array.from(result));
  });

  it('stops when aborted, rejecting with an AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runUmapLayout(request(N, 5), { signal: controller.signal })).rejects.toSatisfy(
      isLayoutCancelled,
    );

    const midway = new AbortController();
    let t = 0;
    const run = runUmapLayout(request(N, 5, { epochs: 200 }), {
      signal: midway.signal,
      now: () => (t += 20),
      sliceMs: 10,
      onProgress: () => midway.abort(),
    });
    await expect(run).rejects.toSatisfy(isLayoutCancelled);
  });

  it('answers as the worker API does: a Result with cancelled, bad-request or the positions', async () => {
    const controller = new AbortController();
    controller.abort();
    const cancelled = await layoutResult(request(N, 5), { signal: controller.signal });
    expect(cancelled.ok ? null : cancelled.error.code).toBe('cancelled');
    const bad = await layoutResult({ ...request(N, 5), embedding: new Float32Array(3) });
    expect(bad.ok ? null : bad.error.code).toBe('bad-request');
    expect(bad.ok ? '' : bad.error.message).toMatch(/embedding has 3 values/);
    const good = await layoutResult(request(8, 5, { epochs: 5 }));
    expect(good.ok && good.value.length).toBe(16);
  });

  it('handles tiny inputs: 0-3 cells without umap, 4-6 cells with nNeighbors clamped', async () => {
    expect(
      (await runUmapLayout({ nCells: 0, dims: 2, embedding: new Float32Array(0), seed: 1 })).length,
    ).toBe(0);
    const three = await runUmapLayout({
      nCells: 3,
      dims: 2,
      embedding: Float32Array.of(0, 0, 1, 1, 2, 2),
      seed: 1,
    });
    expect(Array.from(three)).toEqual(Array.from(tinyLayout(3)));
    for (const n of [4, 5, 6]) {
      const pos = await runUmapLayout(request(n, 2));
      expect(pos.length).toBe(n * 2);
      expect(pos.every(Number.isFinite)).toBe(true);
    }
    const k = 3;
    const { embedding } = twoBlobs(4, 1);
    const knn = bruteKnn(embedding, 4, k);
    const pos = await runUmapLayout({
      nCells: 4,
      dims: DIMS,
      embedding,
      seed: 1,
      knnIndices: knn.indices,
      knnDistances: knn.distances,
      k,
    });
    expect(pos.every(Number.isFinite)).toBe(true);
  });
});
