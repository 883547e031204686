/**
 * The MAGIC-like reference (magic-reference.ts) on hand-checkable graphs.
 *
 * Path 0 - 1 - 2 - 3 from a 1-NN result (0 -> 1, 1 -> 0, 2 -> 1, 3 -> 2), symmetrised, with self-loops:
 *   M = | 1/2 1/2  0   0  |     x = (1, 0, 0, 0):  M x = (1/2, 1/3, 0, 0),
 *       | 1/3 1/3 1/3  0  |                        M^2 x = (5/12, 5/18, 1/9, 0),
 *       |  0  1/3 1/3 1/3 |                        M^3 x = (25/72, 29/108, 7/54, 1/18).
 *       |  0   0  1/2 1/2 |
 * End to end: two groups of 3 cells, A with counts (10, 0), (20, 0), (30, 0) and B with (0, 10), (0, 20),
 * (0, 30). Library-size normalised, each group is one point, so each cell's 2 nearest neighbours are the rest of
 * its group; M averages within the group, and after any step every A cell holds the group's mean of
 * ln(1 + count): (ln 11 + ln 21 + ln 31) / 3 in gene 0 and 0 in gene 1 (B the other way round).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KnnResult } from '../graph/knn.ts';
import { csrFromDense, csrToDense } from '../matrix/csr.ts';
import { denseMatrix } from '../matrix/dense.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { diffuse, magicReference, markovFromKnn } from './magic-reference.ts';

const path: KnnResult = {
  nNodes: 4,
  k: 1,
  neighbors: Int32Array.of(1, 0, 1, 2),
  distances: Float32Array.of(1, 1, 1, 1),
};

describe('MAGIC-like reference (magic-reference.ts)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('symmetrises the kNN graph, adds self-loops and row-normalises', () => {
    const m = markovFromKnn(path);
    const expected = [1 / 2, 1 / 2, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 0, 1 / 2, 1 / 2];
    csrToDense(m).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 7));
  });

  it('diffuses M^t x, as worked out by hand and as dense products', () => {
    const m = markovFromKnn(path);
    const x = denseMatrix(4, 2, Float32Array.of(1, 2, 0, -1, 0, 4, 0, 0));
    const y = diffuse(m, x, 3);
    // Column 0 is e_0: the hand values of the header.
    [25 / 72, 29 / 108, 7 / 54, 1 / 18].forEach((v, i) => expect(y.data[i * 2]).toBeCloseTo(v, 6));
    // Both columns against three dense products with M.
    const dense = csrToDense(m);
    let cur = Array.from(x.data);
    for (let s = 0; s < 3; s++) {
      const next = new Array<number>(8).fill(0);
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++)
          for (let f = 0; f < 2; f++) next[i * 2 + f]! += dense[i * 4 + j]! * cur[j * 2 + f]!;
      cur = next;
    }
    y.data.forEach((v, i) => expect(v).toBeCloseTo(cur[i]!, 6));
    expect([...diffuse(m, x, 0).data]).toEqual([...x.data]);
    expect(() => diffuse(m, denseMatrix(3, 1), 1)).toThrow(RangeError);
  });

  it('averages within each group end to end (kNN on normalised log expression, then M^3 of ln(1 + x))', async () => {
    const counts = csrFromDense([10, 0, 0, 10, 20, 0, 0, 20, 30, 0, 0, 30], 6, 2);
    const out = await magicReference(counts, createContext(tf, createRng(1)), { k: 2 });
    const mean = (Math.log(11) + Math.log(21) + Math.log(31)) / 3;
    for (let i = 0; i < 6; i++) {
      const a = i % 2 === 0; // cells 0, 2, 4 are group A
      expect(out.data[i * 2]).toBeCloseTo(a ? mean : 0, 6);
      expect(out.data[i * 2 + 1]).toBeCloseTo(a ? 0 : mean, 6);
    }
  });
});
