import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsReprobe, selectBackend } from './backend.ts';
import { checkGradients, referenceGradients, timeWorkload } from './probe.ts';
import type { BackendInfo } from './contract.ts';

/**
 * 'webgl' here is a stand-in registered by this test: the CPU backend's kernels, except that every matrix
 * product returns zeros (a device that computes wrongly, like the all-zero gradients of tfjs#8590).
 */
const BROKEN = 'webgl';

beforeAll(() => {
  tf.env().set('IS_TEST', true);
  tf.registerBackend(BROKEN, () => new MathBackendCPU(), 0);
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (k.kernelName === 'BatchMatMul' || k.kernelName === '_FusedMatMul') {
      tf.registerKernel({
        kernelName: k.kernelName,
        backendName: BROKEN,
        kernelFunc: ({ inputs, backend }) => {
          const a = inputs.a as tf.TensorInfo;
          const b = inputs.b as tf.TensorInfo;
          const shape = [...a.shape.slice(0, -1), b.shape[b.shape.length - 1]!];
          const size = shape.reduce((x, y) => x * y, 1);
          return (backend as MathBackendCPU).makeTensorInfo(shape, 'float32', new Float32Array(size));
        },
      });
    } else {
      tf.registerKernel({ ...k, backendName: BROKEN });
    }
  }
});

afterAll(() => {
  tf.removeBackend(BROKEN);
});

describe('the probe', () => {
  it('checks training gradients against plain JavaScript on the CPU and WASM backends', async () => {
    for (const name of ['cpu', 'wasm']) {
      await tf.setBackend(name);
      const check = await checkGradients(tf);
      expect(check.ok, `${name}: ${check.detail}`).toBe(true);
      expect(check.maxError).toBeLessThan(1e-3);
    }
    expect(tf.memory().numTensors).toBe(0);
  });

  it('rejects a backend whose matrix products are wrong', async () => {
    await tf.setBackend(BROKEN);
    const check = await checkGradients(tf);
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/every gradient came back 0|differ from plain JavaScript/);
    await tf.setBackend('cpu');
  });

  it('has a reference gradient that matches a finite difference of the loss', () => {
    // A 2-gene network, checked by central differences on one weight of each layer.
    const shape = [
      [2, 3],
      [3, 2],
      [2, 3],
      [3, 2],
    ];
    let seed = 3;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const ws = shape.flatMap(([i, o]) => [
      Float32Array.from({ length: i! * o! }, rand),
      Float32Array.from({ length: o! }, () => 0.3 + 0.1 * rand()),
    ]);
    const x = Float32Array.of(1, 2, 0.5, 0);
    const states = Float32Array.of(1, 0, 2, 1);
    const loss = (w: Float32Array[]): number => {
      let a = Array.from(x);
      for (let l = 0; l < 4; l++) {
        const [nIn, nOut] = shape[l] as [number, number];
        const next: number[] = [];
        for (let r = 0; r < 2; r++)
          for (let o = 0; o < nOut; o++) {
            let s = w[2 * l + 1]![o]!;
            for (let i = 0; i < nIn; i++) s += a[r * nIn + i]! * w[2 * l]![i * nOut + o]!;
            next.push(Math.max(0, s));
          }
        a = next;
      }
      return a.reduce((acc, v, i) => acc + (v - x[i]!) ** 2 * (0.1 + 0.9 * states[i]!), 0);
    };
    const grads = referenceGradients(ws, x, states, 2);
    for (let p = 0; p < ws.length; p++) {
      const h = 1e-3;
      const plus = ws.map((w) => Float32Array.from(w));
      const minus = ws.map((w) => Float32Array.from(w));
      plus[p]![0]! += h;
      minus[p]![0]! -= h;
      const numeric = (loss(plus) - loss(minus)) / (2 * h);
      expect(grads[p]![0]).toBeCloseTo(numeric, 2);
    }
  });

  it('times the workload and stops early once a backend cannot win', async () => {
    await tf.setBackend('wasm');
    const t = await timeWorkload(tf, { nGenes: 200, batchSize: 32 });
    expect(t.stepMs).toBeGreaterThan(0);
    expect(t.knnMs).toBeGreaterThan(0);
    expect(t.score).toBeCloseTo(t.stepMs * 32 + t.knnMs, 6);
    await tf.setBackend('cpu');
    await expect(timeWorkload(tf, { nGenes: 200, batchSize: 32, giveUpAbove: 1e-6 })).rejects.toThrow(
      /estimated from one timed step/,
    );
    expect(tf.memory().numTensors).toBe(0);
  });
});

describe('selectBackend', () => {
  it('chooses WASM over the others in Node, and says why each other one was not used', async () => {
    const info = await selectBackend(tf, 'auto', { nGenes: 300 });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.probeGenes).toBe(300);
    const byName = Object.fromEntries(info.candidates.map((c) => [c.name, c]));
    expect(byName.wasm).toMatchObject({ outcome: 'chosen', computeClass: 'cpu' });
    expect(byName.wasm!.probeMs).toBeGreaterThan(0);
    expect(byName.cpu).toMatchObject({ outcome: 'slower' });
    expect(byName.cpu!.note).toMatch(/plain JavaScript/);
    expect(byName.webgpu).toMatchObject({ outcome: 'unavailable' });
    // The stand-in 'webgl' computes wrongly: started, checked, never chosen.
    expect(byName[BROKEN]).toMatchObject({ outcome: 'failed' });
    expect(byName[BROKEN]!.note).toMatch(/gradient/);
  });

  it('falls back, and says so, when a forced backend trains wrongly', async () => {
    const info = await selectBackend(tf, BROKEN, { nGenes: 300 });
    expect(info.requested).toBe(BROKEN);
    expect(info.name).toBe('wasm');
    expect(info.reason).toMatch(/was asked for but .*gradient/);
  });

  it('times a forced backend only when asked to', async () => {
    const timed = await selectBackend(tf, 'cpu', { nGenes: 100, timeForced: true });
    expect(timed.candidates).toHaveLength(1);
    expect(timed.candidates[0]!.probeMs).toBeGreaterThan(0);
    expect(timed.reason).toMatch(/asked for/);
    const untimed = await selectBackend(tf, 'wasm', { nGenes: 100 });
    expect(untimed.candidates[0]!.probeMs).toBeNull();
    expect(untimed.name).toBe('wasm');
  });

  it('asks for a new probe when the gene count differs by more than 2x, only for automatic choices', () => {
    const info = { requested: 'auto', probeGenes: 2000 } as BackendInfo;
    expect(needsReprobe(info, 2000)).toBe(false);
    expect(needsReprobe(info, 3900)).toBe(false);
    expect(needsReprobe(info, 4100)).toBe(true);
    expect(needsReprobe(info, 900)).toBe(true);
    expect(needsReprobe({ ...info, requested: 'wasm' }, 200)).toBe(false);
  });
});
