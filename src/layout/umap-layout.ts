/**
 * The UMAP layout of the cell graph view, without any worker or DOM plumbing (so it runs and is tested in
 * Node): validates a request, converts the flat typed arrays into the number[][] that umap-js wants, seeds its
 * random stream, optionally warm-starts from previous positions, and runs the optimisation epoch by epoch,
 * yielding to the event loop between slices so a cancel message can get through, and reporting positions.
 *
 * umap-js quirks handled here:
 * - it has no `init` option: after `initializeFit` the array returned by `getEmbedding()` is the live
 *   embedding the optimiser moves (an array of [x, y] arrays), so a warm start overwrites its elements in
 *   place with the previous positions rescaled to umap's usual [-10, 10] box;
 * - it throws when nCells <= nNeighbors: nNeighbors is clamped to nCells - 1, and fewer than 4 cells get a
 *   fixed deterministic layout without umap;
 * - with a precomputed kNN its bandwidth search skips the first column, assuming it is the cell itself (the
 *   umap-learn convention): a kNN without self (as `src/core/graph/knn.ts` returns) gets self prepended.
 */
import { UMAP } from 'umap-js';
import { unitRows } from '../core/matrix/dense.ts';
import { createRng } from '../core/rng.ts';
import { err, ok } from '../contract/common.ts';
import type { LayoutResult, UmapLayoutRequest, UmapProgress } from './contract.ts';
import { graphKnn, type GraphKnn } from './graph-knn.ts';
import { TYPED_UMAP_CELLS, fuzzyGraph, typedUmap } from './typed-umap.ts';

/** Half-width of the box umap-js initialises in ([-10, 10]); warm starts are rescaled into it. */
export const UMAP_BOX = 10;
/** Default epochs of a warm start (cold starts use umap-js' default, 200-500 depending on size). */
export const WARM_EPOCHS = 100;
/** Learning rate of a warm start: gentler than the cold 1.0 so a settled layout is refined, not reshuffled. */
export const WARM_LEARNING_RATE = 0.2;
/** Neighbours when umap-js computes the kNN itself. */
export const DEFAULT_NEIGHBORS = 15;
/** umap's min_dist: scanpy's default for single-cell UMAPs (umap-learn's own is 0.1, which packs clusters tight). */
export const DEFAULT_MIN_DIST = 0.5;
/** Below this many cells umap is not run. */
export const MIN_UMAP_CELLS = 4;
/** Neighbours per cell taken from the run's cell graph (umap's usual n_neighbors). */
export const GRAPH_NEIGHBORS = 15;
/** Above this many cells a layout gets `LARGE_COLD_EPOCHS` / `LARGE_WARM_EPOCHS` epochs. */
export const LARGE_LAYOUT_CELLS = 50_000;
/** Cold epochs above `LARGE_LAYOUT_CELLS` cells. */
export const LARGE_COLD_EPOCHS = 100;
/** Warm epochs above `LARGE_LAYOUT_CELLS` cells. */
export const LARGE_WARM_EPOCHS = 50;

/**
 * Epochs when the request names none. Cold: umap-js' own rule (500 up to 2,500 cells, 400 up to 5,000, 300
 * up to 7,500), 200 above 7,500 (umap-learn's 200 above 10,000), and `LARGE_COLD_EPOCHS` (100) above
 * `LARGE_LAYOUT_CELLS` (50,000), where one epoch costs ~0.1 s in a worker. Warm (starting from the previous
 * iteration's positions): `WARM_EPOCHS` (100), `LARGE_WARM_EPOCHS` (50) above 50,000 cells.
 */
export function defaultEpochs(nCells: number, warm: boolean): number {
  const large = nCells > LARGE_LAYOUT_CELLS;
  if (warm) return large ? LARGE_WARM_EPOCHS : WARM_EPOCHS;
  if (large) return LARGE_COLD_EPOCHS;
  if (nCells <= 2500) return 500;
  if (nCells <= 5000) return 400;
  if (nCells <= 7500) return 300;
  return 200;
}

