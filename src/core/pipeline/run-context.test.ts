/**
 * createRunContext: events, timings and training records. Expected values are the inputs fed in (loss
 * sequences chosen by hand) and, for progress, the linear map from + (to − from) · f of a hand-picked f.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { CancelledError, createContext, type ProgressEvent } from './context.ts';
import { createRunContext } from './run-context.ts';

function setup(signal?: AbortSignal) {
  const events: ProgressEvent[] = [];
  const outer = createContext(tf, createRng(3), (e) => events.push(e), signal);
  return { events, run: createRunContext(outer) };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('createRunContext: timed', () => {
  it('emits stage-start and stage-end around the work and returns its value', async () => {
    const { events, run } = setup();
    const order: string[] = [];
    const out = await run.timed('graph', 'Cell graph', async () => {
      order.push(`work after ${events.length} event(s)`);
      await sleep(20);
      return 42;
    });
    expect(out).toBe(42);
    expect(order).toEqual(['work after 1 event(s)']);
    expect(events.map((e) => e.type)).toEqual(['stage-start', 'stage-end']);
    expect(events[0]).toEqual({ type: 'stage-start', stage: 'graph', label: 'Cell graph' }); // no iteration key
    const end = events[1] as Extract<ProgressEvent, { type: 'stage-end' }>;
    expect(end.stage).toBe('graph');
    expect(end.seconds).toBeGreaterThanOrEqual(0.015);
    expect(end.seconds).toBeLessThan(5);
    expect('iteration' in end).toBe(false);
    expect(run.stageSeconds).toEqual({ graph: end.seconds });
  });

  it('carries the iteration and sums seconds per stage over calls', async () => {
    const { events, run } = setup();
    await run.timed('cluster', 'Clustering', () => sleep(5), 1);
    await run.timed('graph', 'Cell graph', () => sleep(5), 2);
    await run.timed('cluster', 'Clustering', () => sleep(5), 2);
    const ends = events.filter((e) => e.type === 'stage-end');
    expect(ends.map((e) => [e.stage, e.iteration])).toEqual([
      ['cluster', 1],
      ['graph', 2],
      ['cluster', 2],
    ]);
    expect(events.filter((e) => e.type === 'stage-start').map((e) => e.iteration)).toEqual([1, 2, 2]);
    expect(run.stageSeconds.cluster).toBeCloseTo(ends[0]!.seconds + ends[2]!.seconds, 12);
    expect(run.stageSeconds.graph).toBe(ends[1]!.seconds);
    expect(run.stageSeconds.impute).toBeUndefined();
  });

  it('checks for cancellation after the stage ends', async () => {
    const controller = new AbortController();
    const { events, run } = setup(controller.signal);
    const done = run.timed('impute', 'Imputation', async () => {
      controller.abort();
      return 1;
    });
    await expect(done).rejects.toBeInstanceOf(CancelledError);
    expect(events.map((e) => e.type)).toEqual(['stage-start', 'stage-end']);
  });

  it('does not report an end or a time for a stage that throws', async () => {
    const { events, run } = setup();
    await expect(run.timed('ltmg', 'LTMG', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(events.map((e) => e.type)).toEqual(['stage-start']);
    expect(run.stageSeconds.ltmg).toBeUndefined();
  });
});

describe('createRunContext: training records', () => {
  const loss = (model: string, epoch: number, value: number, epochs?: number): ProgressEvent => ({
    type: 'loss',
    stage: 'feature-ae',
    model,
    epoch,
    loss: value,
    ...(epochs !== undefined ? { epochs } : {}),
  });

  it('records each training run with its first and last loss, and forwards every event', () => {
    const { events, run } = setup();
    const sent = [
      loss('feature-ae', 0, 5, 3),
      loss('cluster-ae 0', 0, 9, 2),
      loss('feature-ae', 1, 4, 3),
      loss('feature-ae', 2, 3, 3),
      loss('cluster-ae 0', 1, 7, 2),
      loss('feature-ae', 0, 2.5, 4), // epoch 0 again: a new training run of the same model
      loss('feature-ae', 3, 1.5, 4),
    ];
    for (const e of sent) run.ctx.report(e);
    expect(events).toEqual(sent);
    expect(run.training).toEqual([
      { model: 'feature-ae', stage: 'feature-ae', epochs: 3, firstLoss: 5, lastLoss: 3 },
      { model: 'cluster-ae 0', stage: 'feature-ae', epochs: 2, firstLoss: 9, lastLoss: 7 },
      { model: 'feature-ae', stage: 'feature-ae', epochs: 4, firstLoss: 2.5, lastLoss: 1.5 },
    ]);
  });

  it('opens a record at the first event seen, with epoch + 1 epochs when the total is not given', () => {
    const { run } = setup();
    run.ctx.report(loss('a', 0, 1));
    run.ctx.report(loss('b', 4, 2)); // first event of 'b' is epoch 4 (reports are throttled)
    expect(run.training).toEqual([
      { model: 'a', stage: 'feature-ae', epochs: 1, firstLoss: 1, lastLoss: 1 },
      { model: 'b', stage: 'feature-ae', epochs: 5, firstLoss: 2, lastLoss: 2 },
    ]);
  });

  it('ignores other events for training', () => {
    const { events, run } = setup();
    run.ctx.report({ type: 'stage-progress', stage: 'graph', fraction: 0.5 });
    expect(run.training).toEqual([]);
    expect(events).toHaveLength(1);
  });
});

describe('createRunContext: stageCtx', () => {
  it('maps progress onto the stage and sub-range', () => {
    const { events, run } = setup();
    run.stageCtx('impute', 'impute', [0.2, 0.6]).progress(0.5, 'half');
    run.stageCtx('graph-1', 'graph').progress(0.25);
    run.stageCtx('x', 'cluster', [0.4, 1]).progress(2); // clamped to the range's end
    expect(events).toEqual([
      { type: 'stage-progress', stage: 'impute', fraction: 0.4, message: 'half' },
      { type: 'stage-progress', stage: 'graph', fraction: 0.25 },
      { type: 'stage-progress', stage: 'cluster', fraction: 1 },
    ]);
  });

  it("gives each label the outer generator's fork and routes loss events to the records", () => {
    const { events, run } = setup();
    const a = run.stageCtx('ltmg', 'ltmg');
    const expected = createRng(3).fork('ltmg');
    expect([a.rng.next(), a.rng.next()]).toEqual([expected.next(), expected.next()]);
    expect(run.stageCtx('other', 'ltmg').rng.seed).not.toBe(a.rng.seed);
    a.report({ type: 'loss', stage: 'ltmg', model: 'm', epoch: 0, epochs: 1, loss: 0.5 });
    expect(run.training).toEqual([{ model: 'm', stage: 'ltmg', epochs: 1, firstLoss: 0.5, lastLoss: 0.5 }]);
    expect(events).toHaveLength(1);
  });
});
