import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { csrFromDense } from '../matrix/csr.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { buildGeneTable, initialParams, sliceCount } from './ltmg-data.ts';
import type { GeneSlice } from './ltmg-data.ts';
import { fitMixture, uploadBlock } from './ltmg-em.ts';
import { fitBlock } from './ltmg-fit.ts';

/** One gene: n cells from a Gaussian mixture; values below q are censored (count 0), the rest are exp(y). */
function sampleGene(seed: number, w: number[], mu: number[], sd: number[], n: number, q: number) {
  const rng = createRng(seed);
  const counts = new Float32Array(n);
  let censored = 0;
  for (let i = 0; i < n; i++) {
    let u = rng.next();
    let k = 0;
    while (k < w.length - 1 && u >= w[k]!) u -= w[k++]!;
    const y = mu[k]! + sd[k]! * rng.normal();
    if (y < q) censored++;
    else counts[i] = Math.exp(y);
  }
  // One extra gene so cells stay "active" (R drops all-zero cells) whatever the draw.
  const dense = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    dense[i * 2] = counts[i]!;
    dense[i * 2 + 1] = 1;
  }
  const table = buildGeneTable(csrFromDense(dense, n, 2), null);
  let from = table.uOffsets[0]!;
  const to = table.uOffsets[1]!;
  while (from < to && table.vals[from]! < q) from++;
  const nObs = sliceCount(table, from, to);
  const slice: GeneSlice = { gene: 0, from, to, nObs, censored: n - nObs, q };
  return { table, slice, censored };
}

describe('left-truncated mixture EM', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('recovers a censored 2-component mixture (means, sds, weights)', async () => {
    const truth = { w: [0.4, 0.6], mu: [1.5, 4], sd: [0.8, 0.6] };
    const { table, slice, censored } = sampleGene(7, truth.w, truth.mu, truth.sd, 6000, 1.2);
    expect(censored).toBeGreaterThan(800); // ~35 % of the first component is below the cut-off
    const init = initialParams(table, slice, 2);
    const block = {
      nGenes: 1,
      width: slice.to - slice.from,
      values: Float32Array.from(table.vals.subarray(slice.from, slice.to)),
      weights: Float32Array.from(table.mult.subarray(slice.from, slice.to)),
      q: Float32Array.of(slice.q),
      censored: Float32Array.of(slice.censored),
    };
    const before = tf.memory().numTensors;
    const bt = uploadBlock(tf, block);
    const ctx = createContext(tf, createRng(1));
    const fit = await fitMixture(
      ctx,
      bt,
      2,
      Float32Array.from(init.means),
      Float32Array.of(init.sd),
      new Uint8Array(1),
      2000,
      1e-7,
    );
    bt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const order = [0, 1].sort((a, b) => fit.mu[a]! - fit.mu[b]!);
    order.forEach((j, i) => {
      expect(Math.abs(fit.mu[j]! - truth.mu[i]!)).toBeLessThan(0.1);
      expect(Math.abs(fit.sd[j]! - truth.sd[i]!)).toBeLessThan(0.08);
      expect(Math.abs(fit.w[j]! - truth.w[i]!)).toBeLessThan(0.04);
    });
    expect(fit.w[0]! + fit.w[1]!).toBeCloseTo(1, 5);
  });

  it('BIC_LTMG picks the true K (3 components, censored) over 2, 4 and 5', async () => {
    const { table, slice } = sampleGene(11, [0.3, 0.45, 0.25], [1, 3.5, 6], [0.5, 0.5, 0.5], 1500, 0.6);
    const ctx = createContext(tf, createRng(1));
    const zcut = Float64Array.of(slice.q, 0);
    const opts = {
      branch: 'ltmg' as const,
      ks: [2, 3, 4, 5],
      maxComponents: 5,
      maxIterations: 200,
      tol: 1e-7,
      zcut,
    };
    const res = await fitBlock(ctx, table, [slice], opts, () => {});
    expect(res.components[0]).toBe(3);
    // States follow the sorted means: low values 0, middle 1, high 2.
    const stateOf = (y: number): number => {
      let i = slice.from;
      while (i < slice.to - 1 && table.vals[i]! < y) i++;
      return res.states[i - slice.from]!;
    };
    expect([stateOf(1), stateOf(3.5), stateOf(6.5)]).toEqual([0, 1, 2]);
  });
});
