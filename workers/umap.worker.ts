/**
 * Layout worker entry: exposes `LayoutApi` (src/layout/contract.ts) over Comlink: the UMAP layout of the cell
 * embedding (src/layout/umap-layout.ts) and the live graph preview (src/layout/graph-preview.ts), off the
 * page's thread. One layout runs at a time: a new `layout` call or `cancel()` aborts the one in progress,
 * which then answers 'cancelled'.
 */
import * as Comlink from 'comlink';
import { err, ok } from '../src/contract/common.ts';
import type { LayoutApi } from '../src/layout/contract.ts';
import { drawGraphPreview } from '../src/layout/graph-preview.ts';
import { layoutResult } from '../src/layout/umap-layout.ts';

let current: AbortController | null = null;

const api: LayoutApi = {
  async layout(request, onProgress) {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    try {
      const result = await layoutResult(request, {
        signal: controller.signal,
        onProgress: onProgress
          ? (p) => {
              // Fire and forget: the page may be gone or slow; the layout does not wait for it.
              void Promise.resolve(onProgress(Comlink.transfer(p, [p.positions.buffer]))).catch(() => {});
            }
          : undefined,
      });
      return result.ok ? Comlink.transfer(result, [result.value.buffer]) : result;
    } finally {
      if (current === controller) current = null;
    }
  },
  async cancel() {
    current?.abort();
    current = null;
  },
  async preview(request) {
    if (typeof OffscreenCanvas === 'undefined')
      return err('unsupported', 'This browser cannot draw on an OffscreenCanvas.');
    const canvas = new OffscreenCanvas(request.width, request.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) return err('unsupported', 'This browser cannot draw on an OffscreenCanvas.');
    drawGraphPreview(ctx, request.width, request.height, request.positions, {
      nCells: request.labels.length,
      labels: request.labels,
      edges: request.edges,
    });
    const bitmap = canvas.transferToImageBitmap();
    return Comlink.transfer(ok(bitmap), [bitmap]);
  },
};

Comlink.expose(api);
