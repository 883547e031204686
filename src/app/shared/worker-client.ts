/**
 * The page's side of one Web Worker, shared by `engine-client.ts` and `../graph/layout-client.ts` (the only
 * places in the UI that create workers): the worker starts on first use and is wrapped with Comlink, and
 * every call made through `get()` is tracked so that it rejects, rather than staying pending forever, when
 * the worker is terminated (with an error named `AbortError`, see `isWorkerStopped`) or fails (script
 * error, with the failure's message). After `terminate()` the next `get()` starts a fresh worker.
 */
import * as Comlink from 'comlink';

/** Name of the error that calls in flight reject with when their worker is terminated. */
export const WORKER_STOPPED = 'AbortError';

/** Whether an error is a call cut short by `terminate()` (also after crossing the worker boundary). */
export function isWorkerStopped(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === WORKER_STOPPED;
}

export interface WorkerClient<Api> {
  /** The worker's API (methods only), started on first use. */
  get(): Comlink.Remote<Api>;
  /** The worker's API if it has been started (and not terminated since), else null: starts nothing. */
  ifStarted(): Comlink.Remote<Api> | null;
  /** Stop the worker at once and forget it; calls in flight reject with an `AbortError`. */
  terminate(): void;
  /** A fresh worker (the old one terminated, its calls rejected). */
  restart(): Comlink.Remote<Api>;
  /** Be told when the worker itself fails (script error); returns the unsubscribe function. */
  onFailure(listener: (message: string) => void): () => void;
}

export interface WorkerClientOptions {
  /**
   * Create the worker. Keep `new Worker(new URL('…', import.meta.url), { type: 'module' })` literally in the
   * caller: that is the form Vite recognises to bundle the worker.
   */
  readonly start: () => Worker;
  /** What the worker is, in words, for error messages ("engine", "layout"). */
  readonly label: string;
}

export function createWorkerClient<Api>(options: WorkerClientOptions): WorkerClient<Api> {
  let worker: Worker | null = null;
  let remote: Comlink.Remote<Api> | null = null;
  let tracked: Comlink.Remote<Api> | null = null;
  /** Rejecters of the calls in flight, settled when the worker goes away. */
  const pending = new Set<(error: Error) => void>();
  const failureListeners = new Set<(message: string) => void>();

  const failPending = (name: string, message: string): void => {
    const rejecters = [...pending];
    pending.clear();
    for (const reject of rejecters) {
      const e = new Error(message);
      e.name = name;
      reject(e);
    }
  };

  const track = <T>(call: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      pending.add(reject);
      call.then(
        (value) => {
          pending.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          pending.delete(reject);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });

  const get = (): Comlink.Remote<Api> => {
    if (tracked) return tracked;
    const w = options.start();
    w.addEventListener('error', (e: ErrorEvent) => {
      if (w !== worker) return;
      const message = `The ${options.label} worker failed: ${e.message || 'it could not be started'}`;
      for (const listener of failureListeners) listener(message);
      failPending('Error', message);
    });
    const r = Comlink.wrap<Api>(w);
    worker = w;
    remote = r;
    // Every method call goes through `track`; symbols (Comlink's releaseProxy) and `then` (so the remote is
    // not taken for a promise) pass through.
    tracked = new Proxy(r, {
      get(target, prop) {
        if (typeof prop === 'symbol' || prop === 'then') return Reflect.get(target, prop);
        const method = Reflect.get(target, prop) as (...args: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => track(method(...args));
      },
    });
    return tracked;
  };

  const terminate = (): void => {
    if (remote) remote[Comlink.releaseProxy]();
    worker?.terminate();
    worker = null;
    remote = null;
    tracked = null;
    failPending(WORKER_STOPPED, `The ${options.label} worker was stopped`);
  };

  return {
    get,
    ifStarted: () => tracked,
    terminate,
    restart: () => {
      terminate();
      return get();
    },
    onFailure: (listener) => {
      failureListeners.add(listener);
      return () => failureListeners.delete(listener);
    },
  };
}
