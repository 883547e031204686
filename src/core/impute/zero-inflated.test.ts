import { describe, expect, it } from 'vitest';
import { symmetricGraph } from '../graph/cell-graph.ts';
import { denseMatrix } from '../matrix/dense.ts';
import * as tf from '@tensorflow/tfjs-core';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import {
  imputeZeroInflated,
  imputeZeroInflatedOnGraph,
  validateZeroInflatedParams,
  zeroInflatedDefaults,
  zeroInflatedImputer,
} from './zero-inflated.ts';

const ln1p = (c: number): number => Math.log1p(c);
/** x = ln(1 + c) of a count matrix given row by row. */
const logCounts = (rows: number, cols: number, counts: number[]) =>
  denseMatrix(rows, cols, Float32Array.from(counts, ln1p));
/** Every cell linked to every other (weight 1). */
function complete(n: number) {
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      from.push(i);
      to.push(j);
    }
  return symmetricGraph(n, from, to, new Float32Array(from.length).fill(1));
}
// A fixed shape a = 1 (shapeMin = shapeMax) and one pass (no refinement of π) make every figure hand-checkable.
const a1 = { shapeMin: 1, shapeMax: 1, iterations: 0 } as const;

describe('imputeZeroInflatedOnGraph', () => {
  it('shrinks an observed count toward the neighbourhood mean: (y + a) / (1 + a/μ)', () => {
    // 3 cells, 1 gene, counts 2, 4, 6, complete graph. Cell 0: μ = (4 + 6)/2 = 5, y = 2, a = 1:
    // (2 + 1)/(1 + 1/5) = 2.5. Cell 1: μ = 4, (4 + 1)/(1.25) = 4. Cell 2: μ = 3, (6 + 1)/(4/3) = 5.25.
    const out = imputeZeroInflatedOnGraph({ x: logCounts(3, 1, [2, 4, 6]), graph: complete(3) }, a1);
    expect(out.imputed.data[0]).toBeCloseTo(ln1p(2.5), 5);
    expect(out.imputed.data[1]).toBeCloseTo(ln1p(4), 5);
    expect(out.imputed.data[2]).toBeCloseTo(ln1p(5.25), 5);
    expect(out.pi).toBe(0); // no zero at all
  });

  it('works on the cell depth: library-size factors scale μ and the output', () => {
    // Same counts, cell 0 at twice the normalised depth (s_0 = 2): x_0 = ln(1 + 2·2). Its neighbours' normalised
    // mean is 5, i.e. μ = 5 / 2 = 2.5 counts at its depth; y = 2: (2 + 1)/(1 + 1/2.5) = 15/7; output
    // ln(1 + 2·15/7).
    const x = denseMatrix(3, 1, Float32Array.from([ln1p(4), ln1p(4), ln1p(6)]));
    const scale = Float64Array.from([2, 1, 1]);
    const out = imputeZeroInflatedOnGraph({ x, scale, graph: complete(3) }, a1);
    expect(out.imputed.data[0]).toBeCloseTo(ln1p((2 * 15) / 7), 5);
  });

  it('without excess zeros a zero becomes the NB posterior given 0: μ·a/(μ + a)', () => {
    // Gene 0: counts 0, 3, 3 -> cell 0: μ = 3, a = 1: P0 = 1/4. Expected zeros over the entries with μ > 0:
    // cell 0: 1/4, cells 1, 2 (μ = 1.5): 1/2.5 each -> 1.05 > 1 zero seen: π = 0. Output ln(1 + 3/4).
    const out = imputeZeroInflatedOnGraph({ x: logCounts(3, 1, [0, 3, 3]), graph: complete(3) }, a1);
    expect(out.pi).toBe(0);
    expect(out.imputed.data[0]).toBeCloseTo(ln1p(0.75), 5);
  });

  it('a zero where no neighbour detects the gene stays 0 (no false signal); observed values there are kept', () => {
    // Gene 1 is detected in cell 2 only; cell 2 has no neighbour (graph 0 - 1).
    const graph = symmetricGraph(3, [0], [1], [1]);
    const out = imputeZeroInflatedOnGraph({ x: logCounts(3, 2, [5, 0, 5, 0, 5, 7]), graph }, a1);
    expect(out.imputed.data[1]).toBe(0);
    expect(out.imputed.data[3]).toBe(0);
    expect(out.imputed.data[5]).toBe(Math.fround(ln1p(7))); // cell 2: no neighbours, kept as it is
  });

  it('with excess zeros, a zero the neighbourhood makes improbable gets the level if detected', () => {
    // 5 cells, complete graph, 1 gene: four cells at 100 counts, cell 0 at 0. With a = 1, P0 of cell 0 is
    // 1/101, of the others (μ = 75) 1/76: 1 zero seen vs 0.0497 expected -> π = (1 - E0)/(5 - E0) ≈ 0.192.
    // r = π/(π + (1 - π)/101) ≈ 0.96: the output is near the level (ln 101), far above the NB posterior
    // ln(1 + 100/101).
    const x = logCounts(5, 1, [0, 100, 100, 100, 100]);
    const out = imputeZeroInflatedOnGraph({ x, graph: complete(5) }, a1);
    const e0 = 1 / 101 + 4 / 76;
    const pi = (1 - e0) / (5 - e0);
    expect(out.pi).toBeCloseTo(pi, 6);
    const r = pi / (pi + (1 - pi) / 101);
    const level = ln1p(100); // every detecting neighbour at 100 (geneShrink's pooled level is ln 101 too)
    expect(out.imputed.data[0]).toBeCloseTo(r * level + (1 - r) * ln1p(100 / 101), 4);
    expect(out.imputed.data[0]).toBeGreaterThan(4.4);
  });

  it('estimates the shape by the method of moments and clips it', () => {
    // Counts 0, 10, 0, 10 on a complete graph of 4 cells: μ = 20/3 for the zeros, 10/3 for the tens.
    // Σ((y - μ)² - μ) = 2·(400/9 - 20/3) + 2·(400/9 - 10/3) = 1600/9 - 20; Σ μ² = 2·(400/9 + 100/9) = 1000/9.
    // 1/a = (1600/9 - 20)/(1000/9) = 1.42 -> a = 0.704, clipped to shapeMin.
    const x = logCounts(4, 1, [0, 10, 0, 10]);
    const free = imputeZeroInflatedOnGraph(
      { x, graph: complete(4) },
      { shapeMin: 0.01, shapeMax: 100, iterations: 0 },
    );
    expect(free.shape[0]).toBeCloseTo(1 / 1.42, 4);
    const clipped = imputeZeroInflatedOnGraph(
      { x, graph: complete(4) },
      { shapeMin: 1, shapeMax: 5, iterations: 0 },
    );
    expect(clipped.shape[0]).toBe(1);
    // A gene with less variance than Poisson (all equal) gets shapeMax.
    const flat = imputeZeroInflatedOnGraph({ x: logCounts(4, 1, [3, 3, 3, 3]), graph: complete(4) });
    expect(flat.shape[0]).toBe(zeroInflatedDefaults.shapeMax);
  });

  it("refines π with the neighbours' failed detections put back: μ = μ⁰/(1 − π)", () => {
    // The 5-cell case above, one refinement pass, a = 1. Pass 0 gives π₀ (r of cell 0 ≈ 0.96, weights of the
    // moments are irrelevant with a fixed shape). Pass 1: μ of cell 0 = 100/(1 − π₀), of the others 75/(1 − π₀);
    // π₁ = (1 − E0)/(5 − E0) with those means; the output uses μ = μ⁰/(1 − π₁).
    const x = logCounts(5, 1, [0, 100, 100, 100, 100]);
    const one = imputeZeroInflatedOnGraph({ x, graph: complete(5) }, { ...a1, iterations: 1 });
    const e0 = (lift: number) => 1 / (1 + 100 * lift) + 4 / (1 + 75 * lift);
    const pi0 = (1 - e0(1)) / (5 - e0(1));
    const lift = 1 / (1 - pi0);
    const pi1 = (1 - e0(lift)) / (5 - e0(lift));
    expect(one.pi).toBeCloseTo(pi1, 6);
    expect(one.pi).toBeGreaterThan(pi0); // the lifted means make the zero less probable
    // Observed cell 1: μ = 75/(1 − π₁), y = 100: (100 + 1)/(1 + 1/μ).
    const mu1 = 75 / (1 - pi1);
    expect(one.imputed.data[1]).toBeCloseTo(ln1p(101 / (1 + 1 / mu1)), 4);
  });

  it('rejects bad parameters and mismatched inputs', () => {
    const d = zeroInflatedDefaults;
    expect(validateZeroInflatedParams({ ...d, shapeMin: 0, shapeMax: 1 })).toHaveLength(1);
    expect(validateZeroInflatedParams({ ...d, shapeMin: 2, shapeMax: 1 })).toHaveLength(1);
    expect(validateZeroInflatedParams({ ...d, iterations: 1.5 })).toHaveLength(1);
    expect(validateZeroInflatedParams({ ...d, graph: 'knn' as never })).toHaveLength(1);
    expect(validateZeroInflatedParams(zeroInflatedDefaults)).toEqual([]);
    const x = logCounts(3, 1, [1, 2, 3]);
    expect(() => imputeZeroInflatedOnGraph({ x, graph: complete(2) })).toThrow(RangeError);
    expect(() => imputeZeroInflatedOnGraph({ x, scale: new Float64Array(2), graph: complete(3) })).toThrow(
      RangeError,
    );
  });
});

