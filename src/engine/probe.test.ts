/**
 * The backend probe, run directly on the CPU backend (the full timing on WASM). (backend.test.ts covers CPU/WASM acceptance, a broken
 * backend and the finite-difference check of referenceGradients; not repeated here.) referenceGradients is
 * checked on a 1-gene network of 1 x 1 layers whose gradient is worked out by hand in the test.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProbeSlower, checkGradients, referenceGradients, timeWorkload } from './probe.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const f32 = (v: number) => Float32Array.of(v);

describe('referenceGradients (hand-computed)', () => {
  it('back-propagates a chain of 1 x 1 layers', () => {
    // W = 1, 1, 1, 2; b = 0; x = 1, state 1: activations 1, 1, 1, 2; dL/dx̂ = 2(2 − 1)(0.1 + 0.9) = 2.
    // Layer 4: dW4 = a3 · 2 = 2, db4 = 2, passes W4 · 2 = 4 down; layers 3..1: dW = a · 4 = 4, db = 4.
    const ws = [f32(1), f32(0), f32(1), f32(0), f32(1), f32(0), f32(2), f32(0)];
    const g = referenceGradients(ws, f32(1), f32(1), 1).map((a) => Array.from(a));
    expect(g).toEqual([[4], [4], [4], [4], [4], [4], [2], [2]]);
    // State 0: the factor is 0.1 only, so every gradient is a tenth.
    const g0 = referenceGradients(ws, f32(1), f32(0), 1).map((a) => a[0]!);
    g0.forEach((v, i) => expect(v).toBeCloseTo(g[i]![0]! / 10, 12));
  });

  it('gives zero gradients through a dead ReLU', () => {
    // b1 = −5: a1 = 0, so the output is 0 and its ReLU passes no gradient back.
    const ws = [f32(1), f32(-5), f32(1), f32(0), f32(1), f32(0), f32(2), f32(0)];
    const g = referenceGradients(ws, f32(1), f32(1), 1);
    for (const a of g) expect(Array.from(a)).toEqual([0]);
  });

  it('sums the gradient over the rows of a batch', () => {
    const ws = [f32(1), f32(0), f32(1), f32(0), f32(1), f32(0), f32(2), f32(0)];
    const one = referenceGradients(ws, f32(1), f32(1), 1);
    const two = referenceGradients(ws, Float32Array.of(1, 1), Float32Array.of(1, 1), 2);
    two.forEach((a, i) => expect(a[0]).toBeCloseTo(2 * one[i]![0]!, 12));
  });
});

describe('checkGradients', () => {
  it('passes on the CPU backend, deterministically, leaving no tensor', async () => {
    const before = tf.memory().numTensors;
    const a = await checkGradients(tf);
    const b = await checkGradients(tf);
    expect(a.ok).toBe(true);
    expect(a.detail).toBe('');
    expect(a.maxError).toBeGreaterThanOrEqual(0);
    expect(a.maxError).toBeLessThanOrEqual(1e-2);
    expect(b.maxError).toBe(a.maxError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops with an AbortError when its signal is already aborted', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    controller.abort();
    await expect(checkGradients(tf, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('timeWorkload', () => {
  it('returns positive timings whose score is stepMs · ⌈1024 / batch⌉ + knnMs', async () => {
    // On WASM: the kNN block (1,024 x 4,096 scores, then topk) takes seconds on the plain-JS CPU backend.
    await tf.setBackend('wasm');
    try {
      const before = tf.memory().numTensors;
      const t = await timeWorkload(tf, { nGenes: 40, batchSize: 100, steps: 1 });
      expect(t.stepMs).toBeGreaterThan(0);
      expect(t.knnMs).toBeGreaterThan(0);
      expect(t.score).toBeCloseTo(t.stepMs * 11 + t.knnMs, 6); // ⌈1024 / 100⌉ = 11
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('gives up with ProbeSlower and its estimate when the limit is tiny', async () => {
    const before = tf.memory().numTensors;
    const run = timeWorkload(tf, { nGenes: 40, batchSize: 64, giveUpAbove: 1e-9 });
    await expect(run).rejects.toBeInstanceOf(ProbeSlower);
    const e = (await run.catch((x: unknown) => x)) as ProbeSlower;
    expect(e.estimate).toBeGreaterThan(1e-9);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('does not start when its signal is already aborted', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    controller.abort();
    await expect(
      timeWorkload(tf, { nGenes: 40, batchSize: 64, signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
