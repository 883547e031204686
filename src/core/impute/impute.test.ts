import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { symmetricGraph } from '../graph/cell-graph.ts';
import { denseMatrix } from '../matrix/dense.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import {
  expressionGraph,
  impute,
  imputeDefaults,
  imputeOnGraph,
  unionGraph,
  validateImputeParams,
} from './impute.ts';

// 3 cells on a path 0 - 1 - 2, 3 genes (log1p values).
const path = symmetricGraph(3, [0, 1], [1, 2], [1, 1]);
const plain = { geneShrink: 0, cellOffset: false } as const;

describe('imputeOnGraph', () => {
  it('imputes a zero with the mean of the neighbours that detect the gene, keeping non-zeros', () => {
    // cell 1 misses gene 0; neighbours 0 and 2 have 1 and 3 -> 2. Gene 1: neighbour values 2 and 0 -> 2 (the
    // zero neighbour does not count). Gene 2 is observed everywhere and stays.
    const x = denseMatrix(3, 3, Float32Array.from([1, 2, 5, 0, 0, 6, 3, 0, 7]));
    const out = imputeOnGraph({ x, graph: path }, plain);
    expect(Array.from(out.data.subarray(3, 6))).toEqual([2, 2, 6]);
    // cell 0's only neighbour (1) misses gene 1 -> no detecting neighbour, no recon, geneShrink 0: gene level.
    // Gene 1's pooled non-zero mean is 2 (one value).
    expect(out.data[1]).toBe(2);
    expect(out.data[2]).toBe(5);
    // cell 2, gene 1: neighbour 1 has 0 -> fallback to the gene level 2.
    expect(out.data[7]).toBe(2);
  });

  it('falls back to the reconstruction when no neighbour detects the gene', () => {
    const x = denseMatrix(3, 2, Float32Array.from([0, 1, 0, 1, 4, 1]));
    const recon = denseMatrix(3, 2, Float32Array.from([0.5, 9, 0.25, 9, 9, 9]));
    const out = imputeOnGraph({ x, recon, graph: path }, plain);
    expect(out.data[0]).toBe(0.5); // neighbour 1 misses gene 0 too
    expect(out.data[2]).toBe(4); // cell 1: neighbour 2 has 4
    expect(Array.from([out.data[1], out.data[3], out.data[5]])).toEqual([1, 1, 1]); // observed kept
  });

  it('shrinks toward the gene level with the pseudo-count', () => {
    // gene 0 values: cell0 1, cell2 4 -> pooled level 2.5; cell 1: (1 + 4 + a*2.5) / (2 + a), a = 1 -> 2.5.
    // Use an asymmetric case: graph 1-0 only.
    const g = symmetricGraph(3, [0], [1], [1]);
    const x = denseMatrix(3, 1, Float32Array.from([1, 0, 4]));
    const out = imputeOnGraph({ x, graph: g }, { geneShrink: 1, cellOffset: false });
    expect(out.data[1]).toBeCloseTo((1 + 2.5) / 2, 6);
    const none = imputeOnGraph({ x, graph: g }, { geneShrink: 0, cellOffset: false });
    expect(none.data[1]).toBe(1);
  });

  it('adds the cell offset measured on its observed non-zeros', () => {
    // cell 1 is one unit above its neighbours on genes 0 and 1; gene 2 (missed) is imputed 3 + 1.
    const x = denseMatrix(3, 3, Float32Array.from([1, 2, 3, 2, 3, 0, 1, 2, 3]));
    const out = imputeOnGraph({ x, graph: path }, { geneShrink: 0, cellOffset: true });
    expect(out.data[5]).toBeCloseTo(4, 6);
    // A negative offset never makes a value negative.
    const low = denseMatrix(3, 2, Float32Array.from([5, 0.5, 0.1, 0, 5, 0.5]));
    const o2 = imputeOnGraph({ x: low, graph: path }, { geneShrink: 0, cellOffset: true });
    // cell 1 = [0.1, 0]: offset 0.1 - 5 = -4.9 (gene 0), so gene 1 = max(0, 0.5 - 4.9) = 0.
    expect(o2.data[2]).toBeCloseTo(0.1, 6);
    expect(o2.data[3]).toBe(0);
  });

  it('leaves never-detected genes at 0 and can replace observed values', () => {
    const x = denseMatrix(3, 2, Float32Array.from([1, 0, 0, 0, 3, 0]));
    const out = imputeOnGraph({ x, graph: path }, plain);
    expect([out.data[1], out.data[3], out.data[5]]).toEqual([0, 0, 0]);
    const all = imputeOnGraph({ x, graph: path }, { ...plain, keepObserved: false });
    expect(all.data[0]).toBe(2); // cell 0 re-estimated: its neighbour 1 misses gene 0 -> gene level (1 + 3) / 2
  });

  it("'expected' multiplies by the detection rate of the neighbourhood and the cell", () => {
    const x = denseMatrix(3, 1, Float32Array.from([2, 0, 0]));
    const out = imputeOnGraph({ x, graph: path }, { ...plain, target: 'expected' });
    // cell 1: level 2 (one detecting neighbour of 2), detection 1 / (2 neighbours + itself) = 1/3.
    expect(out.data[1]).toBeCloseTo(2 / 3, 6);
  });

  it('uses same-cluster cells and 2-hop neighbours with their weights', () => {
    const g = symmetricGraph(3, [0], [1], [1]);
    const x = denseMatrix(3, 1, Float32Array.from([0, 1, 4]));
    const labels = Int32Array.from([0, 0, 0]);
    const out = imputeOnGraph({ x, graph: g, labels }, { ...plain, clusterWeight: 0.5 });
    expect(out.data[0]).toBeCloseTo((1 * 1 + 0.5 * 4) / 1.5, 6);
    const hop = imputeOnGraph({ x, graph: path }, { ...plain, hop2Weight: 0.25 });
    // cell 0: neighbour 1 (1, weight 1), 2-hop cell 2 (4, weight 0.25).
    expect(hop.data[0]).toBeCloseTo((1 + 0.25 * 4) / 1.25, 6);
  });

  it("'recon' returns the reconstruction with the observed values kept", () => {
    const x = denseMatrix(1, 2, Float32Array.from([3, 0]));
    const recon = denseMatrix(1, 2, Float32Array.from([1, 2]));
    const g = symmetricGraph(1, [], [], []);
    expect(Array.from(imputeOnGraph({ x, recon, graph: g }, { method: 'recon' }).data)).toEqual([3, 2]);
    expect(() => imputeOnGraph({ x, graph: g }, { method: 'recon' })).toThrow();
  });

  it('validates its parameters and inputs', () => {
    expect(validateImputeParams(imputeDefaults)).toEqual([]);
    expect(validateImputeParams({ ...imputeDefaults, geneShrink: -1, k: 0 })).toHaveLength(2);
    const x = denseMatrix(2, 1);
    expect(() => imputeOnGraph({ x, graph: path }, {})).toThrow(RangeError);
    expect(() => imputeOnGraph({ x: denseMatrix(3, 1), graph: path }, { clusterWeight: 1 })).toThrow(
      RangeError,
    );
  });
});

