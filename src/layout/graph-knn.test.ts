/**
 * The layout's kNN taken from the run's cell graph (graph-knn.ts), the epoch rule and the typed-array UMAP used
 * at large N (typed-umap.ts), in Node.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import type { EdgeList } from '../contract/common.ts';
import { adjacency, graphKnn } from './graph-knn.ts';
import { TYPED_UMAP_CELLS, fitAB, fuzzyGraph, typedUmap } from './typed-umap.ts';
import {
  LARGE_COLD_EPOCHS,
  LARGE_LAYOUT_CELLS,
  LARGE_WARM_EPOCHS,
  WARM_EPOCHS,
  defaultEpochs,
  precomputedKnn,
  runUmapLayout,
  seededRandom,
} from './umap-layout.ts';

const edges = (pairs: [number, number][]): EdgeList => ({
  from: Int32Array.from(pairs.map((p) => p[0])),
  to: Int32Array.from(pairs.map((p) => p[1])),
  weight: new Float32Array(pairs.length).fill(1),
});

describe('graphKnn', () => {
  // Cells on a line at x = 0, 1, 3, 6, 10 (1-D embedding); a path graph 0-1-2-3-4.
  const emb = Float32Array.from([0, 1, 3, 6, 10]);
  const path = edges([
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 4],
  ]);

  it('builds both directions of each valid edge, dropping self-loops and out-of-range ends', () => {
    const a = adjacency(
      3,
      edges([
        [0, 1],
        [1, 1],
        [2, 5],
        [1, 2],
      ]),
    );
    expect(Array.from(a.indptr)).toEqual([0, 1, 3, 4]);
    expect(Array.from(a.indices)).toEqual([1, 0, 2, 1]);
  });

  it('keeps the nearest graph neighbours, nearest first, with embedding distances', () => {
    const g = graphKnn(5, path, emb, 1, 2);
    expect(g.k).toBe(2);
    // cell 2 (x = 3): neighbours 1 (d 2) and 3 (d 3)
    expect(Array.from(g.indices.subarray(4, 6))).toEqual([1, 3]);
    expect(Array.from(g.distances.subarray(4, 6))).toEqual([2, 3]);
  });

  it('fills a cell with fewer than k graph neighbours from its 2-hop neighbours', () => {
    const g = graphKnn(5, path, emb, 1, 2);
    // cell 0 has one neighbour (1, d 1); its 2-hop neighbour 2 (d 3) fills the second slot
    expect(Array.from(g.indices.subarray(0, 2))).toEqual([1, 2]);
    expect(Array.from(g.distances.subarray(0, 2))).toEqual([1, 3]);
    // never a cell that is not within two hops (3 and 4 from 0)
    const g3 = graphKnn(5, path, emb, 1, 3);
    expect(Array.from(g3.indices.subarray(0, 3))).toEqual([1, 2, -1]);
  });

  it('pads an isolated cell with -1 and finite distances, and clamps k to nCells - 1', () => {
    const g = graphKnn(3, edges([[0, 1]]), Float32Array.from([0, 2, 5]), 1, 10);
    expect(g.k).toBe(2);
    expect(Array.from(g.indices.subarray(4, 6))).toEqual([-1, -1]);
    expect(Array.from(g.distances.subarray(4, 6))).toEqual([0, 0]);
    // cell 0: neighbour 1 then padding repeating its distance
    expect(Array.from(g.indices.subarray(0, 2))).toEqual([1, -1]);
    expect(Array.from(g.distances.subarray(0, 2))).toEqual([2, 2]);
  });

  it('a request with a graph gets its kNN from the graph; an explicit kNN wins', () => {
    const req = { nCells: 5, dims: 1, embedding: emb, seed: 1, graph: path, graphNeighbors: 2 };
    expect(Array.from(precomputedKnn(req, emb)!.indices.subarray(0, 2))).toEqual([1, 2]);
    const own = { indices: Int32Array.from([1, 2, 3, 4, 0]), distances: new Float32Array(5).fill(1), k: 1 };
    const knn = precomputedKnn({ ...req, knnIndices: own.indices, knnDistances: own.distances, k: 1 }, emb)!;
    expect(knn.indices).toBe(own.indices);
    expect(precomputedKnn({ nCells: 5, dims: 1, embedding: emb, seed: 1 }, emb)).toBeNull();
  });
});

describe('defaultEpochs', () => {
  it("follows umap-js' rule up to 50,000 cells and bounds the epochs above", () => {
    expect(defaultEpochs(1000, false)).toBe(500);
    expect(defaultEpochs(4000, false)).toBe(400);
    expect(defaultEpochs(7000, false)).toBe(300);
    expect(defaultEpochs(20_000, false)).toBe(200);
    expect(defaultEpochs(LARGE_LAYOUT_CELLS, false)).toBe(200);
    expect(defaultEpochs(LARGE_LAYOUT_CELLS + 1, false)).toBe(LARGE_COLD_EPOCHS);
    expect(defaultEpochs(100_000, true)).toBe(LARGE_WARM_EPOCHS);
    expect(defaultEpochs(5000, true)).toBe(WARM_EPOCHS);
    expect(LARGE_COLD_EPOCHS).toBeLessThanOrEqual(200);
  });
});

/** Two well-separated blobs in 4-D, cells alternating; a random k-regular-ish graph within each blob. */
function blobGraph(n: number, k: number): { emb: Float32Array; graph: EdgeList } {
  const rng = createRng(3);
  const emb = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) for (let d = 0; d < 4; d++) emb[i * 4 + d] = rng.normal() + (i % 2) * 20;
  const pairs: [number, number][] = [];
  const half = n >> 1;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) pairs.push([i, (2 * Math.floor(rng.next() * half) + (i % 2)) % n]);
  return { emb, graph: edges(pairs) };
}

