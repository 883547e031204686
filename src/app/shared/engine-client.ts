/**
 * The page's single connection to the engine worker (`workers/engine.worker.ts`, API in
 * `src/engine/contract.ts`), through the shared worker client (`worker-client.ts`): the worker starts on first
 * use; calls still in flight reject when it is terminated or fails. Callbacks passed to the worker must be
 * wrapped with `proxyCallback`.
 */
import * as Comlink from 'comlink';
import type { EngineApi } from '../../engine/contract.ts';
import { createWorkerClient } from './worker-client.ts';

export type Engine = Comlink.Remote<EngineApi>;

const client = createWorkerClient<EngineApi>({
  label: 'engine',
  start: () =>
    new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'scgnn-engine',
    }),
});

/** The engine, started on first use. */
export function getEngine(): Engine {
  return client.get();
}

/**
 * Stop the worker at once (a run that does not answer a cancel) and forget it; the next `getEngine()` starts
 * a fresh one. Calls still pending on the old worker reject with an `AbortError`.
 */
export function terminateEngine(): void {
  client.terminate();
}

/** Be told when the worker itself fails (script error); its calls in flight reject with the same message. */
export function onEngineFailure(listener: (message: string) => void): () => void {
  return client.onFailure(listener);
}

/** Wrap a callback so the worker can call it back across the boundary. */
export function proxyCallback<T extends (...args: never[]) => unknown>(fn: T): T & Comlink.ProxyMarked {
  return Comlink.proxy(fn);
}
