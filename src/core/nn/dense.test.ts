import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { dense, denseBackward, type GradientMode } from './dense.ts';

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
});
