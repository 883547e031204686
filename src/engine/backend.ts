/**
 * TensorFlow.js backend choice: WebGPU, else WebGL, else CPU (or the one the caller forces), each checked by
 * a warm-up computation whose result is compared with a plain-JS product, so a backend that initialises
 * but computes wrongly is not used. Runs in the worker (browser) or in Node (CLI, tests).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { BackendInfo, BackendName, BackendRequest } from './contract.ts';

type Tf = typeof tfc;

const AUTO_ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** A small deterministic matrix product checked against plain JS; returns milliseconds. */
async function warmUp(tf: Tf): Promise<number> {
  const n = 64;
  const a = new Float32Array(n * n);
  const b = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) {
    a[i] = ((i * 37) % 17) / 17 - 0.5;
    b[i] = ((i * 11) % 13) / 13 - 0.5;
  }
  const t0 = performance.now();
  const out = tf.tidy(() => tf.sum(tf.relu(tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n]))), 1));
  const got = (await out.data()) as Float32Array;
  out.dispose();
  const ms = performance.now() - t0;
  for (let i = 0; i < n; i++) {
    let expected = 0;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += a[i * n + k]! * b[k * n + j]!;
      expected += Math.max(0, dot);
    }
    if (Math.abs(got[i]! - expected) > 1e-3 * (1 + Math.abs(expected))) {
      throw new Error(`warm-up result wrong in row ${i}: ${got[i]} instead of ${expected.toFixed(4)}`);
    }
  }
  return ms;
}

/** Describe the WebGPU adapter, when there is one (browser workers; Node with a WebGPU binding). */
async function describeAdapter(): Promise<string | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    const info = adapter.info;
    const parts = [info.vendor, info.architecture, info.device, info.description].filter(
      (s) => s && s.length > 0,
    );
    return parts.length ? [...new Set(parts)].join(' / ') : 'unknown adapter';
  } catch {
    return null;
  }
}

/**
 * Activate the requested backend (or the best available for 'auto'), warm it up, and describe it.
 * A forced backend that fails falls back to the automatic order, and the failure is reported.
 */
export async function selectBackend(tf: Tf, request: BackendRequest): Promise<BackendInfo> {
  const order = request === 'auto' ? AUTO_ORDER : [request, ...AUTO_ORDER.filter((b) => b !== request)];
  const fallbacks: { name: BackendName; reason: string }[] = [];
  for (const name of order) {
    if (!tf.findBackendFactory(name)) {
      fallbacks.push({ name, reason: 'not available in this build' });
      continue;
    }
    if (name === 'webgpu' && !(globalThis.navigator as Navigator | undefined)?.gpu) {
      fallbacks.push({ name, reason: 'this browser exposes no WebGPU (navigator.gpu is missing)' });
      continue;
    }
    try {
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error('initialisation failed');
      await tf.ready();
      const warmupMs = await warmUp(tf);
      const adapter = name === 'webgpu' ? await describeAdapter() : null;
      return { name, requested: request, adapter, fallbacks, warmupMs };
    } catch (e) {
      fallbacks.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(
    `No TensorFlow.js backend works here: ${fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`,
  );
}