export interface RunLayoutOptions {
  onProgress?: (progress: UmapProgress) => void;
  signal?: AbortSignal;
  /** Report at most every this many epochs... */
  progressEveryEpochs?: number;
  /** ...and at most this often (ms); a slow run reports after `maxProgressIntervalMs` whatever the epochs. */
  minProgressIntervalMs?: number;
  maxProgressIntervalMs?: number;
  /** Compute for this long (ms) before yielding to the event loop. */
  sliceMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** A seeded uniform [0, 1) generator (mulberry32, from the core's RNG): never Math.random, so layouts repeat. */
export function seededRandom(seed: number): () => number {
  return createRng(seed).next;
}

/** Name of the error a cancelled `runUmapLayout` rejects with (inside the worker; the API returns 'cancelled'). */
export const UMAP_CANCELLED = 'AbortError';

/** Whether an error is a cancelled layout. */
export function isLayoutCancelled(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === UMAP_CANCELLED;
}

/** The error a cancelled layout rejects with (name `AbortError`, kept across the Comlink boundary). */
export function cancelledError(): Error {
  const e = new Error('UMAP layout cancelled');
  e.name = UMAP_CANCELLED;
  return e;
}

/** A flat row-major array as rows of plain numbers. */
export function toRows(flat: ArrayLike<number>, nRows: number, nCols: number): number[][] {
  const rows: number[][] = new Array<number[]>(nRows);
  for (let i = 0; i < nRows; i++) {
    const row = new Array<number>(nCols);
    for (let j = 0; j < nCols; j++) row[j] = flat[i * nCols + j] as number;
    rows[i] = row;
  }
  return rows;
}

/** Rows of [x, y] as a flat nRows x 2 Float32Array. */
export function flattenPositions(rows: readonly (readonly number[])[]): Float32Array {
  const out = new Float32Array(rows.length * 2);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as readonly number[];
    out[2 * i] = r[0] ?? 0;
    out[2 * i + 1] = r[1] ?? 0;
  }
  return out;
}

/**
 * Positions (n x 2) centred on their bounding box and scaled uniformly (aspect kept) so the larger half-extent
 * is `half`. Null when they have no extent (all equal) or are not finite: nothing to warm-start from.
 */
export function rescaleToBox(positions: Float32Array, half = UMAP_BOX): Float32Array | null {
  const n = positions.length >> 1;
  if (n === 0) return null;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = positions[2 * i] as number;
    const y = positions[2 * i + 1] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const extent = Math.max(maxX - minX, maxY - minY) / 2;
  if (!(extent > 0)) return null;
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const s = half / extent;
  const out = new Float32Array(positions.length);
  for (let i = 0; i < n; i++) {
    out[2 * i] = ((positions[2 * i] as number) - cx) * s;
    out[2 * i + 1] = ((positions[2 * i + 1] as number) - cy) * s;
  }
  return out;
}

/**
 * Overwrite umap-js' live embedding (from `getEmbedding()` after `initializeFit`) in place with `positions`
 * (n x 2). The element arrays are mutated, not replaced: the optimiser holds references to them.
 */
export function injectWarmStart(embedding: number[][], positions: Float32Array): void {
  if (positions.length !== embedding.length * 2) {
    throw new RangeError(`warm start: ${positions.length / 2} positions for ${embedding.length} cells`);
  }
  for (let i = 0; i < embedding.length; i++) {
    const row = embedding[i] as number[];
    row[0] = positions[2 * i] as number;
    row[1] = positions[2 * i + 1] as number;
  }
}

/**
 * A fixed layout for fewer than 4 cells (umap needs more): the cells on a unit circle, cell 0 on the left.
 * With `init` the previous positions are kept instead, so nothing moves.
 */
export function tinyLayout(nCells: number, init?: Float32Array): Float32Array {
  if (init && init.length === nCells * 2) return Float32Array.from(init);
  const out = new Float32Array(nCells * 2);
  if (nCells === 1) return out;
  for (let i = 0; i < nCells; i++) {
    const a = Math.PI + (2 * Math.PI * i) / nCells;
    out[2 * i] = Math.cos(a);
    out[2 * i + 1] = Math.sin(a);
  }
  return out;
}

/**
 * A precomputed kNN (flat, n x k) as umap-js rows with the cell itself first at distance 0 (prepended when a
 * row does not already start with it). Index -1 (padding, from `graphKnn`) is passed through: umap-js skips it.
 */
export function knnRows(
  indices: Int32Array,
  distances: Float32Array,
  nCells: number,
  k: number,
): { indices: number[][]; distances: number[][] } {
  let selfFirst = true;
  for (let i = 0; i < nCells && selfFirst; i++) if (indices[i * k] !== i) selfFirst = false;
  const off = selfFirst ? 0 : 1;
  const cols = k + off;
  const outI: number[][] = new Array<number[]>(nCells);
  const outD: number[][] = new Array<number[]>(nCells);
  for (let i = 0; i < nCells; i++) {
    const ri = new Array<number>(cols);
    const rd = new Array<number>(cols);
    if (off) {
      ri[0] = i;
      rd[0] = 0;
    }
    for (let j = 0; j < k; j++) {
      ri[j + off] = indices[i * k + j] as number;
      rd[j + off] = distances[i * k + j] as number;
    }
    outI[i] = ri;
    outD[i] = rd;
  }
  return { indices: outI, distances: outD };
}

/** Checks the request's shapes and values; throws a RangeError naming the problem. */
export function validateRequest(req: UmapLayoutRequest): void {
  const { nCells, dims } = req;
  if (!Number.isInteger(nCells) || nCells < 0)
    throw new RangeError(`UMAP: nCells must be >= 0, got ${nCells}`);
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`UMAP: dims must be >= 1, got ${dims}`);
  if (req.embedding.length !== nCells * dims) {
    throw new RangeError(`UMAP: embedding has ${req.embedding.length} values, expected ${nCells} x ${dims}`);
  }
  for (let i = 0; i < req.embedding.length; i++) {
    if (!Number.isFinite(req.embedding[i])) throw new RangeError(`UMAP: embedding value ${i} is not finite`);
  }
  if (req.init && req.init.length !== nCells * 2) {
    throw new RangeError(`UMAP: init has ${req.init.length} values, expected ${nCells} x 2`);
  }
  if (req.learningRate !== undefined && !(req.learningRate > 0 && Number.isFinite(req.learningRate))) {
    throw new RangeError(`UMAP: learningRate must be positive, got ${req.learningRate}`);
  }
  if (!Number.isFinite(req.seed)) throw new RangeError(`UMAP: seed must be a number, got ${req.seed}`);
  if (req.epochs !== undefined && (!Number.isInteger(req.epochs) || req.epochs < 1)) {
    throw new RangeError(`UMAP: epochs must be a positive integer, got ${req.epochs}`);
  }
  if (req.graph) {
    const { from, to, weight } = req.graph;
    if (from.length !== to.length || weight.length !== from.length)
      throw new RangeError('UMAP: graph from, to and weight must have the same length');
  }
  if (req.graphNeighbors !== undefined && (!Number.isInteger(req.graphNeighbors) || req.graphNeighbors < 2)) {
    throw new RangeError(`UMAP: graphNeighbors must be an integer >= 2, got ${req.graphNeighbors}`);
  }
  const hasKnn = req.knnIndices !== undefined || req.knnDistances !== undefined;
  if (!hasKnn) return;
  const { knnIndices, knnDistances, k } = req;
  if (!knnIndices || !knnDistances || k === undefined) {
    throw new RangeError('UMAP: knnIndices, knnDistances and k must be given together');
  }
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`UMAP: k must be a positive integer, got ${k}`);
  if (knnIndices.length !== nCells * k || knnDistances.length !== nCells * k) {
    throw new RangeError(`UMAP: kNN arrays must hold ${nCells} x ${k} values`);
  }
  for (let i = 0; i < knnIndices.length; i++) {
    const j = knnIndices[i] as number;
    if (j < 0 || j >= nCells) throw new RangeError(`UMAP: kNN index ${j} out of range (entry ${i})`);
    const d = knnDistances[i] as number;
    if (!(d >= 0) || !Number.isFinite(d))
      throw new RangeError(`UMAP: kNN distance ${d} invalid (entry ${i})`);
  }
}

