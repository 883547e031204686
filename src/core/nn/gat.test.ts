/**
 * The GAT encoder (gat.ts) on hand-checkable inputs, CPU backend.
 *
 * - One layer, 2 heads of width 1 on the path 0 - 1 - 2 plus an isolated node 3 (no self loops), x = (1, 2,
 *   3, 4), W = [[1, 2]] (head 0 projects to x, head 1 to 2x), a_src = (-1, 1), a_trg = (0.5, 0). Worked out
 *   on paper: nodes 0 and 2 have the single neighbour 1, so α = 1; node 1 has neighbours 0 and 2 with scores
 *   head 0: e = LeakyReLU(-P_j + 0.5 P_1) = (0, LeakyReLU(-2) = -0.4), α = softmax(0, -0.4);
 *   head 1: e = (2, 6), α = softmax(2, 6); node 3 gets α = 0 everywhere. The output is Σ α P_j + skip x +
 *   bias, concatenated over heads or averaged, optionally through ELU.
 * - Backward: every entry of gatStep's written-out gradient (both layers, all five tensors each) against
 *   central finite differences of its own loss (float32 CPU, step 1e-3).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Tensor2D, Variable } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { symmetricGraph, type CellGraph } from '../graph/cell-graph.ts';
import { createRng } from '../rng.ts';
import {
  disposeGat,
  gatAttention,
  gatEncode,
  gatLayer,
  gatStep,
  gatVariables,
  initGat,
  initGatLayer,
  type GatLayerVars,
} from './gat.ts';
import { denseLabels, denseReconLoss, reconWeights } from './graph-loss.ts';
import { graphTensors, paddedGraph } from './graph-ops.ts';

function graphOf(n: number, edges: [number, number][]): CellGraph {
  return symmetricGraph(
    n,
    edges.map((e) => e[0]),
    edges.map((e) => e[1]),
    edges.map(() => 1),
  );
}

function setVar(v: Variable, vals: number[]): void {
  const t = tf.tensor(vals, v.shape);
  v.assign(t);
  t.dispose();
}

async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

function disposeLayer(l: GatLayerVars): void {
  for (const v of [l.w, l.aSrc, l.aTrg, l.skip, l.bias]) v.dispose();
}

/** softmax of two scores: the weight of the first. */
const first = (a: number, b: number): number => 1 / (1 + Math.exp(b - a));
const elu = (v: number): number => (v > 0 ? v : Math.exp(v) - 1);

