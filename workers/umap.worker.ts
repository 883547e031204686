/**
 * UMAP layout worker: lays out the cell embedding in 2-D with umap-js (see `src/app/umap-layout.ts`) off the
 * page's thread, and exposes `UmapLayoutApi` over Comlink. One layout runs at a time: a new `layout` call or
 * `cancel()` aborts the one in progress, which rejects with an `AbortError`.
 */
import * as Comlink from 'comlink';
import type {
  PreviewRequest,
  UmapLayoutApi,
  UmapLayoutRequest,
  UmapProgress,
} from '../src/app/umap-contract.ts';
import { drawGraphPreview } from '../src/app/graph-preview.ts';
import { runUmapLayout } from '../src/app/umap-layout.ts';

let current: AbortController | null = null;

const api: UmapLayoutApi = {
  async layout(
    request: UmapLayoutRequest,
    onProgress?: (progress: UmapProgress) => void,
  ): Promise<Float32Array> {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    try {
      const positions = await runUmapLayout(request, {
        signal: controller.signal,
        onProgress: onProgress
          ? (p) => {
              // Fire and forget: the page may be gone or slow; the layout does not wait for it.
              void Promise.resolve(onProgress(Comlink.transfer(p, [p.positions.buffer]))).catch(() => {});
            }
          : undefined,
      });
      return Comlink.transfer(positions, [positions.buffer]);
    } finally {
      if (current === controller) current = null;
    }
  },
  cancel(): void {
    current?.abort();
    current = null;
  },
  async preview(request: PreviewRequest): Promise<ImageBitmap> {
    const canvas = new OffscreenCanvas(request.width, request.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser cannot draw on an OffscreenCanvas.');
    drawGraphPreview(ctx, request.width, request.height, request.positions, {
      nCells: request.labels.length,
      labels: request.labels,
      edges: request.edges,
    });
    const bitmap = canvas.transferToImageBitmap();
    return Comlink.transfer(bitmap, [bitmap]);
  },
};

Comlink.expose(api);
