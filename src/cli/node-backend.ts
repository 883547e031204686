/**
 * TensorFlow.js backends for the command line: 'wasm' (SIMD, fast matrix products; the default), 'cpu'
 * (pure JS, complete, the reference for determinism). The CLI shares the browser's backend choice code.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// The umbrella package's Node bundle registers the gradient functions on the same tfjs-core instance
// (tfjs-core's own ESM files cannot be imported by Node's ESM loader: extensionless imports).
import '@tensorflow/tfjs';
import { selectBackend } from '../engine/backend.ts';
import type { BackendInfo, BackendRequest } from '../engine/contract.ts';

export { tf };

export async function setupNodeBackend(request: BackendRequest): Promise<BackendInfo> {
  // Silence TF.js's "running in Node without tfjs-node" hint; the CLI chooses its backends on purpose.
  tf.env().set('IS_TEST', true);
  const info = await selectBackend(tf, request === 'auto' ? 'wasm' : request);
  if (request !== 'auto' && info.name !== request) {
    const why = info.fallbacks.find((f) => f.name === request)?.reason ?? 'not available';
    throw new Error(
      `Backend "${request}" is not available in Node here (${why}). Use --backend wasm or --backend cpu.`,
    );
  }
  return info;
}
