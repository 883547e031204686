/**
 * The page's connection to the UMAP layout worker (`workers/umap.worker.ts`), like `engine-client.ts` for the
 * engine: creates the worker on first use and wraps it with Comlink. `layoutCells` is the convenient entry:
 * it proxies the progress callback and rejects (with an `AbortError`) if the worker is terminated or fails
 * meanwhile, which a bare Comlink call would leave pending forever.
 */
import * as Comlink from 'comlink';
import type { PreviewRequest, UmapLayoutApi, UmapLayoutRequest, UmapProgress } from '../umap-contract.ts';
import { UMAP_CANCELLED } from '../umap-contract.ts';

export type UmapWorker = Comlink.Remote<UmapLayoutApi>;

let remote: UmapWorker | null = null;
let worker: Worker | null = null;
/** Rejecters of the calls in flight, settled when the worker goes away. */
const pending = new Set<(error: Error) => void>();

function failPending(name: string, message: string): void {
  for (const reject of [...pending]) {
    const e = new Error(message);
    e.name = name;
    reject(e);
  }
  pending.clear();
}

/** The layout worker, started on first use. */
export function getUmapWorker(): UmapWorker {
  if (remote) return remote;
  const w = new Worker(new URL('../../../workers/umap.worker.ts', import.meta.url), {
    type: 'module',
    name: 'umap-layout',
  });
  w.addEventListener('error', (e: ErrorEvent) => {
    failPending('Error', `The layout worker failed: ${e.message || 'it could not be started'}`);
  });
  worker = w;
  remote = Comlink.wrap<UmapLayoutApi>(w);
  return remote;
}

/** Stop the worker at once (even mid-epoch); calls in flight reject with an `AbortError`. */
export function terminateUmapWorker(): void {
  if (remote) remote[Comlink.releaseProxy]();
  worker?.terminate();
  worker = null;
  remote = null;
  failPending(UMAP_CANCELLED, 'UMAP layout cancelled: the layout worker was stopped');
}

/** A fresh worker (the old one terminated, its calls rejected). */
export function restartUmapWorker(): UmapWorker {
  terminateUmapWorker();
  return getUmapWorker();
}

/**
 * Lay the cells out in the worker. The request's arrays are copied, not transferred (the page keeps them).
 * A newer call cancels an older one (which rejects with an `AbortError`, see `isLayoutCancelled`).
 */
export function layoutCells(
  request: UmapLayoutRequest,
  onProgress?: (progress: UmapProgress) => void,
): Promise<Float32Array> {
  const w = getUmapWorker();
  return new Promise<Float32Array>((resolve, reject) => {
    const settle = (error: Error): void => reject(error);
    pending.add(settle);
    const call = onProgress ? w.layout(request, Comlink.proxy(onProgress)) : w.layout(request);
    call.then(
      (positions) => {
        pending.delete(settle);
        resolve(positions);
      },
      (error: unknown) => {
        pending.delete(settle);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** The cell graph drawn as a picture in the worker (see graph-preview.ts). */
export function previewImage(request: PreviewRequest): Promise<ImageBitmap> {
  return getUmapWorker().preview(request);
}

/** Ask the worker to stop the layout in progress (cooperative: takes effect between slices of epochs). */
export function cancelUmapLayout(): void {
  if (remote) void remote.cancel();
}
