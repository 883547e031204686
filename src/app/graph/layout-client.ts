/**
 * The page's connection to the layout worker (`workers/umap.worker.ts`, API in `src/layout/contract.ts`),
 * through the shared worker client (`../shared/worker-client.ts`), like `../shared/engine-client.ts` for the
 * engine. `layoutCells` proxies the progress callback; a layout cut short because the worker was terminated
 * answers 'cancelled' like one cancelled in the worker.
 */
import * as Comlink from 'comlink';
import type {
  LayoutApi,
  LayoutResult,
  PreviewRequest,
  UmapLayoutRequest,
  UmapProgress,
} from '../../layout/contract.ts';
import { createWorkerClient, isWorkerStopped } from '../shared/worker-client.ts';

export type LayoutWorker = Comlink.Remote<LayoutApi>;

const client = createWorkerClient<LayoutApi>({
  label: 'layout',
  start: () =>
    new Worker(new URL('../../../workers/umap.worker.ts', import.meta.url), {
      type: 'module',
      name: 'umap-layout',
    }),
});

/** The layout worker, started on first use. */
export function getLayoutWorker(): LayoutWorker {
  return client.get();
}

/** Stop the worker at once (even mid-epoch); calls in flight answer 'cancelled'. */
export function terminateLayoutWorker(): void {
  client.terminate();
}

/** A fresh worker (the old one terminated, its calls answered 'cancelled'). */
export function restartLayoutWorker(): LayoutWorker {
  return client.restart();
}

/**
 * Lay the cells out in the worker. The request's arrays are copied, not transferred (the page keeps them).
 * A newer call cancels an older one (which answers 'cancelled'). Rejects only when the worker fails.
 */
export async function layoutCells(
  request: UmapLayoutRequest,
  onProgress?: (progress: UmapProgress) => void,
): Promise<LayoutResult<Float32Array>> {
  const w = getLayoutWorker();
  try {
    return await (onProgress ? w.layout(request, Comlink.proxy(onProgress)) : w.layout(request));
  } catch (e) {
    if (isWorkerStopped(e)) return { ok: false, error: { code: 'cancelled', message: (e as Error).message } };
    throw e;
  }
}

/** The cell graph drawn as a picture in the worker (see src/layout/graph-preview.ts). */
export function previewImage(request: PreviewRequest): Promise<LayoutResult<ImageBitmap>> {
  return getLayoutWorker().preview(request);
}

/** Ask the worker to stop the layout in progress (cooperative: takes effect between slices of epochs). */
export function cancelLayout(): void {
  void client
    .ifStarted()
    ?.cancel()
    .catch(() => {});
}
