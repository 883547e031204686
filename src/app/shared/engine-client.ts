/**
 * The page's single connection to the engine worker: creates the one Web Worker (the only place in the UI
 * that does) and wraps it with Comlink. Callbacks passed to the worker must be wrapped with `proxy`.
 */
import * as Comlink from 'comlink';
import type { EngineApi } from '../../engine/contract.ts';

export type Engine = Comlink.Remote<EngineApi>;

let engine: Engine | null = null;
let worker: Worker | null = null;
const failureListeners = new Set<(message: string) => void>();

/** The engine, started on first use. */
export function getEngine(): Engine {
  if (engine) return engine;
  worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'scgnn-engine',
  });
  worker.addEventListener('error', (e: ErrorEvent) => {
    const message = `The engine worker failed: ${e.message || 'it could not be started'}`;
    for (const listener of failureListeners) listener(message);
  });
  engine = Comlink.wrap<EngineApi>(worker);
  return engine;
}

/**
 * Stop the worker at once (a run that does not answer a cancel) and forget it; the next `getEngine()` starts
 * a fresh one. Calls still pending on the old worker never settle: callers must not wait on them.
 */
export function terminateEngine(): void {
  worker?.terminate();
  worker = null;
  engine = null;
}

/** Be told when the worker itself fails (script error), which would otherwise leave calls pending. */
export function onEngineFailure(listener: (message: string) => void): () => void {
  failureListeners.add(listener);
  return () => failureListeners.delete(listener);
}

/** Wrap a callback so the worker can call it back across the boundary. */
export function proxyCallback<T extends (...args: never[]) => unknown>(fn: T): T & Comlink.ProxyMarked {
  return Comlink.proxy(fn);
}