describe('impute (with the expression graph)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('unions graphs and builds the expression kNN graph without leaking tensors', async () => {
    const u = unionGraph(path, symmetricGraph(3, [0], [2], [1]));
    expect(Array.from(u.indptr)).toEqual([0, 2, 4, 6]);
    // Two tight groups of cells: {0,1,2} near 0, {3,4,5} near 10.
    const x = denseMatrix(6, 2, Float32Array.from([0, 0.1, 0.1, 0, 0.2, 0.1, 10, 10, 10.1, 10, 10, 10.2]));
    const ctx = createContext(tf, createRng(1), () => {});
    const before = tf.memory().numTensors;
    const g = await expressionGraph(x, 2, ctx);
    for (let i = 0; i < 6; i++)
      for (let e = g.indptr[i]!; e < g.indptr[i + 1]!; e++) expect(g.indices[e]! < 3).toBe(i < 3);
    // Gene 1 separates the groups; gene 0 is missed by cells 1 and 4.
    const data = denseMatrix(6, 2, Float32Array.from([1, 0.2, 0, 0.2, 1, 0.2, 5, 8, 0, 8, 5, 8]));
    const out = await impute(
      { x: data, graph: symmetricGraph(6, [], [], []) },
      { graph: 'expression', k: 2, ...plain },
      ctx,
    );
    expect(out.data[2]).toBe(1);
    expect(out.data[8]).toBe(5);
    expect(tf.memory().numTensors).toBe(before);
  });
});
