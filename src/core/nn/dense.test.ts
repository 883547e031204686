import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { dense, denseBackward, denseForward, denseTrainForward, type GradientMode } from './dense.ts';

function random(shape: [number, number] | [number], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  );
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('dense layer', () => {
  it('computes relu(x·W + b) on a hand-checked example', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([
      [1, 2],
      [-1, 0],
    ]);
    const w = tf.tensor2d([
      [1, -1, 0.5],
      [2, 1, -1],
    ]);
    const b = tf.tensor1d([0, 0.5, -1]);
    // Row 1: [1+4, -1+2+0.5, 0.5-2-1] = [5, 1.5, -2.5] → relu [5, 1.5, 0]
    // Row 2: [-1, 1+0.5, -0.5-1] = [-1, 1.5, -1.5] → relu [0, 1.5, 0]
    const y = dense(tf, x, w, b, { activation: 'relu', inputGrad: true });
    expect(Array.from(y.dataSync())).toEqual([5, 1.5, 0, 0, 1.5, 0]);
    const lin = dense(tf, x, w, b, { activation: 'linear', inputGrad: false });
    expect(Array.from(lin.dataSync())).toEqual([5, 1.5, -2.5, -1, 1.5, -1.5]);
    tf.dispose([x, w, b, y, lin]);
    expect(tf.memory().numTensors).toBe(before);
  });

  // Shapes chosen so that both ways of computing dy·Wᵀ run: transposing W (small layer) and
  // (W·dyᵀ)ᵀ (wide layer, small batch).
  it.each([
    ['small layer', 7, 5, 4],
    ['wide layer, small batch', 3, 40, 30],
  ])('custom gradients equal tf autodiff (%s)', (_name, batch, inDim, outDim) => {
    const before = tf.memory().numTensors;
    for (const activation of ['relu', 'linear'] as const) {
      for (const inputGrad of [true, false]) {
        const x = random([batch, inDim], 1) as tf.Tensor2D;
        const w = random([inDim, outDim], 2) as tf.Tensor2D;
        const b = random([outDim], 3) as tf.Tensor1D;
        const probe = random([batch, outDim], 4); // a non-uniform upstream gradient
        const lossOf = (mode: GradientMode) => (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
          tf.sum(
            tf.mul(
              dense(tf, xs as tf.Tensor2D, ws as tf.Tensor2D, bs as tf.Tensor1D, {
                activation,
                inputGrad,
                gradient: mode,
              }),
              probe,
            ),
          );
        // Without inputGrad the input is data: differentiate with respect to W and b only.
        const gradsOf = (mode: GradientMode): tf.Tensor[] =>
          inputGrad
            ? tf.grads(lossOf(mode))([x, w, b])
            : tf.grads((ws: tf.Tensor, bs: tf.Tensor) => lossOf(mode)(x, ws, bs))([w, b]);
        const custom = gradsOf('custom');
        const auto = gradsOf('autodiff');
        expect(custom.length).toBe(auto.length);
        custom.forEach((g, i) => expect(maxAbsDiff(g, auto[i]!)).toBeLessThan(1e-5));
        // The gradients are not trivially zero.
        for (const g of auto) expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0])).toBeGreaterThan(0.1);
        tf.dispose([x, w, b, probe, ...custom, ...auto]);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('denseBackward gives the same result with explicit transposes and with transposed products', () => {
    tf.tidy(() => {
      const x = random([6, 9], 5) as tf.Tensor2D;
      const w = random([9, 4], 6) as tf.Tensor2D;
      const dy = random([6, 4], 7) as tf.Tensor2D;
      const y = tf.relu(tf.matMul(x, w)) as tf.Tensor2D;
      const a = denseBackward(tf, dy, x, w, y, 'relu', true, 'custom');
      const b = denseBackward(tf, dy, x, w, y, 'relu', true, 'autodiff');
      expect(maxAbsDiff(a.dx!, b.dx!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(a.dw, b.dw)).toBeLessThan(1e-5);
      expect(maxAbsDiff(a.db, b.db)).toBeLessThan(1e-5);
      expect(denseBackward(tf, dy, x, w, y, 'relu', false).dx).toBeUndefined();
    });
  });

  it('denseTrainForward (Wᵀ·xᵀ)ᵀ and the backward pass reusing its transposes match the plain ones', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      // [in, out] = [40, 6]: batch 3 takes the transposed path (3·46 ≤ 240), batch 20 the plain one;
      // [6, 40] (widening) always the plain one.
      for (const [rows, inDim, outDim, transposed] of [
        [3, 40, 6, true],
        [20, 40, 6, false],
        [3, 6, 40, false],
      ] as const) {
        const x = random([rows, inDim], 11) as tf.Tensor2D;
        const w = random([inDim, outDim], 12) as tf.Tensor2D;
        const b = random([outDim], 13) as tf.Tensor1D;
        const dy = random([rows, outDim], 14) as tf.Tensor2D;
        const plain = denseForward(tf, x, w, b, 'relu');
        const cache = denseTrainForward(tf, x, w, b, 'relu');
        expect(cache.wT !== undefined).toBe(transposed);
        expect(maxAbsDiff(cache.y, plain)).toBeLessThan(1e-5);
        // A given xᵀ is used (and handed back).
        expect(denseTrainForward(tf, x, w, b, 'relu', tf.transpose(x)).xT).toBeDefined();
        const g0 = denseBackward(tf, dy, x, w, plain, 'relu', true);
        const g1 = denseBackward(tf, dy, x, w, cache.y, 'relu', true, 'custom', cache);
        expect(maxAbsDiff(g0.dx!, g1.dx!)).toBeLessThan(1e-5);
        expect(maxAbsDiff(g0.dw, g1.dw)).toBeLessThan(1e-5);
        expect(maxAbsDiff(g0.db, g1.db)).toBeLessThan(1e-5);
      }
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
