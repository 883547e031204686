import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseMatrix } from '../matrix/dense.ts';
import { createRng } from '../rng.ts';
import { createAutoencoder, disposeAutoencoder } from './autoencoder.ts';
import { batchTensor, denseOf, perClusterReconRows, reconRows, subsetTrainRows } from './model-rows.ts';
import { embedAndReconstruct } from './train.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 12;
const G = 6;
const shape = { nGenes: G, hidden: 8, latent: 3 };
const rng = createRng(3);
const x = denseMatrix(
  N,
  G,
  Float32Array.from({ length: N * G }, () => (rng.next() < 0.4 ? 0 : rng.next() * 3)),
);

const row = (m: { data: Float32Array; cols: number }, i: number): number[] =>
  Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));

describe('model rows', () => {
  it('reconRows gives, batch by batch, the rows of the whole reconstruction', async () => {
    const ae = createAutoencoder(shape, tf, createRng(1));
    const before = tf.memory().numTensors;
    const whole = (await embedAndReconstruct(ae, x, tf)).recon;
    const rows = reconRows(ae, x, tf);
    expect([rows.rows, rows.cols]).toEqual([N, G]);
    const idx = Int32Array.from([7, 2, 11]);
    const t = rows.batch(idx);
    const got = Array.from(await t.data());
    t.dispose();
    [7, 2, 11].forEach((i, k) =>
      got.slice(k * G, (k + 1) * G).forEach((v, j) => expect(v).toBeCloseTo(row(whole, i)[j]!, 5)),
    );
    // denseOf reads every row; a subset reads through to the parent's rows.
    const all = await denseOf(tf, rows);
    all.data.forEach((v, k) => expect(v).toBeCloseTo(whole.data[k]!, 5));
    const sub = await denseOf(tf, subsetTrainRows(rows, Int32Array.from([4, 0])));
    row(sub, 1).forEach((v, j) => expect(v).toBeCloseTo(row(whole, 0)[j]!, 5));
    expect(await denseOf(tf, x)).toBe(x);
    expect(tf.memory().numTensors).toBe(before);
    disposeAutoencoder(ae);
    expect(() => reconRows(ae, denseMatrix(2, G + 1), tf)).toThrow(RangeError);
  });

  it("perClusterReconRows gives each cell its own cluster's model output, in the asked order", async () => {
    const models = new Map([
      [4, createAutoencoder(shape, tf, createRng(10))],
      [9, createAutoencoder(shape, tf, createRng(11))],
    ]);
    const labels = Int32Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 9 : 4));
    const own = new Map<number, number[][]>();
    for (const [l, m] of models) {
      const r = (await embedAndReconstruct(m, x, tf)).recon;
      own.set(
        l,
        Array.from({ length: N }, (_, i) => row(r, i)),
      );
    }
    const before = tf.memory().numTensors;
    const rows = perClusterReconRows(models, labels, x, tf);
    // Mixed clusters, shuffled, and a batch of one cluster only.
    for (const idx of [
      [5, 0, 3, 1, 11, 9],
      [1, 2, 4],
    ]) {
      const t = rows.batch(Int32Array.from(idx));
      const got = Array.from(await t.data());
      t.dispose();
      idx.forEach((i, k) =>
        got
          .slice(k * G, (k + 1) * G)
          .forEach((v, j) => expect(v).toBeCloseTo(own.get(labels[i]!)![i]![j]!, 5)),
      );
    }
    const viaTensor = batchTensor(tf, rows, Int32Array.from([0]));
    expect(viaTensor.shape).toEqual([1, G]);
    viaTensor.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => perClusterReconRows(models, new Int32Array(N).fill(5), x, tf)).toThrow(/no model/);
    expect(() => perClusterReconRows(models, new Int32Array(3), x, tf)).toThrow(RangeError);
    models.forEach(disposeAutoencoder);
  });
});
