/**
 * Counts what a GPU pays for, on whichever TensorFlow.js backend is active: kernels run (every op the engine
 * dispatches), GPU compute dispatches (WebGPU: each program recorded into a compute pass; other backends: the
 * kernel count), and reads of tensor data back to the host (`data()` / `dataSync()`; on WebGPU each is a
 * GPU-to-CPU copy and a sync). For benchmarks only: it wraps the engine's and the backend's methods while
 * installed.
 */
import type * as tfc from '@tensorflow/tfjs-core';

export interface Counts {
  kernels: number;
  dispatches: number;
  reads: number;
}

export interface DispatchCounter {
  readonly counts: Counts;
  /** A copy of the counts now. */
  snapshot(): Counts;
  /** Stop counting and restore the wrapped methods. */
  uninstall(): void;
}

type AnyFn = (...args: unknown[]) => unknown;

export function installCounter(tf: typeof tfc): DispatchCounter {
  const counts: Counts = { kernels: 0, dispatches: 0, reads: 0 };
  const engine = tf.engine() as unknown as Record<string, AnyFn>;
  const backend = tf.backend() as unknown as Record<string, AnyFn>;
  const isWebgpu = tf.getBackend() === 'webgpu';
  const restore: (() => void)[] = [];
  const wrap = (obj: Record<string, AnyFn>, name: string, count: () => void): void => {
    const original = obj[name];
    if (typeof original !== 'function') return;
    const own = Object.prototype.hasOwnProperty.call(obj, name);
    obj[name] = function (this: unknown, ...args: unknown[]) {
      count();
      return original.apply(this, args);
    };
    restore.push(() => {
      if (own) obj[name] = original;
      else delete obj[name];
    });
  };
  wrap(engine, 'runKernel', () => {
    counts.kernels++;
    if (!isWebgpu) counts.dispatches++;
  });
  if (isWebgpu) wrap(backend, 'recordAndSubmit', () => counts.dispatches++);
  // read() calls readSync() synchronously on the CPU and WASM backends: count the outer call only.
  let inRead = false;
  const readOnce = (name: 'read' | 'readSync'): void => {
    const original = backend[name];
    if (typeof original !== 'function') return;
    backend[name] = function (this: unknown, ...args: unknown[]) {
      if (inRead) return original.apply(this, args);
      counts.reads++;
      inRead = true;
      try {
        return original.apply(this, args);
      } finally {
        inRead = false;
      }
    };
    restore.push(() => delete backend[name]);
  };
  readOnce('read');
  readOnce('readSync');
  return {
    counts,
    snapshot: () => ({ ...counts }),
    uninstall: () => restore.reverse().forEach((r) => r()),
  };
}

export function diff(a: Counts, b: Counts): Counts {
  return {
    kernels: b.kernels - a.kernels,
    dispatches: b.dispatches - a.dispatches,
    reads: b.reads - a.reads,
  };
}