/** n empty rows: umap-js' input when it is given the kNN (it only counts them). */
function emptyRows(n: number): number[][] {
  const out = new Array<number[]>(n);
  for (let i = 0; i < n; i++) out[i] = [];
  return out;
}

/**
 * The kNN the layout is given (flat, nCells x k): the request's own, else the one taken from its cell graph
 * (on the rows that are laid out, unit length or not; `graph-knn.ts`), else null (umap-js searches it).
 */
export function precomputedKnn(req: UmapLayoutRequest, rows: Float32Array): GraphKnn | null {
  if (req.knnIndices && req.knnDistances && req.k !== undefined)
    return { k: req.k, indices: req.knnIndices, distances: req.knnDistances };
  if (!req.graph) return null;
  return graphKnn(req.nCells, req.graph, rows, req.dims, req.graphNeighbors ?? GRAPH_NEIGHBORS);
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Lay out the cells in 2-D. Resolves with nCells x 2 positions (umap coordinates, roughly [-10, 10]); rejects
 * with `cancelledError()` when `signal` aborts (checked between slices of epochs).
 */
export async function runUmapLayout(
  req: UmapLayoutRequest,
  opts: RunLayoutOptions = {},
): Promise<Float32Array> {
  validateRequest(req);
  const {
    onProgress,
    signal,
    progressEveryEpochs = 10,
    minProgressIntervalMs = 100,
    maxProgressIntervalMs = 1000,
    sliceMs = 50,
    now = () => performance.now(),
  } = opts;
  const checkAbort = (): void => {
    if (signal?.aborted) throw cancelledError();
  };
  checkAbort();
  const { nCells } = req;
  if (nCells < MIN_UMAP_CELLS) return tinyLayout(nCells, req.init);

  const warm = req.init ? rescaleToBox(req.init) : null;
  const rows = req.unitRows
    ? unitRows({ rows: nCells, cols: req.dims, data: req.embedding }).data
    : req.embedding;
  const flatKnn = precomputedKnn(req, rows);
  const nEpochsWanted = req.epochs ?? defaultEpochs(nCells, warm !== null);
  const learningRate = req.learningRate ?? (warm ? WARM_LEARNING_RATE : 1);
  let step: () => number;
  let current: () => Float32Array;
  let nEpochs: number;
  if (flatKnn && nCells > TYPED_UMAP_CELLS) {
    // Large: umap's optimisation on typed arrays (typed-umap.ts); umap-js would take minutes.
    const graph = fuzzyGraph(nCells, flatKnn.k, flatKnn.indices, flatKnn.distances);
    checkAbort();
    const t = typedUmap(nCells, graph, {
      nEpochs: nEpochsWanted,
      minDist: req.minDist ?? DEFAULT_MIN_DIST,
      learningRate,
      random: seededRandom(req.seed),
      init: warm,
    });
    nEpochs = t.nEpochs;
    step = () => t.step();
    current = () => Float32Array.from(t.positions);
  } else {
    const knn = flatKnn ? knnRows(flatKnn.indices, flatKnn.distances, nCells, flatKnn.k) : null;
    const knnCols = knn?.indices[0]?.length ?? 0;
    const nNeighbors = Math.min(knn ? knnCols : (req.nNeighbors ?? DEFAULT_NEIGHBORS), nCells - 1);
    const umap = new UMAP({
      nComponents: 2,
      nNeighbors: Math.max(2, nNeighbors),
      minDist: req.minDist ?? DEFAULT_MIN_DIST,
      random: seededRandom(req.seed),
      ...(req.learningRate !== undefined || warm ? { learningRate } : {}),
      nEpochs: nEpochsWanted,
    });
    if (knn) {
      umap.setPrecomputedKNN(knn.indices, knn.distances);
      // umap-js builds a search graph for `transform` (new points), never called here: skipped.
      (umap as unknown as { makeSearchGraph: () => null }).makeSearchGraph = () => null;
    }
    checkAbort();
    // With a precomputed kNN umap-js reads only the number of rows of its input: no copy of the embedding.
    nEpochs = umap.initializeFit(knn ? emptyRows(nCells) : toRows(rows, nCells, req.dims));
    const embedding = umap.getEmbedding();
    if (warm) injectWarmStart(embedding, warm);
    step = () => umap.step();
    current = () => flattenPositions(embedding);
  }
  checkAbort();

  let lastPostTime = now();
  let lastPostEpoch = 0;
  let sliceStart = now();
  for (let epoch = 0; epoch < nEpochs;) {
    epoch = step();
    const t = now();
    if (onProgress && epoch < nEpochs) {
      const since = t - lastPostTime;
      if (
        (epoch - lastPostEpoch >= progressEveryEpochs && since >= minProgressIntervalMs) ||
        since >= maxProgressIntervalMs
      ) {
        onProgress({ epoch, nEpochs, positions: current() });
        lastPostTime = t;
        lastPostEpoch = epoch;
      }
    }
    if (t - sliceStart >= sliceMs) {
      await yieldToEventLoop();
      checkAbort();
      sliceStart = now();
    }
  }
  checkAbort();
  return current();
}

/**
 * `runUmapLayout` as the worker's API answers it: the positions, or 'cancelled' (aborted), 'bad-request' (a
 * RangeError from `validateRequest`, naming the problem) or 'internal' (anything else: a bug).
 */
export async function layoutResult(
  req: UmapLayoutRequest,
  opts: RunLayoutOptions = {},
): Promise<LayoutResult<Float32Array>> {
  try {
    return ok(await runUmapLayout(req, opts));
  } catch (e) {
    if (isLayoutCancelled(e)) return err('cancelled', 'UMAP layout cancelled');
    const message = e instanceof Error ? e.message : String(e);
    return err(e instanceof RangeError ? 'bad-request' : 'internal', message);
  }
}
