// The reference gradients below use tf's registered gradients (vitest can load them; plain Node ESM cannot).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { symmetricGraph, type CellGraph } from '../graph/cell-graph.ts';
import { createRng } from '../rng.ts';
import {
  attendNeighbours,
  graphTensors,
  mm,
  neighbourGather,
  pairLogits,
  paddedGraph,
  permutedRows,
  randomPermutations,
  propagate,
} from './graph-ops.ts';

/** 7 nodes, uneven degrees, node 6 isolated. */
function smallGraph(): CellGraph {
  const from = [0, 0, 0, 1, 2, 3, 4, 3];
  const to = [1, 2, 3, 2, 3, 4, 5, 5];
  return symmetricGraph(
    7,
    from,
    to,
    from.map(() => 1),
  );
}

function randomTensor(shape: number[], seed: number): Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rng.normal()),
    shape,
  );
}

async function maxAbsDiff(a: Tensor, b: Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

/** Dense Â = D̃^-½ (A + I) D̃^-½ computed independently. */
function denseNormAdj(g: CellGraph): Tensor2D {
  const n = g.nNodes;
  const a = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = 1;
    for (let e = g.indptr[i]!; e < g.indptr[i + 1]!; e++) a[i * n + g.indices[e]!] = 1;
  }
  const d = Array.from({ length: n }, (_, i) => a.slice(i * n, (i + 1) * n).reduce((s, v) => s + v, 0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j]! /= Math.sqrt(d[i]! * d[j]!);
  return tf.tensor2d(a, [n, n]);
}

describe('graph ops (padded neighbour lists with custom gradients)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('builds padded lists with reverse slots, and rejects an asymmetric graph', () => {
    const g = smallGraph();
    const pg = paddedGraph(g, true);
    expect(pg.width).toBe(5); // node 3 has 4 neighbours, + self
    expect(pg.nPositive).toBe(2 * 8 + 7);
    for (let s = 0; s < pg.n * pg.width; s++) {
      if (!pg.mask[s]) continue;
      const i = Math.floor(s / pg.width);
      const r = pg.rev[s]!;
      expect(pg.idx[r]).toBe(i); // the reverse slot points back
      expect(Math.floor(r / pg.width)).toBe(pg.idx[s]);
      expect(pg.rev[r]).toBe(s);
    }
    const bad: CellGraph = {
      nNodes: 2,
      indptr: Uint32Array.from([0, 1, 1]),
      indices: Int32Array.from([1]),
      weights: Float32Array.from([1]),
    };
    expect(() => paddedGraph(bad, true)).toThrow(/not symmetric/);
  });

  it('propagate equals dense Â·X, and its custom gradient equals dense autodiff (1e-5)', async () => {
    const before = tf.memory().numTensors;
    const g = smallGraph();
    const pgSelf = paddedGraph(g, true);
    const gt = graphTensors(tf, pgSelf);
    // Budget for 2 slots of 5 columns: the aggregation runs over 3 chunks (width 5).
    const gtChunked = graphTensors(tf, pgSelf, 7 * 2 * 5);
    const adj = denseNormAdj(g);
    const x = randomTensor([7, 5], 1) as Tensor2D;
    const r = randomTensor([7, 5], 2);
    const sparse = propagate(tf, gt, x);
    const denseY = tf.matMul(adj, x);
    expect(await maxAbsDiff(sparse, denseY)).toBeLessThan(1e-5);
    const chunked = propagate(tf, gtChunked, x);
    expect(await maxAbsDiff(chunked, denseY)).toBeLessThan(1e-5);
    expect(gtChunked.cache.size).toBeGreaterThanOrEqual(6); // 3 chunks x (index, coef)
    expect(await maxAbsDiff(sparse, x)).toBeGreaterThan(0.1); // not the identity
    const gSparse = tf.grad((v: Tensor) => tf.sum(tf.mul(propagate(tf, gt, v as Tensor2D), r)))(x);
    const gDense = tf.grad((v: Tensor) => tf.sum(tf.mul(tf.matMul(adj, v as Tensor2D), r)))(x);
    expect(await maxAbsDiff(gSparse, gDense)).toBeLessThan(1e-5);
    tf.dispose([adj, x, r, sparse, denseY, gSparse, gDense, chunked]);
    gt.dispose();
    gtChunked.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('neighbourGather, attendNeighbours and pairLogits match gather autodiff (values and gradients)', async () => {
    const g = smallGraph();
    for (const [selfLoops, budget] of [
      [true, undefined],
      [false, undefined],
      [true, 7 * 2 * 6], // several chunks of 2 slots (widest rows: heads x f = 6)
      [false, 7 * 6],
    ] as [boolean, number | undefined][]) {
      const pg = paddedGraph(g, selfLoops);
      const gt = graphTensors(tf, pg, budget);
      const n = pg.n;
      const k = pg.width;
      const idx = tf.tensor1d(pg.idx, 'int32');
      const mask3 = tf.reshape(gt.mask, [n, k, 1]);
      // Reference versions built from tf.gather (its autodiff works on the cpu backend).
      const refGather = (v: Tensor2D): Tensor3D =>
        tf.mul(tf.reshape(tf.gather(v, idx), [n, k, v.shape[1]]), mask3) as Tensor3D;
      const heads = 2;
      const f = 3;
      const v = randomTensor([n, 4], 3) as Tensor2D;
      const rG = randomTensor([n, k, 4], 4);
      expect(await maxAbsDiff(neighbourGather(tf, gt, v), refGather(v))).toBeLessThan(1e-6);
      const g1 = tf.grad((a: Tensor) => tf.sum(tf.mul(neighbourGather(tf, gt, a as Tensor2D), rG)))(v);
      const g2 = tf.grad((a: Tensor) => tf.sum(tf.mul(refGather(a as Tensor2D), rG)))(v);
      expect(await maxAbsDiff(g1, g2)).toBeLessThan(1e-5);

      const alpha = randomTensor([n, k, heads], 5) as Tensor3D;
      const p = randomTensor([n, heads * f], 6) as Tensor2D;
      const rA = randomTensor([n, heads, f], 7);
      const refAttend = (a: Tensor3D, pp: Tensor2D): Tensor3D =>
        tf.sum(
          tf.mul(tf.expandDims(tf.mul(a, mask3), 3), tf.reshape(refGather(pp), [n, k, heads, f])),
          1,
        ) as Tensor3D;
      expect(await maxAbsDiff(attendNeighbours(tf, gt, alpha, p, heads), refAttend(alpha, p))).toBeLessThan(
        1e-5,
      );
      const ga = tf.grads((a: Tensor, pp: Tensor) =>
        tf.sum(tf.mul(attendNeighbours(tf, gt, a as Tensor3D, pp as Tensor2D, heads), rA)),
      )([alpha, p]);
      const gr = tf.grads((a: Tensor, pp: Tensor) =>
        tf.sum(tf.mul(refAttend(a as Tensor3D, pp as Tensor2D), rA)),
      )([alpha, p]);
      expect(await maxAbsDiff(ga[0]!, gr[0]!)).toBeLessThan(1e-5);
      expect(await maxAbsDiff(ga[1]!, gr[1]!)).toBeLessThan(1e-5);

      const z = randomTensor([n, 4], 8) as Tensor2D;
      const rP = randomTensor([n, k], 9);
      const refPairs = (zz: Tensor2D): Tensor2D =>
        tf.mul(tf.sum(tf.mul(refGather(zz), tf.expandDims(zz, 1)), 2), gt.mask) as Tensor2D;
      expect(await maxAbsDiff(pairLogits(tf, gt, z), refPairs(z))).toBeLessThan(1e-5);
      const gp1 = tf.grad((a: Tensor) => tf.sum(tf.mul(pairLogits(tf, gt, a as Tensor2D), rP)))(z);
      const gp2 = tf.grad((a: Tensor) => tf.sum(tf.mul(refPairs(a as Tensor2D), rP)))(z);
      expect(await maxAbsDiff(gp1, gp2)).toBeLessThan(1e-5);

      tf.dispose([idx, mask3, v, rG, g1, g2, alpha, p, rA, ...ga, ...gr, z, rP, gp1, gp2]);
      gt.dispose();
    }
  });

  it('permutedRows and mm have gather / matMul gradients', async () => {
    const rng = createRng(11);
    const perms = randomPermutations(6, 3, rng);
    for (let q = 0; q < 3; q++) {
      const seen = new Set(perms.fwd.subarray(q * 6, q * 6 + 6));
      expect(seen.size).toBe(6);
    }
    const z = randomTensor([6, 4], 12) as Tensor2D;
    const r = randomTensor([3, 6, 4], 13);
    const fwd = tf.tensor1d(perms.fwd, 'int32');
    const inv = tf.tensor1d(perms.inv, 'int32');
    const ref = (a: Tensor2D): Tensor => tf.reshape(tf.gather(a, fwd), [3, 6, 4]);
    expect(await maxAbsDiff(permutedRows(tf, z, fwd, inv, 3), ref(z))).toBe(0);
    const g1 = tf.grad((a: Tensor) => tf.sum(tf.mul(permutedRows(tf, a as Tensor2D, fwd, inv, 3), r)))(z);
    const g2 = tf.grad((a: Tensor) => tf.sum(tf.mul(ref(a as Tensor2D), r)))(z);
    expect(await maxAbsDiff(g1, g2)).toBeLessThan(1e-5);

    const a = randomTensor([5, 4], 14) as Tensor2D;
    const b = randomTensor([4, 3], 15) as Tensor2D;
    const rm = randomTensor([5, 3], 16);
    const m1 = tf.grads((x: Tensor, y: Tensor) => tf.sum(tf.mul(mm(tf, x as Tensor2D, y as Tensor2D), rm)))([
      a,
      b,
    ]);
    const m2 = tf.grads((x: Tensor, y: Tensor) =>
      tf.sum(tf.mul(tf.matMul(x as Tensor2D, y as Tensor2D), rm)),
    )([a, b]);
    expect(await maxAbsDiff(m1[0]!, m2[0]!)).toBeLessThan(1e-5);
    expect(await maxAbsDiff(m1[1]!, m2[1]!)).toBeLessThan(1e-5);
  });
});
