/**
 * Engine worker entry: registers the TensorFlow.js backends and exposes the engine API over Comlink. The
 * session (dataset, parameters, results) is kept in this browser's IndexedDB for the next visit.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The WASM binaries are bundled and served from this page's origin (nothing is fetched from elsewhere).
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineApi } from '../src/engine/contract.ts';
import { idbStore } from '../src/engine/idb-store.ts';
import { memoryStore } from '../src/engine/session-store.ts';
import { transferableEvent, transferableResults } from '../src/engine/transfer-events.ts';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

// WebAssembly threads (used when the page is cross-origin isolated): one per logical core. tfjs-backend-wasm
// caps its thread pool at half of navigator.hardwareConcurrency, read once when its module starts (it assumes
// two hyper-threads per core), which leaves a 2-core machine with a single thread. The engine is the page's
// only heavy computation, so this worker reports twice the core count to that cap and asks for one thread
// per core, up to the 8 workers of its thread pool. Measured in headless Chromium on a 2-core machine: a 1024 x 2000 x 512 matrix product 70 ms on
// one thread, 39 ms on two. Nothing else in this worker reads hardwareConcurrency.
const cores = Math.max(1, navigator.hardwareConcurrency || 1);
Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
setThreadsCount(Math.min(8, cores));

const engine: EngineApi = createEngine(tf, {
  store: typeof indexedDB === 'undefined' ? memoryStore() : idbStore(),
  wasmThreads: () => getThreadsCount(),
});
// Snapshots and results go to the page with their arrays transferred, not cloned on the page's thread
// (transfer-events.ts).
Comlink.expose({
  ...engine,
  run: (request, onEvent) =>
    engine.run(
      request,
      onEvent &&
        ((e) => {
          const { event, buffers } = transferableEvent(e);
          return onEvent(buffers.length ? Comlink.transfer(event, buffers) : event);
        }),
    ),
  results: async () => {
    const r = await engine.results();
    if (!r) return r;
    const { results, buffers } = transferableResults(r);
    return Comlink.transfer(results, buffers);
  },
  restore: async () => {
    const r = await engine.restore();
    if (!r?.ok || !r.value.results) return r;
    const { results, buffers } = transferableResults(r.value.results);
    return Comlink.transfer({ ok: true as const, value: { ...r.value, results } }, buffers);
  },
} satisfies EngineApi);