describe('imputeZeroInflated (the pipeline entry)', () => {
  it('reports the fit’s progress as it goes, checks for cancel between blocks, and fits as the sync imputer', async () => {
    // 5,000 cells (3 blocks of 2,048 per sweep), 2 genes, a ring graph; counts with zeros.
    const n = 5000;
    const counts: number[] = [];
    for (let i = 0; i < n; i++) counts.push(i % 3 === 0 ? 0 : (i % 7) + 1, i % 5 === 0 ? 0 : (i % 4) + 2);
    const x = logCounts(n, 2, counts);
    const from = Array.from({ length: n }, (_, i) => i);
    const to = from.map((i) => (i + 1) % n);
    const graph = symmetricGraph(n, from, to, new Float32Array(n).fill(1));
    const fractions: number[] = [];
    let checkpoints = 0;
    const ctx = {
      ...createContext(tf, createRng(1)),
      progress: (f: number) => void fractions.push(f),
      checkpoint: async () => void checkpoints++,
    };
    const params = { ...zeroInflatedDefaults, graph: 'cell' as const };
    const imputer = await imputeZeroInflated({ x, graph }, params, {}, ctx);
    const sync = zeroInflatedImputer({ x, graph }, params);
    // (iterations + 1) passes x 2 sweeps x 2 reports (at cells 2,048 and 4,096) + the final 1.
    const sweeps = 2 * (params.iterations + 1);
    expect(fractions.length).toBe(sweeps * 2 + 1);
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThan(fractions[i - 1]!);
    expect(fractions[0]).toBeCloseTo(2048 / (sweeps * n), 10);
    expect(checkpoints).toBe(sweeps * 2 + 1);
    expect(imputer.pi).toBe(sync.pi);
    const a = new Float32Array(2);
    const b = new Float32Array(2);
    for (const i of [0, 1, 2047, 2048, 4999]) {
      imputer.row(i, a);
      sync.row(i, b);
      expect([...a]).toEqual([...b]);
    }
  });
});
