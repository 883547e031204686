// The reference gradients use tf's registered gradients (vitest can load them; plain Node ESM cannot).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { symmetricGraph } from '../graph/cell-graph.ts';
import { denseMatrix } from '../matrix/dense.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { centroids, clusterHeadLoss, hardAssign, softAssign, targetDistribution } from './cluster-head.ts';
import { graphAeDefaults, runGraphAe } from './graph-ae.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cluster head (DEC soft assignments, target, KL loss)', () => {
  it('Q by hand for one cell and two centres', () => {
    // z = (0, 0); centres at distance² 1 and 4: kernels 1/2 and 1/5, Q = (5/7, 2/7).
    const q = softAssign(
      tf,
      tf.tensor2d([[0, 0]]),
      tf.tensor2d([
        [1, 0],
        [0, 2],
      ]),
    );
    const v = q.dataSync();
    expect(v[0]).toBeCloseTo(5 / 7, 6);
    expect(v[1]).toBeCloseTo(2 / 7, 6);
    q.dispose();
  });

  it('P sharpens Q: squares over cluster frequencies, rows summing to 1', () => {
    const q = tf.tensor2d([
      [0.6, 0.4],
      [0.5, 0.5],
    ]);
    // f = (1.1, 0.9); row 1: 0.36/1.1 = 0.32727, 0.16/0.9 = 0.17778 -> 0.64800, 0.35200.
    const p = targetDistribution(tf, q).dataSync();
    expect(p[0]).toBeCloseTo(0.327273 / (0.327273 + 0.177778), 5);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
    expect(p[2]! + p[3]!).toBeCloseTo(1, 6);
    expect(p[0]).toBeGreaterThan(0.6); // sharper than Q
  });

  it('the written-out gradients match autodiff of KL(P || Q) with respect to z and the centres', () => {
    const rng = createRng(3);
    const rand = (n: number): number[] => Array.from({ length: n }, () => rng.normal());
    const z = tf.tensor2d(rand(6 * 3), [6, 3]);
    const mu = tf.tensor2d(rand(2 * 3), [2, 3]);
    const p = targetDistribution(tf, softAssign(tf, tf.add(z, 0.3) as Tensor2D, mu));
    const kl = (zz: Tensor2D, mm: Tensor2D) => {
      const zn = tf.sum(tf.square(zz), 1, true);
      const mn = tf.reshape(tf.sum(tf.square(mm), 1), [1, -1]);
      const d = tf.sub(tf.add(zn, mn), tf.mul(tf.matMul(zz, mm, false, true), 2));
      const t = tf.div(1, tf.add(d, 1));
      const q = tf.div(t, tf.sum(t, 1, true));
      return tf.div(tf.sum(tf.mul(p, tf.sub(tf.log(p), tf.log(q)))), 6);
    };
    const value = kl(z, mu);
    const [gz, gm] = tf.grads((zz, mm) => kl(zz as Tensor2D, mm as Tensor2D))([z, mu]);
    const ours = clusterHeadLoss(tf, z, mu, p);
    expect(ours.loss.dataSync()[0]).toBeCloseTo(value.dataSync()[0]!, 5);
    const dz = Array.from(ours.dZ.dataSync());
    const dm = Array.from(ours.dMu.dataSync());
    const refZ = Array.from(gz!.dataSync());
    const refM = Array.from(gm!.dataSync());
    dz.forEach((g, i) => expect(g).toBeCloseTo(refZ[i]!, 5));
    dm.forEach((g, i) => expect(g).toBeCloseTo(refM[i]!, 5));
  });

  it('centroids and hard assignments by hand', async () => {
    const c = centroids(Float32Array.from([0, 0, 2, 2, 10, 10]), 2, Int32Array.from([0, 0, 1]), 2);
    expect(Array.from(c)).toEqual([1, 1, 10, 10]);
    expect(
      Array.from(
        await hardAssign(
          tf.tensor2d([
            [0.2, 0.8],
            [0.9, 0.1],
          ]),
        ),
      ),
    ).toEqual([1, 0]);
  });
});

describe('runGraphAe with refinement', () => {
  it('returns one label per cell from the refined soft assignments; none without a start', async () => {
    // Two cliques of 8 joined by one edge; features: a noisy indicator of the clique.
    const n = 16;
    const from: number[] = [];
    const to: number[] = [];
    for (const base of [0, 8])
      for (let i = 0; i < 8; i++)
        for (let j = i + 1; j < 8; j++) {
          from.push(base + i);
          to.push(base + j);
        }
    from.push(7);
    to.push(8);
    const graph = symmetricGraph(
      n,
      from,
      to,
      from.map(() => 1),
    );
    const rng = createRng(5);
    const x = denseMatrix(
      n,
      4,
      Float32Array.from(
        { length: n * 4 },
        (_, k) => (Math.floor(k / 4) < 8 === k % 4 < 2 ? 1 : 0) + 0.1 * rng.normal(),
      ),
    );
    const truth = Int32Array.from({ length: n }, (_, i) => (i < 8 ? 0 : 1));
    const params = {
      ...graphAeDefaults,
      epochs: 30,
      refineEpochs: 20,
      binarizeInput: false,
      variational: false,
    };
    const ctx = () => createContext(tf, createRng(1));
    const refined = await runGraphAe(x, graph, params, ctx(), { labels: truth, nClusters: 2 });
    expect(refined.labels).not.toBeNull();
    expect(refined.labels!.length).toBe(n);
    expect(refined.losses.length).toBe(50); // 30 graph epochs + 20 refinement epochs
    // Started from the two cliques, the refinement keeps them apart.
    const a = refined.labels![0]!;
    for (let i = 0; i < n; i++) expect(refined.labels![i]).toBe(i < 8 ? a : 1 - a);
    const plain = await runGraphAe(x, graph, params, ctx());
    expect(plain.labels).toBeNull();
    expect(plain.losses.length).toBe(30);
  });
});
