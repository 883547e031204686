import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { CsrBuilder, csrSelect, type CsrMatrix } from '../matrix/csr.ts';
import { createContext, type ProgressEvent } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { dirichlet } from '../synthetic/distributions.ts';
import { generateSynthetic } from '../synthetic/synthetic.ts';
import { matchBulkGenes } from './bulk-matrix.ts';
import { bulkDefaults } from './defaults.ts';
import { deconvolve } from './deconvolve.ts';
import { proportionError, type ProportionTruth } from './evaluate.ts';
import type { BulkMatrix, DeconvolutionInput } from './types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Synthetic cells of `types` types, two thirds kept as the single-cell data and the rest pooled into pseudo-bulk
 * samples of 500 cells each (drawn with replacement, type fractions from Dirichlet(1)).
 */
function pseudoBulkCase(seed: number, types = 4, samples = 8) {
  const d = generateSynthetic({
    cells: 1500,
    genes: 300,
    types,
    seed,
    trajectoryTypes: 0,
    zeroTarget: 0.8,
  });
  const kept: number[] = [];
  const heldByType: number[][] = Array.from({ length: types }, () => []);
  for (let i = 0; i < d.counts.nRows; i++) {
    if (i % 3 === 2) heldByType[d.cellType[i]!]!.push(i);
    else kept.push(i);
  }
  const G = d.counts.nCols;
  const rng = createRng(seed + 1000);
  const values = new Float64Array(G * samples);
  const truth: ProportionTruth[] = [];
  for (let s = 0; s < samples; s++) {
    const p = dirichlet(types, 1, rng);
    const drawn = new Array<number>(types).fill(0);
    for (let n = 0; n < 500; n++) {
      let u = rng.next();
      let k = 0;
      while (k < types - 1 && u >= p[k]!) u -= p[k++]!;
      drawn[k]!++;
      const cells = heldByType[k]!;
      const i = cells[rng.int(cells.length)]!;
      for (let q = d.counts.indptr[i]!; q < d.counts.indptr[i + 1]!; q++)
        values[d.counts.indices[q]! * samples + s]! += d.counts.values[q]!;
    }
    drawn.forEach((n, k) => truth.push({ sample: `s${s}`, label: d.typeNames[k]!, proportion: n / 500 }));
  }
  const bulk: BulkMatrix = {
    name: 'pseudo.csv',
    geneIds: d.geneIds,
    sampleIds: Array.from({ length: samples }, (_, s) => `s${s}`),
    values,
  };
  const raw = csrSelect(
    d.counts,
    kept,
    Array.from({ length: G }, (_, g) => g),
  );
  const labels = Int32Array.from(kept, (i) => d.cellType[i]!);
  const trueLabels = Array.from(labels, (k) => d.typeNames[k]!);
  return { d, raw, labels, trueLabels, bulk, truth, types };
}

function inputOf(
  raw: CsrMatrix,
  labels: Int32Array,
  nClusters: number,
  bulk: BulkMatrix,
  geneIds: readonly string[],
  scale?: Float64Array,
): DeconvolutionInput {
  const match = matchBulkGenes(bulk, geneIds, bulkDefaults);
  return { raw, scale, labels, nClusters, bulk, match };
}