describe('typed UMAP (large N)', () => {
  it("fits umap's a, b for min_dist 0.5 and 0.1 (umap-learn: 0.583/1.334, 1.577/0.895)", () => {
    const ab = fitAB(0.5);
    expect(ab.a).toBeCloseTo(0.583, 1);
    expect(ab.b).toBeCloseTo(1.334, 1);
    const ab1 = fitAB(0.1);
    expect(ab1.a).toBeCloseTo(1.577, 1);
    expect(ab1.b).toBeCloseTo(0.895, 1);
  });

  it('the fuzzy graph is symmetric, each direction once, weights in (0, 1]', () => {
    const knn = graphKnn(
      6,
      edges([
        [0, 1],
        [1, 2],
        [2, 0],
        [3, 4],
        [4, 5],
        [5, 3],
      ]),
      new Float32Array(6).map((_, i) => i),
      1,
      2,
    );
    const g = fuzzyGraph(6, knn.k, knn.indices, knn.distances);
    const seen = new Set<string>();
    for (let e = 0; e < g.head.length; e++) {
      expect(g.weight[e]).toBeGreaterThan(0);
      expect(g.weight[e]).toBeLessThanOrEqual(1);
      seen.add(`${g.head[e]}-${g.tail[e]}`);
    }
    expect(seen.size).toBe(g.head.length);
    for (const key of seen) expect(seen.has(key.split('-').reverse().join('-'))).toBe(true);
    expect(g.head.length).toBe(12); // two triangles, both directions
  });

  it('separates two blobs and repeats for a seed', () => {
    const n = 400;
    const { emb, graph } = blobGraph(n, 8);
    const knn = graphKnn(n, graph, emb, 4, 8);
    const run = (seed: number): Float32Array => {
      const t = typedUmap(n, fuzzyGraph(n, knn.k, knn.indices, knn.distances), {
        nEpochs: 150,
        minDist: 0.5,
        learningRate: 1,
        random: seededRandom(seed),
      });
      while (t.step() < t.nEpochs);
      return t.positions;
    };
    const p = run(7);
    expect(Array.from(run(7))).toEqual(Array.from(p));
    // Each cell's nearest cell in 2-D is in its own blob.
    let pure = 0;
    for (let i = 0; i < n; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const d = Math.hypot(p[2 * i]! - p[2 * j]!, p[2 * i + 1]! - p[2 * j + 1]!);
        if (d < bestD) [best, bestD] = [j, d];
      }
      if (best % 2 === i % 2) pure++;
    }
    expect(pure / n).toBeGreaterThan(0.99);
  });

  it('runUmapLayout takes the typed path above TYPED_UMAP_CELLS with a graph, reporting progress', async () => {
    const n = TYPED_UMAP_CELLS + 500;
    const { emb, graph } = blobGraph(n, 5);
    const epochs: number[] = [];
    const pos = await runUmapLayout(
      { nCells: n, dims: 4, embedding: emb, graph, graphNeighbors: 5, seed: 1, epochs: 12 },
      { onProgress: (p) => epochs.push(p.epoch), progressEveryEpochs: 1, minProgressIntervalMs: 0 },
    );
    expect(pos.length).toBe(2 * n);
    expect(pos.every(Number.isFinite)).toBe(true);
    expect(epochs.length).toBeGreaterThan(5);
    expect(epochs.every((e, i) => i === 0 || e > epochs[i - 1]!)).toBe(true);
  });
});
