import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { symmetricGraph } from '../graph/cell-graph.ts';
import { knn } from '../graph/knn.ts';
import { denseMatrix } from '../matrix/dense.ts';
import { buildCellGraph, pruneMeanStd } from '../graph/prune.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import {
  clusterCells,
  clusterDefaults,
  clusteringEmbedding,
  countCommunities,
  effectiveResolution,
  louvainKCount,
  mergeSmallClusters,
} from './cluster.ts';
import { adjustedRandIndex } from './metrics.ts';
import { blobs } from './test-blobs.ts';

// 6 well-separated blobs of 40 cells in 8-D.
const centres = Array.from({ length: 6 }, (_, b) => Array.from({ length: 8 }, (_, f) => (f === b ? 20 : 0)));

async function blobGraph(perBlob = 40) {
  const { data, truth } = blobs(centres, perBlob, 1, 2);
  const ctx = createContext(tf, createRng(1));
  const graph = buildCellGraph(pruneMeanStd(await knn(data, 10, ctx)));
  return { data, truth, graph, ctx };
}

describe('clusterCells', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('louvainKCount follows the reference rule', () => {
    expect(louvainKCount(6, 240, 'auto')).toBe(4); // int(6 x 0.8)
    expect(louvainKCount(6, 3000, 'auto')).toBe(3); // int(6 x 0.5)
    expect(louvainKCount(3, 240, 'auto')).toBe(2); // int(2.4) = 2 < 3 -> 2
    expect(louvainKCount(5, 3000, 'auto')).toBe(2); // int(2.5) = 2 -> 2
    expect(louvainKCount(7, 100, 1)).toBe(7);
  });

  it('LouvainK: Louvain finds the 6 blobs, KMeans gets int(6 x res) clusters', async () => {
    const { data, truth, graph, ctx } = await blobGraph();
    // The reference's LouvainK: one Louvain run at modularity resolution 1 on the given graph, k = int(c x 0.8).
    const reference = {
      ...clusterDefaults,
      resolution: 'auto',
      louvainResolution: 1,
      louvainGraph: 'cell-graph',
      louvainRuns: 1,
    } as const;
    const auto = await clusterCells(data, graph, reference, ctx);
    expect(auto.louvainCommunities).toBe(6);
    expect(auto.nClusters).toBe(4); // N = 240 < 2000: res 0.8
    expect(auto.sizes.reduce((a, b) => a + b, 0)).toBe(240);
    expect(Math.max(...auto.labels)).toBe(3);
    for (let c = 1; c < auto.sizes.length; c++)
      expect(auto.sizes[c]!).toBeLessThanOrEqual(auto.sizes[c - 1]!);
    const exact = await clusterCells(data, graph, { ...reference, resolution: 1 }, ctx);
    expect(exact.nClusters).toBe(6);
    expect(adjustedRandIndex(truth, exact.labels)).toBe(1);
    // Deterministic for the context's seed.
    const again = await clusterCells(
      data,
      graph,
      { ...reference, resolution: 1 },
      createContext(tf, createRng(1)),
    );
    expect(again.labels).toEqual(exact.labels);
  });

  it('louvain alone and kmeans with a given k', async () => {
    const { data, truth, graph, ctx } = await blobGraph();
    const lv = await clusterCells(data, graph, { ...clusterDefaults, method: 'louvain' }, ctx);
    expect(lv.nClusters).toBe(6);
    expect(adjustedRandIndex(truth, lv.labels)).toBe(1);
    const km = await clusterCells(data, graph, { ...clusterDefaults, method: 'kmeans', k: 6 }, ctx);
    expect(km.louvainCommunities).toBe(0);
    expect(adjustedRandIndex(truth, km.labels)).toBe(1);
    await expect(clusterCells(data, graph, { ...clusterDefaults, method: 'kmeans' }, ctx)).rejects.toThrow(
      RangeError,
    );
  });

  it('caps the count at maxClusters by merging the smallest clusters into the nearest centroid', async () => {
    const { data, graph, ctx } = await blobGraph();
    const capped = await clusterCells(
      data,
      graph,
      { ...clusterDefaults, method: 'louvain', maxClusters: 4 },
      ctx,
    );
    expect(capped.nClusters).toBe(4);
    expect(capped.sizes.reduce((a, b) => a + b, 0)).toBe(240);
    const km = await clusterCells(
      data,
      graph,
      { ...clusterDefaults, method: 'kmeans', k: 10, maxClusters: 3 },
      ctx,
    );
    expect(km.nClusters).toBe(3);
  });

  it('merges clusters smaller than minClusterSize into the nearest remaining centroid', () => {
    // Two clusters of 6 at x = 0 and x = 10, and a cluster of 2 at x = 8: the pair joins the x = 10 cluster.
    const x = Float32Array.of(0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 10, 10, 8, 8);
    const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2];
    const r = mergeSmallClusters(denseMatrix(14, 1, x), labels, 5, 30);
    expect(r.sizes).toEqual([8, 6]);
    expect(Array.from(r.labels)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // minClusterSize 1 keeps everything; when no cluster is large enough the largest one survives.
    expect(mergeSmallClusters(denseMatrix(14, 1, x), labels, 1, 30).sizes).toEqual([6, 6, 2]);
    expect(mergeSmallClusters(denseMatrix(14, 1, x), labels, 100, 30).sizes).toEqual([14]);
  });

  it('in clusterCells, a separate community of 3 cells joins the nearest cluster', async () => {
    const { data, graph, ctx } = await blobGraph();
    // 3 extra cells near blob 0 (x0 = 20) but forming their own graph component (a triangle): Louvain makes them
    // a 7th community of 3 (< 5), which is dissolved into blob 0's cluster.
    const n0 = data.rows;
    const n = n0 + 3;
    const x = new Float32Array(n * 8);
    x.set(data.data);
    for (let i = 0; i < 3; i++) x[(n0 + i) * 8] = 30 + i * 0.1;
    const emb = denseMatrix(n, 8, x);
    const from: number[] = [n0, n0, n0 + 1];
    const to: number[] = [n0 + 1, n0 + 2, n0 + 2];
    for (let i = 0; i < n0; i++)
      for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) {
        from.push(i);
        to.push(graph.indices[p]!);
      }
    const g = symmetricGraph(n, from, to, new Float32Array(from.length).fill(1));
    const r = await clusterCells(emb, g, { ...clusterDefaults, method: 'louvain' }, ctx);
    // Louvain finds 7 communities (the 3-cell one counts: 3 >= countMinSize 2); as a cluster it is below
    // minClusterSize (5), so its cells join the nearest cluster.
    expect(r.louvainCommunities).toBe(7);
    expect(r.nClusters).toBe(6);
    expect(r.sizes).toEqual([43, 40, 40, 40, 40, 40]);
    // The extra cells share the label of blob 0's cells (cell 0 is in blob 0).
    for (let i = n0; i < n; i++) expect(r.labels[i]).toBe(r.labels[0]);
  });

  it('counts only communities with at least minSize members (isolated cells do not inflate k)', () => {
    // Sizes: community 0 -> 6, 1 -> 5, 2 -> 1, 3 -> 1, 4 -> 4.
    const comm = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4];
    expect(countCommunities(comm, 5)).toBe(2);
    expect(countCommunities(comm, 4)).toBe(3);
    expect(countCommunities(comm, 1)).toBe(5);
    // Nothing large enough: still one community, so k-means gets k >= 1.
    expect(countCommunities([0, 1, 2], 5)).toBe(1);
    expect(countCommunities([], 5)).toBe(0);
  });

  it('l2 normalisation: unit rows, zero rows stay zero, "none" is the identity', () => {
    const e = denseMatrix(3, 2, Float32Array.from([3, 4, 0, 0, -2, 0]));
    const unit = clusteringEmbedding(e, clusterDefaults).data;
    [0.6, 0.8, 0, 0, -1, 0].forEach((v, i) => expect(unit[i]).toBeCloseTo(v, 6));
    expect(clusteringEmbedding(e, { ...clusterDefaults, embeddingNorm: 'none' })).toBe(e);
  });

  it('l2 normalisation clusters by direction, not by vector length', async () => {
    // Two cell types (directions 0 and 1 of a 4-D code), each at a short and a long length (as shallow and
    // deep cells would be). By length, k-means with k = 2 splits short from long; by direction it finds the types.
    const rng = createRng(7);
    const n = 160;
    const x = new Float32Array(n * 4);
    const truth: number[] = [];
    for (let i = 0; i < n; i++) {
      const type = i % 2;
      const length = i % 4 < 2 ? 1 : 8;
      for (let f = 0; f < 4; f++) x[i * 4 + f] = (f === type ? length : 0) + 0.05 * length * rng.normal();
      truth.push(type);
    }
    const e = denseMatrix(n, 4, x);
    const ctx = createContext(tf, createRng(1));
    const params = { ...clusterDefaults, method: 'kmeans', k: 2 } as const;
    const graph = buildCellGraph(pruneMeanStd(await knn(e, 10, ctx)));
    const raw = await clusterCells(e, graph, { ...params, embeddingNorm: 'none' }, ctx);
    const unit = clusteringEmbedding(e, params);
    const normed = await clusterCells(unit, graph, params, ctx);
    expect(adjustedRandIndex(truth, raw.labels)).toBeLessThan(0.5);
    expect(adjustedRandIndex(truth, normed.labels)).toBe(1);
  });
});

