import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { FusedAdam, scaledSign } from './adam.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function random(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => (rng.next() < 0.1 ? 0 : (2 * rng.next() - 1) * scale)),
    shape,
  );
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('scaledSign', () => {
  it('equals c·sign(θ) exactly, subnormals, ±0, ±∞ and huge values included', () => {
    const values = [
      0,
      -0,
      1e-45,
      -1e-45,
      1e-40,
      -3e-39,
      1.2e-38,
      1e-7,
      -0.5,
      3,
      -1e30,
      3e38,
      Infinity,
      -Infinity,
    ];
    tf.tidy(() => {
      const theta = tf.tensor1d(values);
      for (const c of [1, 0.37, 1e-6, 250, -0.5]) {
        const got = Array.from(scaledSign(tf, theta, c).dataSync());
        const want = Array.from(tf.mul(tf.sign(theta), c).dataSync());
        expect(got.map((v) => v + 0)).toEqual(want.map((v) => v + 0));
      }
    });
  });
});

describe('FusedAdam', () => {
  it('matches tf.train.adam (with the penalty gradient added to g) to 1e-6 over several steps', () => {
    const shapes = [[7, 5], [5], [3, 4, 2]];
    for (const penalty of [
      { l1: 0, l2: 0 },
      { l1: 0.3, l2: 0 },
      { l1: 0.05, l2: 0.2 },
    ]) {
      const before = tf.memory().numTensors;
      const mine = shapes.map((s, i) => tf.tidy(() => tf.variable(random(s, i + 1), true)));
      const ref = mine.map((v) => tf.tidy(() => tf.variable(tf.clone(v), true)));
      const fused = new FusedAdam(tf, mine, { learningRate: 0.01 });
      const adam = tf.train.adam(0.01);
      for (let step = 0; step < 12; step++) {
        // Gradients of very different scales across steps and variables, some exactly 0.
        const grads = shapes.map((s, i) => random(s, 100 * step + i, 10 ** ((step % 5) - 2)));
        fused.applyGradients(grads, penalty);
        tf.tidy(() => {
          const full = grads.map((g, i) =>
            tf.add(g, tf.add(tf.mul(tf.sign(ref[i]!), penalty.l1), tf.mul(ref[i]!, penalty.l2))),
          );
          adam.applyGradients(ref.map((v, i) => ({ name: v.name, tensor: full[i]! })));
        });
        tf.dispose(grads);
        for (let i = 0; i < shapes.length; i++) expect(maxAbsDiff(mine[i]!, ref[i]!)).toBeLessThan(1e-6);
      }
      expect(fused.iterations).toBe(12);
      // The parameters really moved (12 steps of ~lr each).
      expect(tf.tidy(() => maxAbsDiff(mine[0]!, random(shapes[0]!, 1)))).toBeGreaterThan(0.05);
      fused.dispose();
      adam.dispose();
      tf.dispose([...mine, ...ref]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('rejects a gradient list of the wrong length', () => {
    const v = tf.variable(tf.zeros([2]));
    const opt = new FusedAdam(tf, [v], { learningRate: 1e-3 });
    expect(() => opt.applyGradients([])).toThrow(RangeError);
    opt.dispose();
    v.dispose();
  });
});