describe('GAT encoder (gat.ts)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('attention and layer outputs on a 4-node graph match the hand computation', async () => {
    const before = tf.memory().numTensors;
    const pg = paddedGraph(
      graphOf(4, [
        [0, 1],
        [1, 2],
      ]),
      false,
    );
    expect(pg.width).toBe(2);
    const gt = graphTensors(tf, pg);
    const x = tf.tensor2d([1, 2, 3, 4], [4, 1]);
    const layer = initGatLayer(tf, createRng(1), 1, 1, 2, true);
    setVar(layer.w, [1, 2]);
    setVar(layer.aSrc, [-1, 1]);
    setVar(layer.aTrg, [0.5, 0]);
    setVar(layer.skip, [0.1, -0.2]);
    setVar(layer.bias, [0.01, 0.02]);

    const proj = tf.matMul(x, layer.w as Tensor2D) as Tensor2D;
    const alpha = gatAttention(tf, gt, proj, layer);
    expect(alpha.shape).toEqual([4, 2, 2]);
    const a0 = first(0, -0.4); // node 1, head 0, slot of neighbour 0
    const b0 = first(2, 6); // node 1, head 1, slot of neighbour 0
    // [node][slot][head]
    const expectedAlpha = [
      [1, 1, 0, 0],
      [a0, b0, 1 - a0, 1 - b0],
      [1, 1, 0, 0],
      [0, 0, 0, 0],
    ].flat();
    (await values(alpha)).forEach((v, i) => expect(v).toBeCloseTo(expectedAlpha[i]!, 6));

    // Concatenated heads: [Σ α P + 0.1 x + 0.01, Σ α 2P - 0.2 x + 0.02].
    const xs = [1, 2, 3, 4];
    const agg0 = [2, a0 * 1 + (1 - a0) * 3, 2, 0];
    const agg1 = [4, b0 * 2 + (1 - b0) * 6, 4, 0];
    const concat = xs.flatMap((xi, i) => [agg0[i]! + 0.1 * xi + 0.01, agg1[i]! - 0.2 * xi + 0.02]);
    const out = gatLayer(tf, gt, x, layer, false);
    expect(out.shape).toEqual([4, 2]);
    (await values(out)).forEach((v, i) => expect(v).toBeCloseTo(concat[i]!, 5));
    // Node 3 (no edges): skip and bias only, and ELU bends its negative head.
    const outElu = gatLayer(tf, gt, x, layer, true);
    (await values(outElu)).forEach((v, i) => expect(v).toBeCloseTo(elu(concat[i]!), 5));
    expect(concat[7]).toBeCloseTo(-0.78, 10);

    // Averaged heads with one bias: (head 0 + head 1) / 2 + 0.05.
    const meanLayer = initGatLayer(tf, createRng(2), 1, 1, 2, false);
    expect(meanLayer.bias.shape).toEqual([1]);
    setVar(meanLayer.w, [1, 2]);
    setVar(meanLayer.aSrc, [-1, 1]);
    setVar(meanLayer.aTrg, [0.5, 0]);
    setVar(meanLayer.skip, [0.1, -0.2]);
    setVar(meanLayer.bias, [0.05]);
    const mean = gatLayer(tf, gt, x, meanLayer, false);
    expect(mean.shape).toEqual([4, 1]);
    const expectedMean = xs.map((xi, i) => (agg0[i]! + 0.1 * xi + agg1[i]! - 0.2 * xi) / 2 + 0.05);
    (await values(mean)).forEach((v, i) => expect(v).toBeCloseTo(expectedMean[i]!, 5));

    tf.dispose([x, proj, alpha, out, outElu, mean]);
    disposeLayer(layer);
    disposeLayer(meanLayer);
    gt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('initialises the reference shapes and bounds, seeded; the encoder gives [n, latent]', async () => {
    const a = initGat(tf, createRng(3), 6, 4, 3, 2);
    const b = initGat(tf, createRng(3), 6, 4, 3, 2);
    expect(a.layer1.w.shape).toEqual([6, 8]);
    expect(a.layer1.bias.shape).toEqual([8]); // concatenated
    expect(a.layer2.w.shape).toEqual([8, 6]);
    expect(a.layer2.aSrc.shape).toEqual([2, 3]);
    expect(a.layer2.bias.shape).toEqual([3]); // averaged
    expect((await values(a.layer1.w)).every((v) => Math.abs(v) <= Math.sqrt(6 / (6 + 8)))).toBe(true);
    // torch fans of the (1, H, F) scoring tensors: fan_in = H·F = 8, fan_out = F = 4.
    expect((await values(a.layer1.aSrc)).every((v) => Math.abs(v) <= Math.sqrt(6 / 12))).toBe(true);
    expect((await values(a.layer1.skip)).every((v) => Math.abs(v) <= 1 / Math.sqrt(6))).toBe(true);
    expect(await values(a.layer1.bias)).toEqual(new Array(8).fill(0));
    const va = gatVariables(a);
    const vb = gatVariables(b);
    expect(va).toHaveLength(10);
    for (let i = 0; i < va.length; i++) expect(await values(vb[i]!)).toEqual(await values(va[i]!));

    const gt = graphTensors(
      tf,
      paddedGraph(
        graphOf(5, [
          [0, 1],
          [1, 2],
          [3, 4],
        ]),
        false,
      ),
    );
    const x = tf.tensor2d(
      Array.from({ length: 30 }, (_, i) => Math.sin(i)),
      [5, 6],
    );
    const z = gatEncode(tf, gt, x, a);
    expect(z.shape).toEqual([5, 3]);
    const manual = gatLayer(tf, gt, gatLayer(tf, gt, x, a.layer1, true), a.layer2, false);
    expect(await values(z)).toEqual(await values(manual));
    tf.dispose([x, z, manual]);
    gt.dispose();
    disposeGat(a);
    disposeGat(b);
  });

  it('gatStep gradients equal central finite differences for all ten tensors', async () => {
    const g = graphOf(5, [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [0, 2],
    ]);
    const gt = graphTensors(tf, paddedGraph(g, false));
    const pgSelf = paddedGraph(g, true);
    const labels = tf.tensor2d(denseLabels(pgSelf), [5, 5]);
    const w = reconWeights(5, pgSelf.nPositive, false);
    expect(w).toEqual({ posWeight: 1, norm: 1 });
    const rng = createRng(11);
    const x = tf.tensor2d(
      Array.from({ length: 15 }, () => rng.normal()),
      [5, 3],
    );
    const vars = initGat(tf, createRng(12), 3, 2, 2, 2);
    const recon = (z: Tensor2D): ReturnType<typeof denseReconLoss> => denseReconLoss(tf, z, labels, w);
    const lossAt = async (): Promise<number> => {
      const r = gatStep(tf, gt, x, vars, recon);
      const v = (await r.loss.data())[0]!;
      tf.dispose([r.loss, r.terms, ...r.grads]);
      return v;
    };
    const step = gatStep(tf, gt, x, vars, recon);
    expect((await values(step.terms))[1]).toBe(0); // no KL term for the GAT
    const h = 1e-3;
    const vs = gatVariables(vars);
    let checked = 0;
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
        checked++;
      }
    }
    expect(checked).toBe(3 * 4 + 4 + 4 + 3 * 4 + 4 + 4 * 4 + 4 + 4 + 4 * 4 + 2);
    tf.dispose([step.loss, step.terms, ...step.grads, labels, x]);
    disposeGat(vars);
    gt.dispose();
  });
});
