/**
 * TensorFlow.js backends for the command line: 'wasm' (SIMD, fast matrix products; the default), 'cpu'
 * (pure JS, complete, the reference for determinism), 'webgpu' (Dawn, node-webgpu.ts), or 'auto' (the
 * fastest of those by probe). The CLI shares the browser's backend choice code (src/engine/backend.ts).
 *
 * Threads: tfjs-backend-wasm runs single-threaded in Node. It turns its threaded build off whenever it
 * detects Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false under `IS_NODE`, tfjs#3830), and that build's
 * loader hands its worker threads blob: URLs that Node's worker_threads cannot start. The browser page
 * runs the threaded build when it is cross-origin isolated.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
// The umbrella package's Node bundle registers the gradient functions on the same tfjs-core instance
// (tfjs-core's own ESM files cannot be imported by Node's ESM loader: extensionless imports).
import '@tensorflow/tfjs';
import { selectBackend } from '../engine/backend.ts';
import type { BackendInfo, BackendRequest } from '../engine/contract.ts';
import { installNodeWebgpu } from './node-webgpu.ts';

export { tf };

export async function setupNodeBackend(request: BackendRequest): Promise<BackendInfo> {
  // Silence TF.js's "running in Node without tfjs-node" hint; the CLI chooses its backends on purpose.
  tf.env().set('IS_TEST', true);
  let webgpuProblem: string | null = null;
  if (request === 'webgpu' || request === 'auto') {
    try {
      await installNodeWebgpu();
    } catch (e) {
      webgpuProblem = (e as Error).message;
    }
  }
  const info = await selectBackend(tf, request, { wasmThreads: getThreadsCount });
  if (request !== 'auto' && info.name !== request) {
    const why =
      webgpuProblem ?? info.candidates.find((c) => c.name === request)?.note ?? 'not available here';
    throw new Error(
      `Backend "${request}" is not available in Node here (${why}). Use --backend wasm or --backend cpu.`,
    );
  }
  return info;
}
