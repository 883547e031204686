/**
 * Model selection and state assignment of one LTMG block (ltmg-fit.ts), CPU backend.
 *
 * Expected values worked out by hand:
 * - minBic: the smallest BIC, the smaller K on ties, within an optional K limit.
 * - blockWork: values = genes x widest slice; work = 0.6 values + Σ_K (values (13 + K) + 150 000).
 * - zimg branch, log values (1, 2, 3) of a gene without zeros: the K = 1 Gaussian has mean 2, sd 1
 *   (n - 1), so log L = -0.5 (1 + 0 + 1) - 3 ln √(2π) and BIC = 2 ln 3 - 2 log L = 2 ln 3 + 2 + 3 ln(2π);
 *   the dummy component shifts its state to 1, and values <= Zcut get 0.
 * - States follow the chosen model's components sorted by mean: log values (0.9, 1.1, 2.9, 3.1) under
 *   N(3, 0.5) and N(1, 0.5) with equal weights are (0, 0, 1, 1); a chosen ltmg model with one component, or
 *   none, gives all-zero states; slots past an assigned slice's end are -1.
 * - With EM: a clearly bimodal gene (N(1, 0.3) and N(4, 0.3), 300 cells each) picks K = 2 in the zimg full
 *   branch, a unimodal one (N(2, 0.5)) keeps K = 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { csrFromDense } from '../matrix/csr.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { buildGeneTable, sliceCount, type GeneSlice, type GeneTable } from './ltmg-data.ts';
import {
  blockWork,
  chooseMinBic,
  fitBlock,
  minBic,
  type BlockOptions,
  type Candidate,
  type Chooser,
} from './ltmg-fit.ts';

const cand = (k: number, bic: number): Candidate => ({ k, bic, w: [1], mu: [0], sd: [1] });

/** A gene table from log values per gene (one cell per value; cells beyond a gene's values are 0 for it). */
function tableOf(genes: number[][], extraZeroCells = 0): GeneTable {
  const nCells = Math.max(...genes.map((g) => g.length)) + extraZeroCells;
  const dense = new Float32Array(nCells * (genes.length + 1));
  for (let c = 0; c < nCells; c++) {
    genes.forEach((g, j) => {
      if (c < g.length) dense[c * (genes.length + 1) + j] = Math.exp(g[c]!);
    });
    dense[c * (genes.length + 1) + genes.length] = 1; // keeps every cell active
  }
  return buildGeneTable(csrFromDense(dense, nCells, genes.length + 1), null);
}

function wholeGene(t: GeneTable, g: number, q = 0): GeneSlice {
  const from = t.uOffsets[g]!;
  const to = t.uOffsets[g + 1]!;
  const nObs = sliceCount(t, from, to);
  return { gene: g, from, to, nObs, censored: t.nCellsActive - nObs, q };
}

function options(branch: 'ltmg' | 'zimg', ks: number[], zcut: number[]): BlockOptions {
  return { branch, ks, maxComponents: 3, maxIterations: 300, tol: 1e-7, zcut: Float64Array.from(zcut) };
}

