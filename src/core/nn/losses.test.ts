import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { batchLoss, lossWithGradients, TERM_NAMES, type BatchTensors, type LossWeights } from './losses.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// x = [[1,0],[2,3]], x̂ = [[1.5,0],[1,3]]: squared errors [[0.25,0],[1,0]], Σ = 1.25, per cell e = [0.25, 1].
const tiny = () => ({
  x: tf.tensor2d([
    [1, 0],
    [2, 3],
  ]),
  recon: tf.tensor2d([
    [1.5, 0],
    [1, 3],
  ]),
  // LTMG states: Σ E⊙T = 0.25·2 + 1·0 = 0.5
  entryWeights: tf.tensor2d([
    [2, 1],
    [0, 1],
  ]),
  // Σ c_i e_i = 3·0.25 + 10·1 = 10.75
  cellWeights: tf.tensor2d([[3], [10]]),
  // Non-zeros of t at (0,1) and (1,0): (0−2)² + (1−2)² = 5, ‖·‖ = √5
  observedTarget: tf.tensor2d([
    [0, 2],
    [2, 0],
  ]),
});
// Σ|θ| = 3.5, Σθ² = 5.25
const params = () => [tf.tensor1d([1, -2]), tf.tensor2d([[0.5]])];
const weights: LossWeights = {
  mseWeight: 0.1,
  ltmgWeight: 0.9,
  l1: 1,
  l2: 0.5,
  observedWeight: 2,
  reduction: 'sum',
};
// B = 2 cells of N = 8: penalties × 1/4, observed norm × 1/2.
const fraction = 0.25;
const expectedSum = {
  mse: 0.1 * 1.25,
  ltmg: 0.9 * 0.5,
  cell: 10.75,
  observed: 2 * 0.5 * Math.sqrt(5),
  l1: 1 * 0.25 * 3.5,
  l2: 0.5 * 0.25 * 5.25,
};

function termsOf(t: tf.Tensor): Record<string, number> {
  const v = t.dataSync();
  return Object.fromEntries(TERM_NAMES.map((n, i) => [n, v[i]!]));
}

