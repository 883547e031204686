/**
 * Stage contexts (context.ts): events reach the handler, checkpoints honour the abort signal, `inStage`
 * clamps and throttles progress (the clock is mocked: 100 ms between events unless the message changes or the
 * stage ends), and `subRange` maps 0..1 onto [from, to] (0.5 of [0.5, 1] is 0.75 of the stage).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../rng.ts';
import {
  CancelledError,
  PROGRESS_MS,
  createContext,
  inStage,
  subRange,
  type ProgressEvent,
} from './context.ts';

function recorder(): { events: ProgressEvent[]; fractions: () => number[] } {
  const events: ProgressEvent[] = [];
  return {
    events,
    fractions: () => events.map((e) => (e.type === 'stage-progress' ? e.fraction : NaN)),
  };
}

describe('stage contexts (context.ts)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('createContext reports to the handler and cancels at a checkpoint once aborted', async () => {
    const { events } = recorder();
    const controller = new AbortController();
    const ctx = createContext(tf, createRng(1), (e) => events.push(e), controller.signal);
    ctx.report({ type: 'stage-start', stage: 'ltmg', label: 'LTMG' });
    expect(events).toEqual([{ type: 'stage-start', stage: 'ltmg', label: 'LTMG' }]);
    ctx.progress(0.5); // goes nowhere outside a stage
    expect(events).toHaveLength(1);
    await expect(ctx.checkpoint()).resolves.toBeUndefined();
    controller.abort();
    const err = await ctx.checkpoint().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).name).toBe('CancelledError');
    expect((err as Error).message).toBe('The run was cancelled.');
    await expect(createContext(tf, createRng(1)).checkpoint()).resolves.toBeUndefined();
  });

  it('inStage clamps and throttles to one event per PROGRESS_MS, except new messages and the end', () => {
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const { events, fractions } = recorder();
    const ctx = inStage(
      createContext(tf, createRng(1), (e) => events.push(e)),
      'feature-ae',
    );
    ctx.progress(-0.5); // first: goes, clamped to 0
    ctx.progress(0.2); // same time: dropped
    now += PROGRESS_MS - 1;
    ctx.progress(0.3); // 99 ms later: dropped
    now += 1;
    ctx.progress(0.4); // 100 ms after the first: goes
    ctx.progress(0.45, 'epoch 2'); // new message: goes at once
    ctx.progress(0.5, 'epoch 2'); // same message, same time: dropped
    ctx.progress(3); // the end (clamped to 1): always goes
    expect(fractions()).toEqual([0, 0.4, 0.45, 1]);
    expect(events[2]).toEqual({
      type: 'stage-progress',
      stage: 'feature-ae',
      fraction: 0.45,
      message: 'epoch 2',
    });
    expect(events[0]).not.toHaveProperty('message');
  });

  it('subRange maps its 0..1 onto [from, to] of the parent', () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += PROGRESS_MS)); // never throttled
    const { events, fractions } = recorder();
    const stage = inStage(
      createContext(tf, createRng(1), (e) => events.push(e)),
      'ltmg',
    );
    const part = subRange(stage, 0.5, 1);
    part.progress(0);
    part.progress(0.5);
    part.progress(2);
    const inner = subRange(part, 0, 0.5); // [0.5, 0.75] of the stage
    inner.progress(0.5);
    inner.progress(-1);
    expect(fractions()).toEqual([0.5, 0.75, 1, 0.625, 0.5]);
  });
});