describe('LTMG block fitting (ltmg-fit.ts)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('minBic picks the smallest BIC, the smaller K on ties, within the K limit', () => {
    const cs = [cand(1, 10), cand(2, 7), cand(3, 7), cand(4, 5)];
    expect(minBic(cs)!.k).toBe(4);
    expect(minBic(cs, 3)!.k).toBe(2); // tie between K = 2 and 3
    expect(minBic(cs, 1)!.k).toBe(1);
    expect(minBic([])).toBeNull();
    expect(minBic([cand(2, Infinity)])!.k).toBe(2);
    expect(chooseMinBic([cs, [], [cand(3, 1)]]).map((c) => c?.k ?? null)).toEqual([4, null, 3]);
  });

  it('blockWork follows the cost model', () => {
    const slices: GeneSlice[] = [
      { gene: 0, from: 0, to: 3, nObs: 3, censored: 0, q: 0 },
      { gene: 1, from: 3, to: 8, nObs: 5, censored: 0, q: 0 },
    ];
    // 2 genes x width 5 = 10 values: 6 + (150 + 150 000) + (160 + 150 000).
    expect(blockWork(slices, [2, 3])).toBe(300_316);
    expect(blockWork(slices, [])).toBe(6);
  });

  it('zimg, single Gaussian only: hand-computed BIC, states 1 above Zcut and 0 below', async () => {
    const t = tableOf([[1, 2, 3]]);
    const seen: (readonly Candidate[])[] = [];
    const spy: Chooser = (all) => {
      seen.push(...all);
      return chooseMinBic(all);
    };
    const progress: number[] = [];
    const ctx = createContext(tf, createRng(1));
    const r = await fitBlock(
      ctx,
      t,
      [wholeGene(t, 0)],
      options('zimg', [], [1.5]),
      (f) => progress.push(f),
      spy,
    );
    expect(seen).toHaveLength(1);
    const c = seen[0]![0]!;
    expect(c.k).toBe(1);
    expect(c.mu[0]).toBeCloseTo(2, 6);
    expect(c.sd[0]).toBeCloseTo(1, 6);
    expect(c.bic).toBeCloseTo(2 * Math.log(3) + 2 + 3 * Math.log(2 * Math.PI), 5);
    expect(r.width).toBe(3);
    expect([...r.states]).toEqual([0, 1, 1]);
    expect([...r.components]).toEqual([1]);
    expect(progress.at(-1)).toBe(1);
  });

  it('states follow the chosen components by mean; one component or none: zeros; -1 pads', async () => {
    const t = tableOf(
      [
        [0.9, 1.1, 2.9, 3.1],
        [1, 2, 3],
      ],
      1,
    );
    const slices = [wholeGene(t, 0), wholeGene(t, 1)];
    const ctx = createContext(tf, createRng(1));
    const two: Candidate = { k: 2, bic: 0, w: [0.5, 0.5], mu: [3, 1], sd: [0.5, 0.5] };
    const one: Candidate = { k: 2, bic: 0, w: [1], mu: [2], sd: [1] };
    const fixed =
      (...picks: (Candidate | null)[]): Chooser =>
      () =>
        picks;
    const a = await fitBlock(ctx, t, slices, options('ltmg', [], [0, 0]), () => {}, fixed(two, two));
    expect(a.width).toBe(4);
    // Gene 1 (1, 2, 3): 2 is equally far from both means, the tie goes to the first (lower) one.
    expect([...a.states]).toEqual([0, 0, 1, 1, 0, 0, 1, -1]);
    expect([...a.components]).toEqual([2, 2]);
    // Zcut 2.95 forces 2.9 to state 0.
    const b = await fitBlock(ctx, t, slices, options('ltmg', [], [2.95, 0]), () => {}, fixed(two, null));
    // A slice without a model is all zeros, its padding slot included (only assigned slices pad with -1;
    // ltmg.ts never reads past a slice's end).
    expect([...b.states]).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
    expect([...b.components]).toEqual([2, 0]);
    // ltmg with a single surviving component: all zeros (R's min(dim(rrr)) == 1), but its size is recorded.
    const c = await fitBlock(ctx, t, slices, options('ltmg', [], [0, 0]), () => {}, fixed(one, two));
    expect([...c.states]).toEqual([0, 0, 0, 0, 0, 0, 1, -1]);
    expect([...c.components]).toEqual([1, 2]);
    // zimg: the dummy component shifts the states to 1..K.
    const d = await fitBlock(ctx, t, slices, options('zimg', [], [0, 0]), () => {}, fixed(two, one));
    expect([...d.states]).toEqual([1, 1, 2, 2, 1, 1, 1, -1]);
  });

  it('EM: bimodal gene picks K = 2, unimodal keeps K = 1 (zimg full); progress rises to 1', async () => {
    const rng = createRng(17);
    const bimodal = Array.from({ length: 600 }, (_, i) => (i < 300 ? 1 : 4) + 0.3 * rng.normal());
    const unimodal = Array.from({ length: 600 }, () => 2 + 0.5 * rng.normal());
    const t = tableOf([bimodal, unimodal]);
    const slices = [wholeGene(t, 0), wholeGene(t, 1)];
    const progress: number[] = [];
    const before = tf.memory().numTensors;
    const r = await fitBlock(
      createContext(tf, createRng(1)),
      t,
      slices,
      options('zimg', [2], [-10, -10]),
      (f) => progress.push(f),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect([...r.components]).toEqual([2, 1]);
    // Bimodal gene: values below 2.5 in the first component (state 1), above in the second (state 2).
    const w = r.width;
    for (let i = slices[0]!.from; i < slices[0]!.to; i++) {
      const v = t.vals[i]!;
      if (v < 2) expect(r.states[i - slices[0]!.from]).toBe(1);
      if (v > 3) expect(r.states[i - slices[0]!.from]).toBe(2);
    }
    for (let i = 0; i < slices[1]!.to - slices[1]!.from; i++) expect(r.states[w + i]).toBe(1);
    expect(progress.length).toBeGreaterThan(2);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]! - 1e-12);
    expect(progress.at(-1)).toBe(1);
  });
});
