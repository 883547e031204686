/**
 * The API of the UMAP layout worker (`workers/umap.worker.ts`), shared by the worker and the page
 * (`umap-client.ts`). Types only: the worker lays out a cell embedding in 2-D with umap-js, seeded, optionally
 * warm-started from previous positions, and reports intermediate positions so the page can animate.
 *
 * All arrays are flat and row-major: `embedding` is nCells x dims, the kNN arrays nCells x k, positions
 * nCells x 2 ([x0, y0, x1, y1, ...]).
 */

export interface UmapLayoutRequest {
  nCells: number;
  /** Columns of `embedding`. */
  dims: number;
  /** nCells x dims, row-major. */
  embedding: Float32Array;
  /**
   * Lay out the rows scaled to unit length (cells placed by the direction of their embedding, as the
   * clustering compares them by default). Default false.
   */
  unitRows?: boolean;
  /**
   * Optional precomputed kNN (nCells x k, nearest first, self excluded (as `src/core/graph/knn.ts` returns
   * it) or first; every index in [0, nCells)): saves umap-js its nearest-neighbour search. Must come with
   * `knnDistances` and `k`.
   */
  knnIndices?: Int32Array;
  /** nCells x k distances matching `knnIndices`. */
  knnDistances?: Float32Array;
  /** Neighbours per cell in the kNN arrays. */
  k?: number;
  /**
   * Previous positions (nCells x 2, any scale) to start from, so cells do not jump between iterations. They
   * are rescaled to umap's usual [-10, 10] box; the run then uses fewer epochs and a gentler learning rate.
   */
  init?: Float32Array;
  /** Seed of the random stream (initialisation, neighbour search, negative sampling): same seed, same layout. */
  seed: number;
  /** Optimisation epochs. Default: 100 for a warm start, umap-js' default (500 up to 2,500 cells, fewer above) cold. */
  epochs?: number;
  /** Neighbours when umap-js computes the kNN itself (default 15, clamped to nCells - 1). */
  nNeighbors?: number;
  /** umap's min_dist (default 0.5, as scanpy). */
  minDist?: number;
  /** Initial learning rate (default 1 cold, 0.2 warm: lower keeps a warm start steadier but slower to adapt). */
  learningRate?: number;
}

export interface UmapProgress {
  /** Epochs completed. */
  epoch: number;
  nEpochs: number;
  /** Current positions, nCells x 2 (a fresh copy each time). */
  positions: Float32Array;
}

export interface UmapLayoutApi {
  /**
   * Lay the cells out in 2-D; resolves with the final positions (nCells x 2). `onProgress` (wrap it with
   * Comlink's `proxy`) gets intermediate positions about every 10 epochs, at most every 100 ms. A new call
   * cancels the one in progress. Rejects with an error named `AbortError` when cancelled.
   */
  layout(request: UmapLayoutRequest, onProgress?: (progress: UmapProgress) => void): Promise<Float32Array>;
  /** Stop the layout in progress (its promise rejects with `AbortError`); a no-op when idle. */
  cancel(): void;
  /**
   * The cell graph drawn as a picture (graph-preview.ts) at these positions, off the page's thread: shown
   * while a run is in progress.
   */
  preview(request: PreviewRequest): Promise<ImageBitmap>;
}

export interface PreviewRequest {
  width: number;
  height: number;
  /** nCells x 2. */
  positions: Float32Array;
  labels: Int32Array;
  edges: { from: Int32Array; to: Int32Array; weight: Float32Array };
}

/** Name of the error a cancelled layout rejects with. */
export const UMAP_CANCELLED = 'AbortError';

/** Whether an error is a cancelled layout (also after crossing the worker boundary, which keeps `name`). */
export function isLayoutCancelled(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === UMAP_CANCELLED;
}
