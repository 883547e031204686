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
 * The request with fresh copies of its arrays, and their buffers to transfer: the page keeps its own arrays,
 * and a transferred copy (one memcpy) costs the main thread far less than structured cloning (measured: one
 * 25 MB request at 100,000 cells, embedding and graph, blocked the page for about 350 ms when cloned). With
 * `giveEmbedding` the embedding itself is transferred, not copied, and is unusable here afterwards: even one
 * copy of a 100,000 x 128 embedding (51 MB) took 300-400 ms on the page's thread of the 2-core machine
 * (mostly the fresh allocation's page faults).
 */
export function transferableRequest(
  request: UmapLayoutRequest,
  giveEmbedding = false,
): {
  request: UmapLayoutRequest;
  buffers: ArrayBuffer[];
} {
  const buffers: ArrayBuffer[] = [];
  const copy = <T extends Float32Array | Int32Array>(a: T): T => {
    const c = a.slice() as T;
    buffers.push(c.buffer as ArrayBuffer);
    return c;
  };
  const give = (a: Float32Array): Float32Array => {
    buffers.push(a.buffer as ArrayBuffer);
    return a;
  };
  const { embedding, knnIndices, knnDistances, graph, init } = request;
  return {
    request: {
      ...request,
      embedding:
        giveEmbedding && embedding.byteLength === embedding.buffer.byteLength
          ? give(embedding)
          : copy(embedding),
      ...(knnIndices ? { knnIndices: copy(knnIndices) } : {}),
      ...(knnDistances ? { knnDistances: copy(knnDistances) } : {}),
      ...(graph ? { graph: { from: copy(graph.from), to: copy(graph.to), weight: copy(graph.weight) } } : {}),
      ...(init ? { init: copy(init) } : {}),
    },
    buffers,
  };
}

/**
 * Lay the cells out in the worker. The request's arrays are copied and the copies transferred (the page keeps
 * its own), except the embedding with `giveEmbedding` (transferred as it is). A newer call cancels an older one
 * (which answers 'cancelled'). Rejects only when the worker fails.
 */
export async function layoutCells(
  request: UmapLayoutRequest,
  onProgress?: (progress: UmapProgress) => void,
  giveEmbedding = false,
): Promise<LayoutResult<Float32Array>> {
  const w = getLayoutWorker();
  const sent = transferableRequest(request, giveEmbedding);
  const message = Comlink.transfer(sent.request, sent.buffers);
  try {
    return await (onProgress ? w.layout(message, Comlink.proxy(onProgress)) : w.layout(message));
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
