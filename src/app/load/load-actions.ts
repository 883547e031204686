/**
 * What the page does, as plain functions: start the engine, load files (dropped, chosen or the embedded
 * example), flip a delimited file's orientation and recompute the preprocessing preview. Components call
 * these; results land in the store as summaries.
 */
import type { BackendRequest, EngineError } from '../../engine/contract.ts';
import type { Orientation } from '../../core/dataset.ts';
import { validatePreprocessParams, type PreprocessParams } from '../../core/preprocess/preprocess.ts';
import type { InputFile } from '../../io/input-file.ts';
import type { LoadProgress } from '../../io/load-types.ts';
import { getEngine, onEngineFailure, proxyCallback } from '../shared/engine-client.ts';
import { patchState, useAppStore, type AppState } from '../store.ts';
import { errorMessage } from '../shared/error-message.ts';

const BACKENDS: readonly BackendRequest[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Embedded example, served from this page's origin (public/example/): [name given to the loader, URL path].
 * The counts are stored as `.csv.gzip`, not `.csv.gz`: static servers (Vite's sirv, Apache) send `.gz`
 * files with `Content-Encoding: gzip`, which makes the browser inflate them; this way the bytes arrive as
 * stored and the worker decompresses them as it would a dropped file.
 */
export const EXAMPLE_FILES = [
  ['goolam-counts.csv.gz', 'example/goolam-counts.csv.gzip'],
  ['goolam-labels.csv', 'example/goolam-labels.csv'],
] as const;

/** Backend asked for in the URL (`?backend=webgpu|webgl|wasm|cpu`), default 'auto'. */
export function backendFromUrl(search: string): BackendRequest {
  const value = new URLSearchParams(search).get('backend')?.toLowerCase() ?? 'auto';
  return (BACKENDS as readonly string[]).includes(value) ? (value as BackendRequest) : 'auto';
}

let started = false;

/** Start the worker and warm up the backend (once). */
export async function startEngine(request: BackendRequest): Promise<void> {
  if (started) return;
  started = true;
  onEngineFailure((message) => {
    patchState({ backendError: message, loading: null });
  });
  try {
    const info = await getEngine().init(request);
    patchState({ backend: info, backendError: null });
  } catch (e) {
    patchState({ backendError: `Could not start the compute backend: ${errorMessage(e)}` });
  }
}

async function reportFailure(
  error: EngineError | string,
  title = 'The data could not be loaded',
): Promise<void> {
  const message = typeof error === 'string' ? error : error.message;
  let current = useAppStore.getState().dataset;
  try {
    current = await getEngine().currentDataset();
  } catch {
    // Keep what the page last knew.
  }
  patchState({
    loading: null,
    dataset: current,
    loadError: { title, message, previousDataset: current?.name ?? null },
    ...(current ? {} : { preflight: null, preflightError: null }),
  });
}

/** Load a dataset (plus an optional labels file) in the worker. */
export async function loadInputFiles(files: InputFile[]): Promise<void> {
  if (files.length === 0 || useAppStore.getState().loading) return;
  const first = files[0]!;
  patchState({ loading: { file: first.name, fraction: 0, message: 'Starting…' } });
  // Progress comes on its own channel and may arrive after the answer: ignore it once the load is over.
  let over = false;
  const onProgress = proxyCallback((p: LoadProgress) => {
    if (!over) patchState({ loading: p });
  });
  try {
    const result = await getEngine().loadFiles(files, { orientation: 'auto' }, onProgress);
    over = true;
    if (!result.ok) {
      await reportFailure(result.error);
      return;
    }
    // A new dataset starts without bulk RNA-seq (the engine dropped it too).
    patchState({ loading: null, dataset: result.value, loadError: null, bulk: { status: 'none' } });
    await runPreflight();
  } catch (e) {
    over = true;
    await reportFailure(`Loading failed unexpectedly: ${errorMessage(e)}`);
  }
}

/** Fetch the embedded example from this page's origin and load it through the same worker path. */
export async function loadExample(): Promise<void> {
  if (useAppStore.getState().loading) return;
  const base = import.meta.env.BASE_URL;
  patchState({
    loading: { file: EXAMPLE_FILES[0][0], fraction: 0, message: 'Fetching the example from this page…' },
  });
  let files: InputFile[];
  try {
    files = await Promise.all(
      EXAMPLE_FILES.map(async ([name, url]) => {
        const response = await fetch(`${base}${url}`);
        if (!response.ok) throw new Error(`${name}: the server answered ${response.status}`);
        return { name, relativePath: name, blob: await response.blob() };
      }),
    );
  } catch (e) {
    await reportFailure(`Could not fetch the example dataset: ${errorMessage(e)}`);
    return;
  }
  patchState({ loading: null });
  await loadInputFiles(files);
}

/** Re-read a delimited file with rows and columns swapped. */
export async function setOrientation(orientation: Orientation): Promise<void> {
  if (useAppStore.getState().loading) return;
  patchState({
    loading: { file: useAppStore.getState().dataset?.name ?? '', fraction: 0, message: 'Re-orienting…' },
  });
  try {
    const result = await getEngine().setOrientation(orientation);
    if (!result.ok) {
      await reportFailure(result.error, 'The orientation could not be changed');
      return;
    }
    // The genes are now the other axis: the engine dropped the bulk matrix.
    patchState({ loading: null, dataset: result.value, loadError: null, bulk: { status: 'none' } });
    await runPreflight();
  } catch (e) {
    await reportFailure(
      `Changing the orientation failed unexpectedly: ${errorMessage(e)}`,
      'The orientation could not be changed',
    );
  }
}

/**
 * Add a bulk RNA-seq matrix beside the loaded count matrix: read and matched in the worker, the overlap (or
 * what is wrong with the file) shown on the page. A file that cannot be used leaves the one added before.
 */
export async function addBulkFile(file: InputFile): Promise<void> {
  const state = useAppStore.getState();
  if (!state.dataset || state.bulk.status === 'reading') return;
  const previous = state.bulk.status === 'added' ? state.bulk.summary : null;
  const dataset = state.dataset;
  patchState({ bulk: { status: 'reading', fileName: file.name } });
  let next: AppState['bulk'];
  try {
    const result = await getEngine().loadBulk(file);
    next = result.ok
      ? { status: 'added', summary: result.value }
      : { status: 'failed', message: result.error.message, previous };
  } catch (e) {
    next = { status: 'failed', message: `Reading the bulk file failed: ${errorMessage(e)}`, previous };
  }
  // A dataset loaded meanwhile has its own (no) bulk matrix.
  if (useAppStore.getState().dataset === dataset) patchState({ bulk: next });
}

/** Runs no longer use the bulk matrix. */
export async function removeBulk(): Promise<void> {
  patchState({ bulk: { status: 'none' } });
  try {
    await getEngine().clearBulk();
  } catch {
    // The worker is gone: a new one starts without a bulk matrix anyway.
  }
}

let preflightSeq = 0;
let debounce: ReturnType<typeof setTimeout> | null = null;

/** Change preprocessing parameters; the preview is recomputed after a short pause. */
export function updateParams(patch: Partial<PreprocessParams>): void {
  patchState({ params: { ...useAppStore.getState().params, ...patch } });
  if (debounce) clearTimeout(debounce);
  debounce = setTimeout(() => {
    debounce = null;
    void runPreflight();
  }, 250);
}

/** Ask the worker what preprocessing keeps with the current parameters. */
export async function runPreflight(): Promise<void> {
  const { params, dataset } = useAppStore.getState();
  if (!dataset) return;
  const problems = validatePreprocessParams(params);
  if (problems.length) {
    patchState({ preflightError: `Invalid parameters: ${problems.join('; ')}.`, preflightBusy: false });
    return;
  }
  const seq = ++preflightSeq;
  patchState({ preflightBusy: true });
  try {
    const result = await getEngine().preflight(params);
    if (seq !== preflightSeq) return;
    if (result.ok) patchState({ preflight: result.value, preflightError: null, preflightBusy: false });
    else patchState({ preflightError: result.error.message, preflightBusy: false });
  } catch (e) {
    if (seq === preflightSeq) patchState({ preflightError: errorMessage(e), preflightBusy: false });
  }
}
