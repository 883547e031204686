import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseMatrix } from '../matrix/dense.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import {
  cloneAutoencoder,
  createAutoencoder,
  disposeAutoencoder,
  restore,
  snapshot,
  type AutoencoderShape,
} from './autoencoder.ts';
import { batchLoss, type LossWeights } from './losses.ts';
import { autoencoderGradients, trainAutoencoder, type TrainParams } from './train.ts';

const shape: AutoencoderShape = { nGenes: 12, hidden: 10, latent: 4 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomInput(rows: number, cols: number, seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(
    Float32Array.from({ length: rows * cols }, () => (rng.next() < 0.3 ? 0 : rng.next() * 3)),
    [rows, cols],
  );
}

describe('autoencoder', () => {
  it('has the reference layer shapes, torch-default init bounds, and non-negative z and output', () => {
    const before = tf.memory().numTensors;
    const ae = createAutoencoder(shape, tf, createRng(1));
    expect(ae.variables.map((v) => v.shape)).toEqual([
      [12, 10],
      [10],
      [10, 4],
      [4],
      [4, 10],
      [10],
      [10, 12],
      [12],
    ]);
    // U(−1/√fan_in, 1/√fan_in): the largest |w| of W1 is just below 1/√12.
    const w1 = ae.variables[0]!.dataSync();
    const maxW1 = Math.max(...Array.from(w1, Math.abs));
    expect(maxW1).toBeLessThan(1 / Math.sqrt(12));
    expect(maxW1).toBeGreaterThan(0.8 / Math.sqrt(12));
    tf.tidy(() => {
      const x = randomInput(6, 12, 2);
      const { z, recon } = ae.forward(x);
      expect(z.shape).toEqual([6, 4]);
      expect(recon.shape).toEqual([6, 12]);
      expect(tf.min(z).dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(tf.min(recon).dataSync()[0]).toBeGreaterThanOrEqual(0);
      // ReLU really cuts: with random weights, some outputs are exactly 0 and some positive.
      expect(tf.max(recon).dataSync()[0]).toBeGreaterThan(0);
      expect(tf.sum(tf.cast(tf.equal(recon, 0), 'int32')).dataSync()[0]).toBeGreaterThan(0);
    });
    disposeAutoencoder(ae);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same seed gives the same weights, another seed different ones', async () => {
    const a = createAutoencoder(shape, tf, createRng(5));
    const b = createAutoencoder(shape, tf, createRng(5));
    const c = createAutoencoder(shape, tf, createRng(6));
    expect((await snapshot(a)).weights).toEqual((await snapshot(b)).weights);
    expect((await snapshot(a)).weights[0]).not.toEqual((await snapshot(c)).weights[0]);
    [a, b, c].forEach(disposeAutoencoder);
  });

  it('offsets only the bottleneck biases by latentBiasInit, drawing the same random numbers', async () => {
    const plain = await snapshot(createAutoencoder(shape, tf, createRng(5)));
    const shifted = createAutoencoder(shape, tf, createRng(5), { latentBiasInit: 0.1 });
    const s = await snapshot(shifted);
    expect(s.options.latentBiasInit).toBe(0.1);
    s.weights.forEach((w, i) => {
      const base = plain.weights[i]!;
      const offset = i === 3 ? 0.1 : 0;
      expect(w.length).toBe(base.length);
      let maxDiff = 0;
      for (let k = 0; k < w.length; k++) maxDiff = Math.max(maxDiff, Math.abs(w[k]! - (base[k]! + offset)));
      expect(maxDiff, `array ${i}`).toBeLessThan(1e-6);
    });
    disposeAutoencoder(shifted);
  });

  it('snapshot / restore round-trips exactly and restore makes an independent model', async () => {
    const before = tf.memory().numTensors;
    const ae = createAutoencoder(shape, tf, createRng(3));
    const snap = await snapshot(ae);
    const back = restore(snap, tf);
    expect((await snapshot(back)).weights).toEqual(snap.weights);
    tf.tidy(() => {
      const x = randomInput(5, 12, 4);
      const r1 = ae.forward(x).recon;
      const r2 = back.forward(x).recon;
      expect(Array.from(r2.dataSync())).toEqual(Array.from(r1.dataSync()));
      back.variables[0]!.assign(tf.zerosLike(back.variables[0]!));
    });
    expect((await snapshot(ae)).weights[0]).toEqual(snap.weights[0]);
    expect(() => restore({ ...snap, weights: snap.weights.slice(1) }, tf)).toThrow(RangeError);
    disposeAutoencoder(ae);
    disposeAutoencoder(back);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a clone is independent: training it leaves the base unchanged', async () => {
    const before = tf.memory().numTensors;
    const base = createAutoencoder(shape, tf, createRng(7));
    const initial = await snapshot(base);
    const clone = cloneAutoencoder(base, tf);
    expect((await snapshot(clone)).weights).toEqual(initial.weights);
    const xt = randomInput(8, 12, 8);
    const x = denseMatrix(8, 12, new Float32Array(xt.dataSync()));
    xt.dispose();
    const params: TrainParams = {
      epochs: 5,
      batchSize: 4,
      learningRate: 1e-2,
      mseWeight: 1,
      ltmgWeight: 0,
      l1: 0,
      l2: 0,
      reduction: 'sum',
    };
    await trainAutoencoder(clone, { x }, params, createContext(tf, createRng(1)), 'clone');
    expect((await snapshot(base)).weights).toEqual(initial.weights);
    expect((await snapshot(clone)).weights[0]).not.toEqual(initial.weights[0]);
    disposeAutoencoder(base);
    disposeAutoencoder(clone);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('explicit backprop through the whole autoencoder equals tf autodiff', () => {
    const before = tf.memory().numTensors;
    const rng = createRng(9);
    const n = 6;
    const x = randomInput(n, 12, 10);
    const entryWeights = randomInput(n, 12, 11);
    const observedTarget = randomInput(n, 12, 12);
    const cellWeights = tf.tensor2d(
      Float32Array.from({ length: n }, () => rng.next() * 2),
      [n, 1],
    );
    const batch = { x, entryWeights, observedTarget, cellWeights };
    const weights: LossWeights = {
      mseWeight: 0.1,
      ltmgWeight: 0.9,
      l1: 0.05,
      l2: 0.02,
      observedWeight: 0.5,
      reduction: 'sum',
    };
    for (const gradient of ['custom', 'autodiff'] as const) {
      // Biases shifted up so that most units are active and every layer gets a gradient.
      const ae = createAutoencoder(shape, tf, createRng(13), { gradient });
      tf.tidy(() => {
        for (let i = 1; i < 8; i += 2) ae.variables[i]!.assign(tf.add(ae.variables[i]!, 0.3));
      });
      const auto = tf.variableGrads(
        () => batchLoss(tf, { ...batch, recon: ae.forward(x).recon }, weights, ae.variables, 0.5).total,
        ae.variables,
      );
      tf.tidy(() => {
        const mine = autoencoderGradients(tf, ae, batch, weights, 0.5);
        expect(Array.from(mine.terms.dataSync()).reduce((a, b) => a + b, 0)).toBeCloseTo(
          auto.value.dataSync()[0]!,
          3,
        );
        ae.variables.forEach((v, i) => {
          const ref = auto.grads[v.name]!;
          const diff = tf.max(tf.abs(tf.sub(mine.grads[i]!, ref))).dataSync()[0]!;
          const scale = tf.max(tf.abs(ref)).dataSync()[0]!;
          expect(scale, `layer param ${i}`).toBeGreaterThan(0);
          expect(diff, `layer param ${i}`).toBeLessThan(1e-5 * Math.max(1, scale));
        });
      });
      tf.dispose([auto.value, ...Object.values(auto.grads)]);
      disposeAutoencoder(ae);
    }
    tf.dispose([x, entryWeights, observedTarget, cellWeights]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
