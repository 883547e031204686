/**
 * Engine worker entry: registers the TensorFlow.js backends and exposes the engine API over Comlink.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineApi } from '../src/engine/contract.ts';

const engine: EngineApi = createEngine(tf);
Comlink.expose(engine);