describe('deconvolve', () => {
  it('recovers the cell-type fractions of pseudo-bulk from held-out cells (MAE < 0.03), no tensor left', async () => {
    const c = pseudoBulkCase(7);
    const events: ProgressEvent[] = [];
    const before = tf.memory().numTensors;
    const out = await deconvolve(
      inputOf(c.raw, c.labels, c.types, c.bulk, c.d.geneIds),
      bulkDefaults,
      createContext(tf, createRng(1), (e) => events.push(e)),
    );
    expect(tf.memory().numTensors).toBe(before);
    const err = proportionError(out, c.labels, c.trueLabels, c.truth);
    console.log(
      `synthetic 4 types: MAE ${err.mae.toFixed(4)} (max ${Math.max(...err.perSample.map((p) => p.mae)).toFixed(4)}), ` +
        `steps ${JSON.stringify(out.steps)}, losses ${JSON.stringify(out.losses)}`,
    );
    expect(err.mae).toBeLessThan(0.03);
    for (let s = 0; s < c.bulk.sampleIds.length; s++) {
      const row = out.proportions.subarray(s * c.types, (s + 1) * c.types);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
    }
    // Loss events every 10 steps and at the last step of each optimisation.
    const losses = events.filter((e) => e.type === 'loss');
    for (const [model, key] of [
      ['bulk proportions', 'proportions'],
      ['bulk profiles', 'profiles'],
      ['bulk gene scale', 'geneScale'],
    ] as const) {
      const mine = losses.filter((e) => e.model === model);
      const steps = out.steps[key];
      expect(mine.length).toBe(Math.ceil(steps / 10));
      expect(mine.at(-1)!.epoch).toBe(steps);
      expect(mine.at(-1)!.loss).toBe(out.losses[key]);
      expect(mine.every((e) => e.stage === 'bulk')).toBe(true);
    }
    // Opt 1 lowers its loss, and stops before 5000 steps once it has settled.
    const p = losses.filter((e) => e.model === 'bulk proportions');
    expect(p.at(-1)!.loss).toBeLessThan(p[0]!.loss * 0.5);
    expect(out.steps.proportions).toBeLessThan(5000);
    expect(out.steps.geneScale).toBe(20);
  });

  it('finds the same fractions with the clusters numbered in another order', async () => {
    const c = pseudoBulkCase(11, 3, 6);
    const perm = [2, 0, 1];
    const labels = Int32Array.from(c.labels, (k) => perm[k]!);
    const out = await deconvolve(
      inputOf(c.raw, labels, 3, c.bulk, c.d.geneIds),
      bulkDefaults,
      createContext(tf, createRng(1)),
    );
    const err = proportionError(out, labels, c.trueLabels, c.truth);
    console.log(`synthetic 3 types, permuted clusters: MAE ${err.mae.toFixed(4)}`);
    expect(err.mae).toBeLessThan(0.03);
    expect(err.clusterLabel).toEqual(perm.map((_, k) => c.d.typeNames[perm.indexOf(k)]));
    // Cluster perm[k] carries type k's share of each sample.
    for (let s = 0; s < 6; s++)
      for (let k = 0; k < 3; k++) {
        const truth = c.truth.find((t) => t.sample === `s${s}` && t.label === c.d.typeNames[k])!.proportion;
        expect(Math.abs(out.proportions[s * 3 + perm[k]!]! - truth)).toBeLessThan(0.08);
      }
  });

  it('raises a gene the single-cell counts never saw but the bulk has (opt 2)', async () => {
    const c = pseudoBulkCase(5, 3, 8);
    // The most expressed gene of type 0 relative to the others: drop it from the single-cell counts.
    const G = c.raw.nCols;
    const sumBy = new Float64Array(3 * G);
    const size = [0, 0, 0];
    for (let i = 0; i < c.raw.nRows; i++) {
      const k = c.labels[i]!;
      size[k]!++;
      for (let q = c.raw.indptr[i]!; q < c.raw.indptr[i + 1]!; q++)
        sumBy[k * G + c.raw.indices[q]!]! += c.raw.values[q]!;
    }
    let gene = 0;
    let best = -Infinity;
    for (let g = 0; g < G; g++) {
      const m0 = sumBy[g]! / size[0]!;
      const rest = (sumBy[G + g]! / size[1]! + sumBy[2 * G + g]! / size[2]!) / 2;
      if (m0 - 3 * rest > best) [best, gene] = [m0 - 3 * rest, g];
    }
    const trueMean = sumBy[gene]! / size[0]!;
    const b = new CsrBuilder(G);
    for (let i = 0; i < c.raw.nRows; i++) {
      for (let q = c.raw.indptr[i]!; q < c.raw.indptr[i + 1]!; q++)
        if (c.raw.indices[q] !== gene) b.push(c.raw.indices[q]!, c.raw.values[q]!);
      b.endRow();
    }
    const raw = b.finish();
    const scale = Float64Array.from({ length: raw.nRows }, (_, i) => 0.5 + (i % 3) * 0.25);
    const out = await deconvolve(
      inputOf(raw, c.labels, 3, c.bulk, c.d.geneIds, scale),
      bulkDefaults,
      createContext(tf, createRng(1)),
    );
    // Profiles are in mean s_i·count per cell: divided by the cluster's mean s_i they are counts again.
    const sbar = (cluster: number): number =>
      c.labels.reduce((a, k, i) => (k === cluster ? a + scale[i]! : a), 0) / size[cluster]!;
    const raised = out.profiles[gene]! / sbar(0);
    console.log(
      `gene ${gene} absent from the single-cell counts: type 0 profile ${raised.toFixed(3)} (true mean ` +
        `${trueMean.toFixed(3)}), types 1, 2: ${(out.profiles[G + gene]! / sbar(1)).toFixed(3)}, ` +
        `${(out.profiles[2 * G + gene]! / sbar(2)).toFixed(3)} (true ${(sumBy[G + gene]! / size[1]!).toFixed(3)}, ` +
        `${(sumBy[2 * G + gene]! / size[2]!).toFixed(3)}); gene scale ${out.geneScale[gene]!.toFixed(3)}`,
    );
    expect(out.scProfiles[gene]).toBe(0);
    expect(raised).toBeGreaterThan(0.5 * trueMean);
    expect(raised).toBeLessThan(1.5 * trueMean);
    // The other types, which hardly express it, get much less of it.
    expect(out.profiles[G + gene]!).toBeLessThan(out.profiles[gene]! / 2);
    expect(out.profiles[2 * G + gene]!).toBeLessThan(out.profiles[gene]! / 2);
    // Profiles are scProfiles (mean s_i·count) wherever the bulk changed nothing; the scale is >= 1.
    expect(Math.min(...out.geneScale)).toBeGreaterThanOrEqual(1);
    expect(out.profiles.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
  });

  it('gives an empty cluster proportion 0 and stops opt 1 at maxSteps', async () => {
    const c = pseudoBulkCase(3, 3, 4);
    // Cluster 1 of 4 holds no cell: labels 0, 2, 3.
    const labels = Int32Array.from(c.labels, (k) => (k === 0 ? 0 : k + 1));
    const before = tf.memory().numTensors;
    const params = {
      ...bulkDefaults,
      proportions: { ...bulkDefaults.proportions, maxSteps: 25, tolerance: 0 },
      profiles: { ...bulkDefaults.profiles, maxSteps: 0 },
    };
    const out = await deconvolve(
      inputOf(c.raw, labels, 4, c.bulk, c.d.geneIds),
      params,
      createContext(tf, createRng(1)),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(out.steps).toEqual({ proportions: 25, profiles: 0, geneScale: 20 });
    expect(Number.isFinite(out.losses.profiles)).toBe(true);
    for (let s = 0; s < 4; s++) expect(out.proportions[s * 4 + 1]).toBe(0);
    expect(out.proportions.every((v) => Number.isFinite(v))).toBe(true);
    for (let g = 0; g < c.raw.nCols; g++) expect(out.profiles[c.raw.nCols + g]).toBe(0);
  });

  it('scProfiles are each cluster mean of s_i·count over all genes', async () => {
    const b = new CsrBuilder(3);
    // cluster 0: cells (1,0,2) s=1 and (3,0,0) s=2; cluster 1: (0,4,1) s=0.5
    for (const row of [
      [1, 0, 2],
      [3, 0, 0],
      [0, 4, 1],
    ]) {
      row.forEach((v, j) => v && b.push(j, v));
      b.endRow();
    }
    const raw = b.finish();
    const bulk: BulkMatrix = {
      name: 'b',
      geneIds: ['a', 'b', 'c'],
      sampleIds: ['x'],
      values: Float64Array.from([5, 4, 3]),
    };
    const out = await deconvolve(
      {
        raw,
        scale: Float64Array.from([1, 2, 0.5]),
        labels: Int32Array.from([0, 0, 1]),
        nClusters: 2,
        bulk,
        match: matchBulkGenes(bulk, ['a', 'b', 'c'], { minGenes: 1, minGeneFraction: 0 }),
      },
      bulkDefaults,
      createContext(tf, createRng(1)),
    );
    expect(Array.from(out.scProfiles)).toEqual([3.5, 0, 1, 0, 2, 0.5]);
  });
});
