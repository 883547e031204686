/**
 * Data preparation of the cell graph view: undirected edge merging and degrees, cluster sizes, the summary
 * line, sizes and the placeholder layout.
 */
import { describe, expect, it } from 'vitest';
import {
  clusterName,
  clusterSizes,
  edgeSize,
  graphSummary,
  nodeSize,
  spiralLayout,
  toUndirected,
  selectionEdges,
  LARGE_GRAPH_CELLS,
} from './graph-data.ts';
import { clusterColor } from '../../layout/palette.ts';

describe('toUndirected', () => {
  it('merges i->j and j->i, keeps the largest weight, drops self-loops and bad endpoints', () => {
    const g = toUndirected(4, {
      from: Int32Array.of(0, 1, 2, 2, 3, 0, 5),
      to: Int32Array.of(1, 0, 2, 3, 2, 3, 1),
      weight: Float32Array.of(0.5, 0.9, 1, 0.2, 0.1, NaN, 1),
    });
    expect(Array.from(g.src)).toEqual([0, 2, 0]);
    expect(Array.from(g.dst)).toEqual([1, 3, 3]);
    expect(Array.from(g.weight)).toEqual([Math.fround(0.9), Math.fround(0.2), 0]);
    expect(Array.from(g.degree)).toEqual([2, 1, 1, 2]);
    expect(g.minWeight).toBe(0);
    expect(g.maxWeight).toBe(Math.fround(0.9));
  });

  it('gives an empty graph with zero degrees when there are no edges', () => {
    const g = toUndirected(3, null);
    expect(g.src.length).toBe(0);
    expect(Array.from(g.degree)).toEqual([0, 0, 0]);
  });
});

describe('view helpers', () => {
  it('counts cluster sizes, unassigned apart', () => {
    expect(clusterSizes(Int32Array.of(0, 2, 2, -1, 0, 2), 6)).toEqual({ sizes: [2, 0, 3], unassigned: 1 });
    expect(clusterSizes(null, 4)).toEqual({ sizes: [], unassigned: 0 });
  });

  it('names clusters from 1 unless names are given', () => {
    expect(clusterName(0)).toBe('Cluster 1');
    expect(clusterName(1, ['T cells', 'B cells'])).toBe('B cells');
    expect(clusterName(2, ['T cells'])).toBe('Cluster 3');
  });

  it('summarises the graph in one line', () => {
    expect(graphSummary(124, 3, 560)).toBe('Cell graph: 124 cells, 3 clusters, 560 edges');
    expect(graphSummary(1, 1, 1)).toBe('Cell graph: 1 cell, 1 cluster, 1 edge');
    expect(graphSummary(12000, 0, 0)).toBe('Cell graph: 12,000 cells, 0 clusters, 0 edges');
  });

  it('sizes nodes by cell count and edges by weight, within bounds', () => {
    expect(nodeSize(10)).toBe(4);
    expect(nodeSize(1_000_000)).toBe(1.5);
    expect(nodeSize(1000)).toBeLessThan(nodeSize(100));
    expect(edgeSize(0, 0, 1)).toBeCloseTo(0.4);
    expect(edgeSize(1, 0, 1)).toBeCloseTo(2);
    expect(edgeSize(3, 3, 3)).toBeCloseTo(2);
  });

  it('places pending cells on a deterministic spiral inside the unit disc', () => {
    const p = spiralLayout(50);
    expect(Array.from(spiralLayout(50))).toEqual(Array.from(p));
    for (let i = 0; i < 50; i++)
      expect(Math.hypot(p[2 * i] as number, p[2 * i + 1] as number)).toBeLessThanOrEqual(1);
  });

  it('gives clusters distinct colours, and unassigned a grey', () => {
    const colours = Array.from({ length: 40 }, (_, i) => clusterColor(i));
    expect(new Set(colours).size).toBe(40);
    expect(colours.every((c) => /^#[0-9a-f]{6}$/.test(c))).toBe(true);
    expect(clusterColor(-1)).toBe(clusterColor(-5));
  });
});

describe('large graphs', () => {
  it('draws only the edges touching the selected cluster, none without a selection', () => {
    const g = toUndirected(5, {
      from: Int32Array.of(0, 1, 2, 3),
      to: Int32Array.of(1, 2, 3, 4),
      weight: new Float32Array(4).fill(1),
    });
    const labels = Int32Array.of(0, 0, 1, 1, 2);
    expect(Array.from(selectionEdges(g, labels, 0))).toEqual([0, 1]); // 0-1 inside, 1-2 crossing
    expect(Array.from(selectionEdges(g, labels, 2))).toEqual([3]);
    expect(selectionEdges(g, labels, null).length).toBe(0);
    expect(selectionEdges(g, null, 0).length).toBe(0);
  });

  it('merges a 100,000-cell kNN graph (k = 10, both directions) quickly and exactly', () => {
    const n = 10 * LARGE_GRAPH_CELLS;
    const k = 10;
    const from = new Int32Array(n * k * 2);
    const to = new Int32Array(n * k * 2);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < k; j++) {
        const t = (i + j + 1) % n;
        from[(i * k + j) * 2] = i;
        to[(i * k + j) * 2] = t;
        from[(i * k + j) * 2 + 1] = t;
        to[(i * k + j) * 2 + 1] = i;
      }
    const t0 = performance.now();
    const g = toUndirected(n, { from, to, weight: new Float32Array(from.length).fill(1) });
    const ms = performance.now() - t0;
    expect(g.src.length).toBe(n * k);
    expect(g.degree.every((d) => d === 2 * k)).toBe(true);
    // A Map keyed by pair took seconds here; the typed version ~50-100 ms (a loose bound for a busy machine).
    expect(ms).toBeLessThan(1500);
  });
});
