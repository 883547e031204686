/**
 * Engine worker entry: registers the TensorFlow.js backends and exposes the engine API over Comlink. The
 * session (dataset, parameters, results) is kept in this browser's IndexedDB for the next visit.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineApi } from '../src/engine/contract.ts';
import { idbStore } from '../src/engine/idb-store.ts';
import { memoryStore } from '../src/engine/session-store.ts';

const engine: EngineApi = createEngine(tf, {
  store: typeof indexedDB === 'undefined' ? memoryStore() : idbStore(),
});
Comlink.expose(engine);
