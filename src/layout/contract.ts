/**
 * The one typed API between the page and the layout worker (exposed with Comlink in `workers/umap.worker.ts`;
 * the page's side is `src/app/graph/layout-client.ts`). The worker lays out a cell embedding in 2-D with
 * umap-js (`umap-layout.ts`), seeded, optionally warm-started from previous positions, reports intermediate
 * positions so the page can animate, and draws the live graph preview (`graph-preview.ts`).
 *
 * As in the engine's contract (`src/engine/contract.ts`), expected failures (a malformed request, a cancelled
 * layout) are returned as `{ ok: false, error }` values (`Result`, src/contract/common.ts); anything thrown is
 * a bug.
 *
 * All arrays are flat and row-major: `embedding` is nCells x dims, the kNN arrays nCells x k, positions
 * nCells x 2 ([x0, y0, x1, y1, ...]).
 */
import type { EdgeList, Result, WorkerError } from '../contract/common.ts';

export interface UmapLayoutRequest {
  readonly nCells: number;
  /** Columns of `embedding`. */
  readonly dims: number;
  /** nCells x dims, row-major. */
  readonly embedding: Float32Array;
  /**
   * Lay out the rows scaled to unit length (cells placed by the direction of their embedding, as the
   * clustering compares them by default). Default false.
   */
  readonly unitRows?: boolean;
  /**
   * Optional precomputed kNN (nCells x k, nearest first, self excluded (as `src/core/graph/knn.ts` returns
   * it) or first; every index in [0, nCells)): saves umap-js its nearest-neighbour search. Must come with
   * `knnDistances` and `k`.
   */
  readonly knnIndices?: Int32Array;
  /** nCells x k distances matching `knnIndices`. */
  readonly knnDistances?: Float32Array;
  /** Neighbours per cell in the kNN arrays. */
  readonly k?: number;
  /**
   * The run's cell graph (each undirected edge once or both ways; weights unused): when given without
   * `knnIndices`, the layout takes each cell's nearest `graphNeighbors` among its graph neighbours (and their
   * neighbours when it has fewer) as umap's kNN (`graph-knn.ts`), instead of umap-js searching it again.
   */
  readonly graph?: EdgeList;
  /** Neighbours per cell taken from `graph` (default `GRAPH_NEIGHBORS`, 15). */
  readonly graphNeighbors?: number;
  /**
   * Previous positions (nCells x 2, any scale) to start from, so cells do not jump between iterations. They
   * are rescaled to umap's usual [-10, 10] box; the run then uses fewer epochs and a gentler learning rate.
   */
  readonly init?: Float32Array;
  /** Seed of the random stream (initialisation, neighbour search, negative sampling): same seed, same layout. */
  readonly seed: number;
  /** Optimisation epochs. Default: `defaultEpochs` in umap-layout.ts (fewer for a warm start and at large N). */
  readonly epochs?: number;
  /** Neighbours when umap-js computes the kNN itself (default 15, clamped to nCells - 1). */
  readonly nNeighbors?: number;
  /** umap's min_dist (default 0.5, as scanpy). */
  readonly minDist?: number;
  /** Initial learning rate (default 1 cold, 0.2 warm: lower keeps a warm start steadier but slower to adapt). */
  readonly learningRate?: number;
}

export interface UmapProgress {
  /** Epochs completed. */
  readonly epoch: number;
  readonly nEpochs: number;
  /** Current positions, nCells x 2 (a fresh copy each time). */
  readonly positions: Float32Array;
}

export interface PreviewRequest {
  readonly width: number;
  readonly height: number;
  /** nCells x 2. */
  readonly positions: Float32Array;
  readonly labels: Int32Array;
  readonly edges: EdgeList;
}

/**
 * Why a layout or a preview could not be made: 'bad-request' (the request's shapes or values, named in the
 * message), 'cancelled' (a newer layout, `cancel()`, or the worker stopped), 'unsupported' (this browser
 * cannot draw off the page's thread), 'internal' (a bug).
 */
export type LayoutErrorCode = 'bad-request' | 'cancelled' | 'unsupported' | 'internal';

export type LayoutError = WorkerError<LayoutErrorCode>;

/** The layout worker's results: the shared `Result` with the layout's error codes. */
export type LayoutResult<T> = Result<T, LayoutError>;

export interface LayoutApi {
  /**
   * Lay the cells out in 2-D; the value is the final positions (nCells x 2). `onProgress` (wrap it with
   * Comlink's `proxy`) gets intermediate positions about every 10 epochs, at most every 100 ms. A new call
   * cancels the one in progress, which then fails with 'cancelled'.
   */
  layout(
    request: UmapLayoutRequest,
    onProgress?: (progress: UmapProgress) => void,
  ): Promise<LayoutResult<Float32Array>>;
  /** Stop the layout in progress (it fails with 'cancelled' between slices of epochs); a no-op when idle. */
  cancel(): Promise<void>;
  /**
   * The cell graph drawn as a picture (graph-preview.ts) at these positions, off the page's thread: shown
   * while a run is in progress.
   */
  preview(request: PreviewRequest): Promise<LayoutResult<ImageBitmap>>;
}