describe('effectiveResolution', () => {
  it('keeps louvainResolution up to resolutionCells and grows as sqrt(N / resolutionCells) above', () => {
    const p = { ...clusterDefaults, louvainResolution: 0.3, resolutionCells: 1000 };
    expect(effectiveResolution(p, 124)).toBe(0.3);
    expect(effectiveResolution(p, 1000)).toBe(0.3);
    expect(effectiveResolution(p, 4000)).toBeCloseTo(0.6, 12); // 0.3 · sqrt(4)
    expect(effectiveResolution(p, 2250)).toBeCloseTo(0.45, 12); // 0.3 · 1.5
    expect(effectiveResolution({ ...p, resolutionScaling: 'none' }, 4000)).toBe(0.3);
  });

  it('stops growing at resolutionMax (1 by default: 11,111 cells), never below louvainResolution', () => {
    const p = { ...clusterDefaults, louvainResolution: 0.3, resolutionCells: 1000 };
    expect(p.resolutionMax).toBe(1);
    expect(effectiveResolution(p, 10_000)).toBeCloseTo(0.3 * Math.sqrt(10), 12);
    expect(effectiveResolution(p, 11_111)).toBeCloseTo(1, 4);
    expect(effectiveResolution(p, 30_000)).toBe(1);
    expect(effectiveResolution(p, 100_000)).toBe(1);
    expect(effectiveResolution({ ...p, resolutionMax: 2 }, 100_000)).toBe(2);
    expect(effectiveResolution({ ...p, louvainResolution: 1.5 }, 100)).toBe(1.5);
  });

  it('is what clusterCells runs Louvain at: a larger resolution splits a graph into more communities', async () => {
    // One Gaussian cloud of 400 cells (4-D): a connected kNN graph whose community count follows the
    // resolution. With resolutionCells = 25 the scaled resolution is 0.05 · sqrt(16) = 4x the base.
    const { data } = blobs([[0, 0, 0, 0]], 400, 1, 5);
    const ctx = createContext(tf, createRng(2));
    const graph = buildCellGraph(pruneMeanStd(await knn(data, 10, ctx)));
    const base = {
      ...clusterDefaults,
      method: 'louvain' as const,
      louvainResolution: 0.05,
      minClusterSize: 1,
    };
    const fixed = await clusterCells(data, graph, { ...base, resolutionScaling: 'none' }, ctx);
    const scaled = await clusterCells(data, graph, { ...base, resolutionCells: 25 }, ctx);
    expect(scaled.louvainCommunities).toBeGreaterThan(fixed.louvainCommunities);
  });
});
