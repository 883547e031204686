import { describe, expect, it } from 'vitest';
import { denseMatrix } from '../matrix/dense.ts';
import { groupAndSubsampleCells, heatmapData, markerGeneUnion } from './heatmap.ts';
import type { ClusterMarkers } from './markers.ts';

function markers(cluster: number, genes: [number, number][]): ClusterMarkers {
  return {
    cluster,
    nCells: 1,
    markers: genes.map(([geneIndex, z]) => ({
      geneIndex,
      gene: `g${geneIndex}`,
      log2FoldChange: 0,
      z,
      pValue: 0,
      pAdj: 0,
      fractionIn: 0,
      fractionOut: 0,
    })),
  };
}

describe('groupAndSubsampleCells', () => {
  it('groups by cluster, by cell index within a cluster, without unlabelled cells', () => {
    const r = groupAndSubsampleCells([1, 0, 1, 0, 2, 1, -1]);
    expect(Array.from(r.cellIndices)).toEqual([1, 3, 0, 2, 5, 4]);
    expect(Array.from(r.clusterOfCell)).toEqual([0, 0, 1, 1, 1, 2]);
    expect(r.nCellsTotal).toBe(6);
  });

  it('subsamples proportionally (largest remainder), keeps every cluster, evenly spaced', () => {
    // Sizes 10, 5, 1 (cells 0-9, 10-14, 15), 8 cells: quotas 5, 2.5, 0.5 → 5, 2, 0 + one by remainder (tie:
    // lower cluster) → 5, 3, 0 → cluster 2 gets one cell from the largest share → 4, 3, 1.
    // Evenly spaced: floor((j + 0.5)·10/4) = 1, 3, 6, 8; floor((j + 0.5)·5/3) = 0, 2, 4.
    const labels = [...Array<number>(10).fill(0), ...Array<number>(5).fill(1), 2];
    const r = groupAndSubsampleCells(labels, 8);
    expect(Array.from(r.cellIndices)).toEqual([1, 3, 6, 8, 10, 12, 14, 15]);
    expect(Array.from(r.clusterOfCell)).toEqual([0, 0, 0, 0, 1, 1, 1, 2]);
    expect(r.nCellsTotal).toBe(16);
  });

  it('takes exactly maxCells from a large input, deterministically', () => {
    const labels = Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 13);
    const a = groupAndSubsampleCells(labels, 2000);
    const b = groupAndSubsampleCells(labels, 2000);
    expect(a.cellIndices).toHaveLength(2000);
    expect(a.cellIndices).toEqual(b.cellIndices);
    // each column's cluster is the cell's label, clusters in order
    let consistent = true;
    for (let j = 0; j < 2000; j++) {
      if (labels[a.cellIndices[j]!] !== a.clusterOfCell[j]) consistent = false;
      if (j > 0 && a.clusterOfCell[j]! < a.clusterOfCell[j - 1]!) consistent = false;
    }
    expect(consistent).toBe(true);
    // 13 clusters of 7,692 or 7,693 cells: 153 or 154 columns each
    const perCluster = Array.from({ length: 13 }, (_, c) => a.clusterOfCell.filter((x) => x === c).length);
    expect(Math.min(...perCluster)).toBeGreaterThanOrEqual(153);
    expect(Math.max(...perCluster)).toBeLessThanOrEqual(154);
  });
});

describe('markerGeneUnion', () => {
  it('takes the top genes per cluster in order, once each, only up-regulated, capped', () => {
    const table = [
      markers(0, [
        [4, 9],
        [2, 5],
        [7, 1],
      ]),
      markers(1, [
        [2, 8],
        [3, 2],
        [5, -1],
      ]),
      markers(2, [[1, 0]]),
    ];
    expect(markerGeneUnion(table, 2)).toEqual([4, 2, 3]);
    expect(markerGeneUnion(table, 3)).toEqual([4, 2, 7, 3]);
    expect(markerGeneUnion(table, 3, 2)).toEqual([4, 2]);
  });
});

describe('heatmapData', () => {
  // 4 cells x 3 genes; before[i][g] = 10 i + g, after = before + 0.5
  const before = denseMatrix(
    4,
    3,
    Float32Array.from({ length: 12 }, (_, x) => 10 * Math.floor(x / 3) + (x % 3)),
  );
  const after = denseMatrix(
    4,
    3,
    before.data.map((v) => v + 0.5),
  );
  const genes = ['A', 'B', 'C'];

  it('copies genes x cells for the chosen genes and grouped cells, with a shared range', () => {
    const h = heatmapData(before, after, [1, 0, 1, 0], genes, { geneIndices: [2, 0] });
    expect(h.genes).toEqual(['C', 'A']);
    expect(Array.from(h.geneIndices)).toEqual([2, 0]);
    expect(Array.from(h.cellIndices)).toEqual([1, 3, 0, 2]);
    expect(Array.from(h.clusterOfCell)).toEqual([0, 0, 1, 1]);
    // row C: cells 1, 3, 0, 2 → 12, 32, 2, 22; row A: 10, 30, 0, 20
    expect(Array.from(h.before)).toEqual([12, 32, 2, 22, 10, 30, 0, 20]);
    expect(Array.from(h.after)).toEqual([12.5, 32.5, 2.5, 22.5, 10.5, 30.5, 0.5, 20.5]);
    expect(h.min).toBe(0);
    expect(h.max).toBe(32.5);
    expect(h.nCellsTotal).toBe(4);
  });

  it('takes the genes from marker tables and subsamples the cells', () => {
    const table = [markers(0, [[1, 3]]), markers(1, [[1, 2]])];
    const h = heatmapData(before, after, [0, 0, 1, 1], genes, { markers: table, maxCells: 2 });
    expect(h.genes).toEqual(['B']);
    expect(Array.from(h.cellIndices)).toEqual([1, 3]);
    expect(Array.from(h.before)).toEqual([11, 31]);
  });

  it('rejects bad inputs', () => {
    expect(() => heatmapData(before, after, [0, 0, 1, 1], genes)).toThrow(/geneIndices or markers/);
    expect(() => heatmapData(before, after, [0, 0, 1], genes, { geneIndices: [0] })).toThrow(RangeError);
    expect(() => heatmapData(before, after, [0, 0, 1, 1], genes, { geneIndices: [3] })).toThrow(RangeError);
    const small = denseMatrix(2, 3);
    expect(() => heatmapData(before, small, [0, 0, 1, 1], genes, { geneIndices: [0] })).toThrow(RangeError);
  });
});