describe('autoencoder losses', () => {
  it('weighted SSE, LTMG, cell weights, observed norm and L1/L2 on a hand-checked example', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const b = tiny();
      for (const f of [batchLoss, lossWithGradients]) {
        const out = f(tf, b, weights, params(), fraction);
        const terms = termsOf(out.terms);
        for (const [k, v] of Object.entries(expectedSum)) expect(terms[k]).toBeCloseTo(v, 5);
        const mean = termsOf(f(tf, b, { ...weights, reduction: 'mean' }, params(), fraction).terms);
        // 'mean' divides every term by B·genes = 4.
        for (const [k, v] of Object.entries(expectedSum)) expect(mean[k]).toBeCloseTo(v / 4, 5);
      }
      const total = batchLoss(tf, b, weights, params(), fraction).total.dataSync()[0]!;
      const sum = Object.values(expectedSum).reduce((a, c) => a + c, 0);
      expect(total).toBeCloseTo(sum, 4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the observed term (scGNN 2.0) and its written-out gradient match central finite differences', () => {
    tf.tidy(() => {
      const { recon, observedTarget } = tiny();
      const w: LossWeights = {
        mseWeight: 0,
        ltmgWeight: 0,
        l1: 0,
        l2: 0,
        observedWeight: 2,
        reduction: 'sum',
      };
      // t = [[0,3],[2,0]]: only (0,1) and (1,0) count; residuals x̂ − t = −3 and −1 → ‖·‖ = √10.
      const t = tf.tensor2d([
        [0, 3],
        [2, 0],
      ]);
      const x = observedTarget; // the SSE target plays no part with mseWeight 0
      const value = (r: number[]): number =>
        batchLoss(tf, { x, recon: tf.tensor2d(r, [2, 2]), observedTarget: t }, w, [], 1).total.dataSync()[0]!;
      const r0 = Array.from(recon.dataSync());
      expect(value(r0)).toBeCloseTo(2 * Math.sqrt(10), 5);
      const { dRecon } = lossWithGradients(tf, { x, recon, observedTarget: t }, w, [], 1);
      const g = Array.from(dRecon.dataSync());
      // d/dx̂ = w·(x̂ − t)⊙[t ≠ 0] / ‖·‖: [0, −6/√10; −2/√10, 0]
      expect(g[0]).toBe(0);
      expect(g[3]).toBe(0);
      expect(g[1]).toBeCloseTo(-6 / Math.sqrt(10), 5);
      expect(g[2]).toBeCloseTo(-2 / Math.sqrt(10), 5);
      const h = 1e-2;
      for (let k = 0; k < 4; k++) {
        const up = [...r0];
        const down = [...r0];
        up[k]! += h;
        down[k]! -= h;
        expect(g[k]!, `entry ${k}`).toBeCloseTo((value(up) - value(down)) / (2 * h), 3);
      }
    });
  });

  it('zero weights switch terms off; the observed target defaults to x', () => {
    tf.tidy(() => {
      const { x, recon } = tiny();
      const plain: LossWeights = { mseWeight: 1, ltmgWeight: 0, l1: 0, l2: 0, reduction: 'sum' };
      expect(termsOf(batchLoss(tf, { x, recon }, plain, params(), 1).terms)).toEqual({
        mse: 1.25,
        ltmg: 0,
        cell: 0,
        observed: 0,
        l1: 0,
        l2: 0,
      });
      // Non-zeros of x: (0,0), (1,0), (1,1): residuals 0.5, −1, 0 → √1.25.
      const obs = termsOf(
        lossWithGradients(tf, { x, recon }, { ...plain, mseWeight: 0, observedWeight: 1 }, [], 1).terms,
      );
      expect(obs.observed).toBeCloseTo(Math.sqrt(1.25), 6);
      expect(() => batchLoss(tf, { x, recon }, { ...plain, ltmgWeight: 1 }, [], 1)).toThrow(/entry weights/);
    });
  });

  it('explicit gradients equal tf autodiff of the same loss', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const rng = createRng(11);
      const rand = (r: number, c: number, zeros = 0) =>
        tf.tensor2d(
          Float32Array.from({ length: r * c }, () => (rng.next() < zeros ? 0 : rng.next() * 3)),
          [r, c],
        );
      const batch: Omit<BatchTensors, 'recon'> = {
        x: rand(5, 7, 0.4),
        entryWeights: rand(5, 7, 0.5),
        cellWeights: rand(5, 1),
        observedTarget: rand(5, 7, 0.5),
      };
      const recon = rand(5, 7);
      // Parameters away from 0, where |θ| is differentiable.
      const ps = [tf.tensor2d([[0.3, -1.2, 2]]), tf.tensor1d([-0.7, 0.4])];
      for (const reduction of ['sum', 'mean'] as const) {
        const w: LossWeights = { ...weights, reduction };
        const auto = tf.grads(
          (r: tf.Tensor, p0: tf.Tensor, p1: tf.Tensor) =>
            batchLoss(tf, { ...batch, recon: r as tf.Tensor2D }, w, [p0, p1], 0.3).total,
        )([recon, ...ps]);
        const mine = lossWithGradients(tf, { ...batch, recon }, w, ps, 0.3);
        const got = [mine.dRecon, ...mine.dParams.map((d) => d!)];
        got.forEach((g, i) => {
          const diff = tf.max(tf.abs(tf.sub(g, auto[i]!))).dataSync()[0]!;
          const scale = tf.max(tf.abs(auto[i]!)).dataSync()[0]!;
          expect(scale).toBeGreaterThan(0);
          expect(diff).toBeLessThan(1e-5 * Math.max(1, scale));
        });
      }
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('returns the penalty gradient as coefficients, and leaves dParams out on request', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 0, 2]]);
      const recon = tf.tensor2d([[0.5, 0.5, 2]]);
      const p = tf.tensor1d([0.3, 0, -2]);
      const w: LossWeights = { mseWeight: 1, ltmgWeight: 0, l1: 0.7, l2: 0.2, reduction: 'sum' };
      const full = lossWithGradients(tf, { x, recon }, w, [p], 0.5);
      // d/dθ = (B/N)·(l1·sign θ + 2·l2·θ), sign 0 = 0.
      expect(full.penalty.l1).toBeCloseTo(0.35, 12);
      expect(full.penalty.l2).toBeCloseTo(0.2, 12);
      const want = [0.35 + 0.2 * 0.3, 0, -0.35 - 0.2 * 2];
      Array.from(full.dParams[0]!.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
      const lean = lossWithGradients(tf, { x, recon }, w, [p], 0.5, { penaltyGradients: false });
      expect(lean.dParams).toEqual([null]);
      expect(Array.from(lean.terms.dataSync())).toEqual(Array.from(full.terms.dataSync()));
      expect(Array.from(lean.dRecon.dataSync())).toEqual(Array.from(full.dRecon.dataSync()));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
