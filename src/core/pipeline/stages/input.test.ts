/**
 * The model input and the LTMG stage. modelInput's expected values are worked out by hand on a 4-cell matrix:
 * totals 2, 4, 8, 0 have median (2 + 4) / 2 = 3, so s = 3/2, 3/4, 3/8 and 1 for the empty cell, and each entry
 * is ln(1 + s_i · count).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseStates, runLtmg } from '../../ltmg/ltmg.ts';
import { csrFromDense } from '../../matrix/csr.ts';
import { createRng } from '../../rng.ts';
import { createContext, type ProgressEvent } from '../context.ts';
import { withParams } from '../params.ts';
import { createRunContext } from '../run-context.ts';
import { ltmgStates, modelInput, type ScgnnInput } from './input.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// prettier-ignore
const counts = [
  1, 1, 0,
  0, 4, 0,
  2, 2, 4,
  0, 0, 0,
];
const small: ScgnnInput = {
  raw: csrFromDense(counts, 4, 3),
  cellIds: ['a', 'b', 'c', 'd'],
  geneIds: ['g1', 'g2', 'g3'],
};

describe('modelInput', () => {
  it("'none': ln(1 + count), no scale", () => {
    const input = modelInput(small, withParams({ normalize: 'none' }));
    const x = input.dense();
    expect(input.scale).toBeUndefined();
    expect([x.rows, x.cols]).toEqual([4, 3]);
    const expected = counts.map((c) => Math.fround(Math.log1p(c)));
    expect(Array.from(x.data)).toEqual(expected);
    // The row source reads the same values, in any row order.
    expect([input.x.rows, input.x.cols]).toEqual([4, 3]);
    expect(Array.from(input.x.read([3, 0]))).toEqual([...expected.slice(9, 12), ...expected.slice(0, 3)]);
  });

  it("'library-size': ln(1 + s_i · count) with s_i = median total / total_i (hand-computed)", () => {
    const input = modelInput(small, withParams({ normalize: 'library-size' }));
    const { scale } = input;
    const x = input.dense();
    expect(Array.from(scale!)).toEqual([1.5, 0.75, 0.375, 1]);
    // prettier-ignore
    const expected = [
      Math.log1p(1.5), Math.log1p(1.5), 0,
      0, Math.log1p(3), 0,
      Math.log1p(0.75), Math.log1p(0.75), Math.log1p(1.5),
      0, 0, 0,
    ];
    Array.from(x.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(Array.from(input.x.read([0, 1, 2, 3]))).toEqual(Array.from(x.data));
  });
});

/** 30 cells x 6 genes: cells 0-14 express genes 0-2 (counts 3..7), cells 15-29 genes 3-5; other entries 0. */
function twoGroups(): ScgnnInput {
  const dense: number[] = [];
  for (let i = 0; i < 30; i++)
    for (let j = 0; j < 6; j++) dense.push(i < 15 === j < 3 ? 3 + ((i * 7 + j * 3) % 5) : 0);
  return {
    raw: csrFromDense(dense, 30, 6),
    cellIds: Array.from({ length: 30 }, (_, i) => `c${i}`),
    geneIds: ['a', 'b', 'c', 'd', 'e', 'f'],
  };
}

describe('ltmgStates', () => {
  it('is null without events when LTMG is disabled', async () => {
    const events: ProgressEvent[] = [];
    const run = createRunContext(createContext(tf, createRng(1), (e) => events.push(e)));
    const out = await ltmgStates(twoGroups(), withParams({ ltmg: { enabled: false } }), run);
    expect(out).toBeNull();
    expect(events).toEqual([]);
    expect(run.stageSeconds).toEqual({});
  });

  it("runs as the timed 'ltmg' stage: a state per entry, as runLtmg gives", async () => {
    const events: ProgressEvent[] = [];
    const run = createRunContext(createContext(tf, createRng(1), (e) => events.push(e)));
    const input = twoGroups();
    const out = (await ltmgStates(input, withParams({}), run))!;
    expect(out.nCells).toBe(30);
    expect(out.nGenes).toBe(6);
    expect(denseStates(out.states).length).toBe(30 * 6);
    const starts = events.filter((e) => e.type === 'stage-start');
    expect(starts).toEqual([
      { type: 'stage-start', stage: 'ltmg', label: 'LTMG: expression states per gene' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'stage-end', stage: 'ltmg' });
    expect(run.stageSeconds.ltmg).toBeGreaterThanOrEqual(0);
    // The same as runLtmg on the raw counts with the stage's random stream (the outer seed's 'ltmg' fork).
    const direct = await runLtmg(
      input.raw,
      withParams({}).ltmg,
      createContext(tf, createRng(1).fork('ltmg')),
    );
    expect(Array.from(out.states.values)).toEqual(Array.from(direct.states.values));
    expect(Array.from(out.components)).toEqual(Array.from(direct.components));
  });
});
