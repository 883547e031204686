/**
 * UMAP layout worker: lays out the cell embedding in 2-D with umap-js (see `src/app/umap-layout.ts`) off the
 * page's thread, and exposes `UmapLayoutApi` over Comlink. One layout runs at a time: a new `layout` call or
 * `cancel()` aborts the one in progress, which rejects with an `AbortError`.
 */
import * as Comlink from 'comlink';
import type { UmapLayoutApi, UmapLayoutRequest, UmapProgress } from '../src/app/umap-contract.ts';
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
};

Comlink.expose(api);
