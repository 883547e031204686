/**
 * The GCN encoder (gcn.ts) on hand-checkable inputs, CPU backend.
 *
 * - Forward: the path graph 0 - 1 - 2 with self loops has degrees D̃ = (2, 3, 2), so with s = 1/√6
 *   Â = [[1/2, s, 0], [s, 1/3, s], [0, s, 1/2]]. With X = [[1, 0], [0, 1], [1, 1]], W1 = [[1, -1], [0.5, 1]]
 *   and W_out = [[1], [-1]] (plain GAE), H = relu(Â X W1) = [[1/2 + s/2, 0], [5s/2 + 1/6, 0], [3/4 + s/2,
 *   s]] and μ = Â H W_out = (2/3 + 5s/12, 25s/12 + 1/18, 19/24 - s/12), worked out on paper. The VAE's log
 *   σ² column with W_out = [[1, 0], [-1, 2]] is Â (H (0, 2)ᵀ) = Â (0, 0, 2s)ᵀ = (0, 1/3, s).
 * - Backward: every entry of gcnStep's written-out gradient against central finite differences of its own
 *   loss (float32 CPU, step 1e-3), for the VAE (fixed ε, KL included) and the plain GAE.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Tensor2D, Variable } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { symmetricGraph, type CellGraph } from '../graph/cell-graph.ts';
import { createRng } from '../rng.ts';
import { disposeGcn, gcnEncode, gcnEncodeFull, gcnStep, gcnVariables, initGcn, type GcnVars } from './gcn.ts';
import { denseLabels, denseReconLoss, reconWeights } from './graph-loss.ts';
import { graphTensors, paddedGraph, type GraphTensors } from './graph-ops.ts';

const S = 1 / Math.sqrt(6);

function graphOf(n: number, edges: [number, number][]): CellGraph {
  return symmetricGraph(
    n,
    edges.map((e) => e[0]),
    edges.map((e) => e[1]),
    edges.map(() => 1),
  );
}

function setVar(v: Variable, values: number[]): void {
  const t = tf.tensor(values, v.shape);
  v.assign(t);
  t.dispose();
}

async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe('GCN encoder (gcn.ts)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('propagates a 3-node path graph as computed by hand (GAE μ, VAE μ and log σ²)', async () => {
    const before = tf.memory().numTensors;
    const gt = graphTensors(
      tf,
      paddedGraph(
        graphOf(3, [
          [0, 1],
          [1, 2],
        ]),
        true,
      ),
    );
    const x = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
    const rng = createRng(1);

    const gae = initGcn(tf, rng, 2, 2, 1, false);
    expect(gae.w1.shape).toEqual([2, 2]);
    expect(gae.wOut.shape).toEqual([2, 1]);
    setVar(gae.w1, [1, -1, 0.5, 1]);
    setVar(gae.wOut, [1, -1]);
    const mu = gcnEncode(tf, gt, x, gae);
    expect(mu.shape).toEqual([3, 1]);
    const expectedMu = [2 / 3 + (5 * S) / 12, (25 * S) / 12 + 1 / 18, 19 / 24 - S / 12];
    (await values(mu)).forEach((v, i) => expect(v).toBeCloseTo(expectedMu[i]!, 6));
    const full = gcnEncodeFull(tf, gt, x, gae);
    expect(full.logvar).toBeNull();
    expect(await values(full.mu)).toEqual(await values(mu));

    const vae = initGcn(tf, rng, 2, 2, 1, true);
    expect(vae.wOut.shape).toEqual([2, 2]); // μ | log σ² concatenated
    setVar(vae.w1, [1, -1, 0.5, 1]);
    setVar(vae.wOut, [1, 0, -1, 2]);
    const enc = gcnEncodeFull(tf, gt, x, vae);
    (await values(enc.mu)).forEach((v, i) => expect(v).toBeCloseTo(expectedMu[i]!, 6));
    const expectedLogvar = [0, 1 / 3, S];
    (await values(enc.logvar!)).forEach((v, i) => expect(v).toBeCloseTo(expectedLogvar[i]!, 6));

    tf.dispose([x, mu, full.mu, enc.mu, enc.logvar!]);
    disposeGcn(gae);
    disposeGcn(vae);
    gt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('initialises Xavier-uniform weights within ±√(6 / (fan_in + fan_out)), seeded', async () => {
    const a = initGcn(tf, createRng(7), 8, 4, 3, true);
    const b = initGcn(tf, createRng(7), 8, 4, 3, true);
    const w1 = await values(a.w1);
    expect(w1.every((v) => Math.abs(v) <= Math.sqrt(6 / 12))).toBe(true);
    expect(Math.max(...w1.map(Math.abs))).toBeGreaterThan(0.5 * Math.sqrt(6 / 12));
    // μ and log σ² are each (hidden x latent) Xavier matrices: bound √(6 / (4 + 3)).
    expect((await values(a.wOut)).every((v) => Math.abs(v) <= Math.sqrt(6 / 7))).toBe(true);
    expect(await values(b.w1)).toEqual(w1);
    expect(await values(b.wOut)).toEqual(await values(a.wOut));
    expect(gcnVariables(a)).toEqual([a.w1, a.wOut]);
    disposeGcn(a);
    disposeGcn(b);
  });

  async function checkFiniteDifferences(
    gt: GraphTensors,
    x: Tensor2D,
    vars: GcnVars,
    eps: Tensor2D | null,
    labels: Tensor2D,
    n: number,
  ): Promise<void> {
    const w = reconWeights(n, gt.pg.nPositive, true);
    const lossAt = async (): Promise<number> => {
      const r = gcnStep(tf, gt, x, vars, eps, (z) => denseReconLoss(tf, z, labels, w));
      const v = (await r.loss.data())[0]!;
      tf.dispose([r.loss, r.terms, ...r.grads]);
      return v;
    };
    const step = gcnStep(tf, gt, x, vars, eps, (z) => denseReconLoss(tf, z, labels, w));
    const terms = await values(step.terms);
    expect(terms[0]! + terms[1]!).toBeCloseTo((await step.loss.data())[0]!, 6);
    if (!eps) expect(terms[1]).toBe(0);
    else expect(terms[1]).toBeGreaterThan(0);
    const h = 1e-3;
    const vs = gcnVariables(vars);
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k]!;
      const base = await values(v);
      const grad = await values(step.grads[k]!);
      expect(step.grads[k]!.shape).toEqual(v.shape);
      for (let i = 0; i < base.length; i++) {
        const plus = base.slice();
        plus[i]! += h;
        setVar(v, plus);
        const lp = await lossAt();
        const minus = base.slice();
        minus[i]! -= h;
        setVar(v, minus);
        const lm = await lossAt();
        setVar(v, base);
        const fd = (lp - lm) / (2 * h);
        expect(Math.abs(fd - grad[i]!)).toBeLessThan(2e-4 + 1e-3 * Math.abs(grad[i]!));
      }
    }
    tf.dispose([step.loss, step.terms, ...step.grads]);
  }

  it('gcnStep gradients equal central finite differences (VAE with fixed ε, and plain GAE)', async () => {
    const g = graphOf(5, [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [0, 2],
    ]);
    const pg = paddedGraph(g, true);
    const gt = graphTensors(tf, pg);
    const labels = tf.tensor2d(denseLabels(pg), [5, 5]);
    const rng = createRng(3);
    const x = tf.tensor2d(
      Array.from({ length: 15 }, () => rng.normal()),
      [5, 3],
    );
    const eps = tf.tensor2d(
      Array.from({ length: 10 }, () => rng.normal()),
      [5, 2],
    );
    const vae = initGcn(tf, createRng(4), 3, 4, 2, true);
    await checkFiniteDifferences(gt, x, vae, eps, labels, 5);
    const gae = initGcn(tf, createRng(5), 3, 4, 2, false);
    await checkFiniteDifferences(gt, x, gae, null, labels, 5);
    disposeGcn(vae);
    disposeGcn(gae);
    tf.dispose([labels, x, eps]);
    gt.dispose();
  });
});
