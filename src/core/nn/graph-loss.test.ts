/**
 * The graph autoencoder losses (graph-loss.ts) against values worked out on paper, CPU backend.
 * sp(x) = ln(1 + eˣ) (softplus), σ the logistic function.
 *
 * - Path 0 - 1 - 2, z = (1, 0, -1) (one latent dimension): logits x = z zᵀ, labels A + I, P = 7 positives, so
 *   pos_weight = (9 - 7) / 7 = 2/7 and norm = 9 / (2 · 2) = 9/4. The positives have x = 1 twice ((0,0),
 *   (2,2)) and x = 0 five times, the non-edges (0,2), (2,0) have x = -1:
 *   L = norm/9 · (pos_weight · (5 ln 2 + 2 sp(-1)) + 2 sp(-1)); plain BCE: (5 ln 2 + 4 sp(-1)) / 9.
 *   dL/dZ = 2 G Z with G_ij = norm/9 ((1 - y) σ(x) - pos_weight · y · (1 - σ(x))): dZ = (-k, 0, k), k = 2 ·
 *   norm/9 · (1 + pos_weight) σ(-1).
 * - Path 0 - 1 - 2 - 3, z = (1, 0.5, 0, -1): P = 10, pos_weight = 0.6, norm = 4/3; the sampled permutation
 *   (2, 3, 0, 1) keeps 4 non-edge pairs ((0,2), (1,3) both ways) with scale (16 - 10) / 4 = 1.5, so the
 *   sparse estimate's non-edge part is 3 (sp(0) + sp(-0.5)) where the dense one is 2 (sp(0) + sp(-1) +
 *   sp(-0.5)).
 * - KL: μ = (1, 0), log σ² = (0, ln 2): KL = -0.5/4 · ((1 - 1 - 1) + (1 + ln 2 - 2)) = (2 - ln 2) / 8.
 * - Gradients of the sparse loss against central finite differences (float32 CPU).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { symmetricGraph, type CellGraph } from '../graph/cell-graph.ts';
import { createRng } from '../rng.ts';
import {
  denseLabels,
  denseReconLoss,
  klTerm,
  nonEdgeMask,
  reconWeights,
  sparseReconLoss,
  type NegativeSample,
} from './graph-loss.ts';
import {
  graphTensors,
  paddedGraph,
  randomPermutations,
  rowPermutations,
  type RowPermutations,
} from './graph-ops.ts';

const sp = (x: number): number => Math.log(1 + Math.exp(x));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function path(n: number): CellGraph {
  const from = Array.from({ length: n - 1 }, (_, i) => i);
  return symmetricGraph(
    n,
    from,
    from.map((i) => i + 1),
    from.map(() => 1),
  );
}

async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

function negatives(perms: RowPermutations, pg: ReturnType<typeof paddedGraph>): NegativeSample {
  const { keep, scale } = nonEdgeMask(pg, perms);
  return {
    fwd: tf.tensor1d(perms.fwd, 'int32'),
    inv: tf.tensor1d(perms.inv, 'int32'),
    m: perms.m,
    keep: tf.tensor2d(keep, [perms.m, perms.n]),
    scale,
  };
}

function disposeNegatives(s: NegativeSample): void {
  tf.dispose([s.fwd, s.inv, s.keep]);
}

describe('graph autoencoder losses (graph-loss.ts)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reconWeights and denseLabels follow the reference formulas', () => {
    expect(reconWeights(3, 7, true)).toEqual({ posWeight: 2 / 7, norm: 9 / 4 });
    expect(reconWeights(4, 10, true)).toEqual({ posWeight: 0.6, norm: 16 / 12 });
    expect(reconWeights(4, 10, false)).toEqual({ posWeight: 1, norm: 1 });
    const pg = paddedGraph(path(3), true);
    expect(pg.nPositive).toBe(7);
    expect([...denseLabels(pg)]).toEqual([1, 1, 0, 1, 1, 1, 0, 1, 1]);
    expect(() => denseLabels(paddedGraph(path(3), false))).toThrow(/self loops/);
  });

  it('dense loss and gradient on a 3-node path equal the hand computation (weighted and plain BCE)', async () => {
    const before = tf.memory().numTensors;
    const pg = paddedGraph(path(3), true);
    const labels = tf.tensor2d(denseLabels(pg), [3, 3]);
    const z = tf.tensor2d([1, 0, -1], [3, 1]);
    const w = reconWeights(3, pg.nPositive, true);
    const r = denseReconLoss(tf, z, labels, w);
    const expected = (9 / 4 / 9) * ((2 / 7) * (5 * Math.LN2 + 2 * sp(-1)) + 2 * sp(-1));
    expect((await r.loss.data())[0]).toBeCloseTo(expected, 6);
    const k = 2 * (9 / 4 / 9) * (1 + 2 / 7) * sigmoid(-1);
    const dZ = await values(r.dZ);
    [-k, 0, k].forEach((v, i) => expect(dZ[i]).toBeCloseTo(v, 6));

    const plain = denseReconLoss(tf, z, labels, reconWeights(3, pg.nPositive, false));
    expect((await plain.loss.data())[0]).toBeCloseTo((5 * Math.LN2 + 4 * sp(-1)) / 9, 6);
    tf.dispose([labels, z, r.loss, r.dZ, plain.loss, plain.dZ]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('nonEdgeMask and the sparse estimate on a 4-node path equal the hand computation', async () => {
    const before = tf.memory().numTensors;
    const pg = paddedGraph(path(4), true);
    expect(pg.nPositive).toBe(10);
    const gt = graphTensors(tf, pg);
    const labels = tf.tensor2d(denseLabels(pg), [4, 4]);
    const z = tf.tensor2d([1, 0.5, 0, -1], [4, 1]);
    const w = reconWeights(4, 10, true);
    const c = w.norm / 16;
    // Positives: (0,0), (3,3) at x = 1; (0,1), (1,0) at 0.5; (1,1) at 0.25; five at 0.
    const pos = 2 * sp(-1) + 2 * sp(-0.5) + sp(-0.25) + 5 * Math.LN2;

    const dense = denseReconLoss(tf, z, labels, w);
    expect((await dense.loss.data())[0]).toBeCloseTo(c * (0.6 * pos + 2 * (Math.LN2 + sp(-1) + sp(-0.5))), 6);

    // (2, 3, 0, 1): every pair is a non-edge.
    const swap = rowPermutations(4, [Int32Array.from([2, 3, 0, 1])]);
    expect([...swap.inv]).toEqual([2, 3, 0, 1]);
    const mask = nonEdgeMask(pg, swap);
    expect([...mask.keep]).toEqual([1, 1, 1, 1]);
    expect(mask.scale).toBe(1.5);
    const s1 = negatives(swap, pg);
    const sparse = sparseReconLoss(tf, gt, z, s1, w);
    expect((await sparse.loss.data())[0]).toBeCloseTo(c * (0.6 * pos + 3 * (Math.LN2 + sp(-0.5))), 6);

    // (1, 2, 3, 0): (0,1), (1,2), (2,3) are edges, only (3,0) is kept, with scale 6.
    const shift = rowPermutations(4, [Int32Array.from([1, 2, 3, 0])]);
    expect([...shift.inv]).toEqual([3, 0, 1, 2]);
    const m2 = nonEdgeMask(pg, shift);
    expect([...m2.keep]).toEqual([0, 0, 0, 1]);
    expect(m2.scale).toBe(6);
    const s2 = negatives(shift, pg);
    const sparse2 = sparseReconLoss(tf, gt, z, s2, w);
    expect((await sparse2.loss.data())[0]).toBeCloseTo(c * (0.6 * pos + 6 * sp(-1)), 6);

    // The identity only samples self pairs: nothing kept, scale 0, the positive part alone.
    const id = rowPermutations(4, [Int32Array.from([0, 1, 2, 3])]);
    const m3 = nonEdgeMask(pg, id);
    expect([...m3.keep]).toEqual([0, 0, 0, 0]);
    expect(m3.scale).toBe(0);
    const s3 = negatives(id, pg);
    const sparse3 = sparseReconLoss(tf, gt, z, s3, w);
    expect((await sparse3.loss.data())[0]).toBeCloseTo(c * 0.6 * pos, 6);

    expect(() => nonEdgeMask(paddedGraph(path(4), false), id)).toThrow(/self loops/);
    const noSelf = graphTensors(tf, paddedGraph(path(4), false));
    expect(() => sparseReconLoss(tf, noSelf, z, s3, w)).toThrow(/self loops/);
    noSelf.dispose();

    for (const s of [s1, s2, s3]) disposeNegatives(s);
    tf.dispose([labels, z, dense.loss, dense.dZ, sparse.loss, sparse.dZ, sparse2.loss, sparse2.dZ]);
    tf.dispose([sparse3.loss, sparse3.dZ]);
    gt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sparse loss gradient equals central finite differences (random z, two random permutations)', async () => {
    const g = symmetricGraph(6, [0, 1, 2, 3, 4, 0], [1, 2, 3, 4, 5, 3], [1, 1, 1, 1, 1, 1]);
    const pg = paddedGraph(g, true);
    const gt = graphTensors(tf, pg);
    const s = negatives(randomPermutations(6, 2, createRng(21)), pg);
    expect(s.scale).toBeGreaterThan(0);
    const w = reconWeights(6, pg.nPositive, true);
    const rng = createRng(22);
    const base = Array.from({ length: 12 }, () => rng.normal());
    const lossAt = async (vals: number[]): Promise<number> => {
      const z = tf.tensor2d(vals, [6, 2]);
      const r = sparseReconLoss(tf, gt, z, s, w);
      const v = (await r.loss.data())[0]!;
      tf.dispose([z, r.loss, r.dZ]);
      return v;
    };
    const z0 = tf.tensor2d(base, [6, 2]);
    const r0 = sparseReconLoss(tf, gt, z0, s, w);
    const grad = await values(r0.dZ);
    const h = 1e-3;
    for (let i = 0; i < base.length; i++) {
      const plus = base.slice();
      plus[i]! += h;
      const minus = base.slice();
      minus[i]! -= h;
      const fd = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * h);
      expect(Math.abs(fd - grad[i]!)).toBeLessThan(2e-4 + 1e-3 * Math.abs(grad[i]!));
    }
    expect(grad.some((v) => Math.abs(v) > 1e-2)).toBe(true);
    tf.dispose([z0, r0.loss, r0.dZ]);
    disposeNegatives(s);
    gt.dispose();
  });

  it('KL term and its gradients equal the hand computation and finite differences', async () => {
    const mu = tf.tensor2d([1, 0], [2, 1]);
    const logvar = tf.tensor2d([0, Math.LN2], [2, 1]);
    const kl = klTerm(tf, mu as Tensor2D, logvar as Tensor2D);
    expect((await kl.loss.data())[0]).toBeCloseTo((2 - Math.LN2) / 8, 6);
    // dμ = μ / N², d log σ² = -0.5 (1 - σ²) / N².
    expect(await values(kl.dMu)).toEqual([0.25, 0]);
    const dLv = await values(kl.dLogvar);
    expect(dLv[0]).toBeCloseTo(0, 7);
    expect(dLv[1]).toBeCloseTo(0.125, 6);

    const rng = createRng(23);
    const m = Array.from({ length: 6 }, () => rng.normal());
    const lv = Array.from({ length: 6 }, () => rng.normal());
    const klAt = async (mv: number[], lvv: number[]): Promise<number> => {
      const a = tf.tensor2d(mv, [3, 2]);
      const b = tf.tensor2d(lvv, [3, 2]);
      const r = klTerm(tf, a, b);
      const v = (await r.loss.data())[0]!;
      tf.dispose([a, b, r.loss, r.dMu, r.dLogvar]);
      return v;
    };
    const a0 = tf.tensor2d(m, [3, 2]);
    const b0 = tf.tensor2d(lv, [3, 2]);
    const r0 = klTerm(tf, a0, b0);
    const gMu = await values(r0.dMu);
    const gLv = await values(r0.dLogvar);
    const h = 1e-3;
    for (let i = 0; i < 6; i++) {
      const up = (arr: number[], d: number): number[] => arr.map((v, j) => (j === i ? v + d : v));
      const fdMu = ((await klAt(up(m, h), lv)) - (await klAt(up(m, -h), lv))) / (2 * h);
      const fdLv = ((await klAt(m, up(lv, h))) - (await klAt(m, up(lv, -h)))) / (2 * h);
      expect(Math.abs(fdMu - gMu[i]!)).toBeLessThan(2e-4);
      expect(Math.abs(fdLv - gLv[i]!)).toBeLessThan(2e-4);
    }
    tf.dispose([mu, logvar, kl.loss, kl.dMu, kl.dLogvar, a0, b0, r0.loss, r0.dMu, r0.dLogvar]);
  });
});
