/**
 * The engine behind the worker API: owns the loaded dataset (the page only sees summaries), chooses the
 * compute backend, and answers preprocessing questions. Pure of DOM; the same object runs in a Web Worker
 * (workers/engine.worker.ts) and in Node tests.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { LoadedDataset, Orientation } from '../core/dataset.ts';
import { csrBytes, nnz } from '../core/matrix/csr.ts';
import {
  summarizePreprocessing,
  type PreprocessParams,
  type PreprocessSummary,
} from '../core/preprocess/preprocess.ts';
import { flipOrientation } from '../io/delimited.ts';
import { InputError, isInputError } from '../io/errors.ts';
import type { InputFile } from '../io/input-file.ts';
import { loadLabels } from '../io/labels.ts';
import { loadDataset } from '../io/load.ts';
import type { LoadProgress } from '../io/load-types.ts';
import { CancelledError } from '../core/pipeline/context.ts';
import { withParams, type ScgnnParamsOverride } from '../core/pipeline/params.ts';
import { keptSizeProblem } from '../core/pipeline/session.ts';
import { needsReprobe, selectBackend } from './backend.ts';

import type { BulkGeneMatch, BulkMatrix } from '../core/bulk/types.ts';
import { matchBulkInput } from '../core/pipeline/stages/bulk.ts';
import { bulkInputError, loadBulkMatrix } from '../io/bulk-file.ts';
import type {
  BackendInfo,
  BackendRequest,
  BulkSummary,
  DatasetSummary,
  EngineApi,
  EngineError,
  EngineErrorCode,
  RestoredSession,
  Result,
  RunRequest,
  RunResults,
  AnalysisResults,
} from './contract.ts';
import type { TextSink } from '../io/writers/csv-writers.ts';
import { analyseRun, executeRun, exportRun, selectedCounts, type FinishedRun } from './runs.ts';
import { writeMarkersCsv } from '../io/writers/markers-csv.ts';
import { memoryStore, type SessionStore } from './session-store.ts';

/** What the session store keeps of the dataset: the files as dropped, the orientation in use, the bulk file. */
interface StoredDataset {
  readonly files: InputFile[];
  readonly orientation: Orientation | 'auto';
  readonly bulk?: InputFile;
}

/** A bulk matrix added to the loaded dataset. */
interface AddedBulk {
  readonly file: InputFile;
  readonly matrix: BulkMatrix;
  readonly summary: BulkSummary;
}

/**
 * How a bulk matrix's genes meet the loaded dataset's (by id, or by symbol where that matches more). Only the
 * least number of genes is checked here: the fraction is a run's check, on the genes preprocessing keeps.
 */
export function summarizeBulk(matrix: BulkMatrix, ds: LoadedDataset): BulkSummary {
  const genes = {
    ids: ds.matrix.geneIds,
    ...(ds.matrix.geneSymbols ? { symbols: ds.matrix.geneSymbols } : {}),
  };
  let match: BulkGeneMatch;
  try {
    match = matchBulkInput(matrix, genes, withParams({ bulk: { minGeneFraction: 0 } })).match;
  } catch (e) {
    throw bulkInputError(e, matrix.name);
  }
  return {
    fileName: matrix.name,
    nSamples: matrix.sampleIds.length,
    sampleIdsPreview: matrix.sampleIds.slice(0, PREVIEW),
    nBulkGenes: matrix.geneIds.length,
    nDatasetGenes: match.nScGenes,
    matchedGenes: match.scIndex.length,
    looseMatches: match.looseMatches,
  };
}

const PREVIEW = 5;
const PROGRESS_INTERVAL_MS = 100;
const LABELS_SET_ASIDE = 'Labels set aside';

function toEngineError(e: unknown): EngineError {
  if (isInputError(e)) return { code: e.code, message: e.message };
  // Found only once the run has its clusters (e.g. no counts on the genes shared with the bulk matrix).
  if (e instanceof Error && e.name === 'BulkInputError') return { code: 'bad-bulk', message: e.message };
  if (e instanceof RangeError) return { code: 'internal', message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `Unexpected error: ${message}` };
}

export function summarizeDataset(ds: LoadedDataset, loadSeconds: number): DatasetSummary {
  const m = ds.matrix.counts;
  const total = nnz(m);
  const cells = m.nRows;
  const genes = m.nCols;
  return {
    name: ds.name,
    format: ds.format,
    sourceFiles: ds.sourceFiles,
    nCells: cells,
    nGenes: genes,
    nnz: total,
    sparsity: cells * genes > 0 ? 1 - total / (cells * genes) : 1,
    integerValued: ds.integerValued,
    orientation: ds.orientation,
    warnings: ds.warnings,
    labels: ds.labels
      ? {
          fileName: ds.labels.fileName,
          nMatched: ds.labels.nMatched,
          nUnmatched: ds.labels.nUnmatched,
          classes: ds.labels.classes,
        }
      : null,
    cellIdsPreview: ds.matrix.cellIds.slice(0, PREVIEW),
    geneIdsPreview: (ds.matrix.geneSymbols ?? ds.matrix.geneIds).slice(0, PREVIEW),
    loadSeconds,
    matrixBytes: csrBytes(m),
  };
}

/**
 * Genes the run will keep (the preprocessing's gene selection, computed without tensors). Too few cells or
 * genes for a run is an input error naming the dataset, before any backend is probed.
 */
function genesAfterPreprocessing(ds: LoadedDataset, request: RunRequest): number {
  const params = withParams(request.params);
  const summary = summarizePreprocessing(ds.matrix, params.preprocess);
  const problem = keptSizeProblem(summary, params);
  if (problem) throw new InputError('too-few-kept', ds.name, problem);
  return summary.genesSelected;
}

/** Call `fn` at most every `ms` milliseconds (the last event of a burst may be dropped). */
function throttle<T>(fn: ((v: T) => unknown) | undefined, ms: number): ((v: T) => void) | undefined {
  if (!fn) return undefined;
  let last = -Infinity;
  return (v: T) => {
    const now = performance.now();
    if (now - last >= ms) {
      last = now;
      void fn(v);
    }
  };
}

export interface Engine extends EngineApi {
  /** The loaded dataset (worker-side only; never sent to the page whole). */
  dataset(): LoadedDataset | null;
}

export interface EngineOptions {
  /** Where the dataset, parameters and results are kept for the next visit (default: memory only). */
  readonly store?: SessionStore;
  /** Threads of the WASM backend (the worker passes tfjs-backend-wasm's getThreadsCount). */
  readonly wasmThreads?: () => number;
}

/** A file as plain data (what IndexedDB keeps). */
const plainFile = (f: InputFile): InputFile => ({ name: f.name, relativePath: f.relativePath, blob: f.blob });

function fail<T>(code: EngineErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A finished run as the page receives it (the heavy arrays for downloads stay in the worker). */
function publicResults(run: FinishedRun): RunResults {
  return {
    summary: run.summary,
    iterationLabels: run.iterationLabels,
    snapshot: run.snapshot,
    layout: run.layout,
  };
}

export function createEngine(tf: typeof tfc, options: EngineOptions = {}): Engine {
  const store = options.store ?? memoryStore();
  const select = options.wasmThreads ? { wasmThreads: options.wasmThreads } : {};
  let current: {
    dataset: LoadedDataset;
    files: InputFile[];
    labelsFile: InputFile | null;
    loadSeconds: number;
    bulk: AddedBulk | null;
  } | null = null;
  let backend: BackendInfo | null = null;
  let lastRun: FinishedRun | null = null;
  let running: AbortController | null = null;
  /** Markers and heatmap of `lastRun`, computed on first request. */
  let analysis: { run: FinishedRun; value: Promise<AnalysisResults> } | null = null;
  const analyse = (onProgress?: (fraction: number) => void): Promise<AnalysisResults> => {
    const run = lastRun;
    const ds = current?.dataset;
    if (!run || !ds) return Promise.reject(new RangeError('Run the analysis first.'));
    if (analysis?.run !== run) {
      const value = analyseRun(ds, run, () => new Promise((r) => setTimeout(r, 0)), onProgress);
      analysis = { run, value };
      value.catch(() => {
        if (analysis?.value === value) analysis = null;
      });
    }
    return analysis.value;
  };

  /** Save for the next visit; a storage failure (quota, private mode) is reported, never fatal. */
  const persist = async (key: 'dataset' | 'params' | 'results', value: unknown): Promise<string | null> => {
    try {
      if (value === null) await store.del(key);
      else await store.set(key, value);
      return null;
    } catch (e) {
      return `Could not save the ${key} for your next visit: ${describe(e)}`;
    }
  };
  const persistDataset = async (): Promise<void> => {
    if (!current) return;
    const stored: StoredDataset = {
      files: current.files.map(plainFile),
      orientation: current.dataset.orientation?.chosen ?? 'auto',
      ...(current.bulk ? { bulk: plainFile(current.bulk.file) } : {}),
    };
    await persist('dataset', stored);
  };
  /** Results belong to the dataset (and orientation) they were computed on. */
  const dropResults = async (): Promise<void> => {
    lastRun = null;
    await persist('results', null);
  };

  /**
   * Re-match the labels file to the (re-oriented) cells. When none match, the labels are set aside with a
   * warning rather than blocking the flip; flipping back restores them.
   */
  const attachLabels = async (ds: LoadedDataset, labelsFile: InputFile | null): Promise<LoadedDataset> => {
    const { labels: _previous, ...rest } = ds;
    const bare: LoadedDataset = {
      ...rest,
      warnings: ds.warnings.filter((w) => !w.startsWith(LABELS_SET_ASIDE)),
    };
    if (!labelsFile) return bare;
    try {
      return { ...bare, labels: await loadLabels(labelsFile, ds.matrix.cellIds) };
    } catch (e) {
      if (!isInputError(e) || e.code !== 'bad-labels') throw e;
      return {
        ...bare,
        warnings: [
          ...bare.warnings,
          `${LABELS_SET_ASIDE}: ${labelsFile.name} names none of the cells in this orientation.`,
        ],
      };
    }
  };

  const api: Engine = {
    dataset: () => current?.dataset ?? null,

    async init(request: BackendRequest): Promise<BackendInfo> {
      backend = await selectBackend(tf, request, select);
      return backend;
    },

    async loadFiles(files, options, onProgress): Promise<Result<DatasetSummary>> {
      const t0 = performance.now();
      try {
        const progress = throttle<LoadProgress>(onProgress, PROGRESS_INTERVAL_MS);
        const dataset = await loadDataset(files, {
          orientation: options.orientation,
          ...(progress ? { onProgress: progress } : {}),
        });
        const loadSeconds = (performance.now() - t0) / 1000;
        const labelsName = dataset.labels?.fileName;
        const labelsFile = labelsName ? (files.find((f) => f.name === labelsName) ?? null) : null;
        if (running) running.abort();
        current = { dataset, files, labelsFile, loadSeconds, bulk: null };
        await dropResults();
        await persistDataset();
        return { ok: true, value: summarizeDataset(dataset, loadSeconds) };
      } catch (e) {
        return { ok: false, error: toEngineError(e) };
      }
    },

    async setOrientation(orientation: Orientation): Promise<Result<DatasetSummary>> {
      if (!current) return { ok: false, error: { code: 'internal', message: 'No dataset is loaded.' } };
      const ds = current.dataset;
      if (!ds.orientation) {
        return {
          ok: false,
          error: {
            code: 'internal',
            message: `The orientation of a ${ds.format} dataset is fixed by its format.`,
          },
        };
      }
      if (ds.orientation.chosen === orientation)
        return { ok: true, value: summarizeDataset(ds, current.loadSeconds) };
      try {
        const flipped = await attachLabels(flipOrientation(ds), current.labelsFile);
        // The genes are now the other axis: a bulk matrix added before no longer applies.
        current = { ...current, dataset: flipped, bulk: null };
        await dropResults();
        await persistDataset();
        return { ok: true, value: summarizeDataset(flipped, current.loadSeconds) };
      } catch (e) {
        return { ok: false, error: toEngineError(e) };
      }
    },

    async loadBulk(file) {
      if (!current) return fail('no-dataset', 'Load a count matrix before adding bulk RNA-seq.');
      const loaded = current;
      try {
        const matrix = await loadBulkMatrix(file);
        const summary = summarizeBulk(matrix, loaded.dataset);
        if (current !== loaded) return fail('cancelled', 'The dataset changed while the bulk file was read.');
        current = { ...loaded, bulk: { file, matrix, summary } };
        await persistDataset();
        return { ok: true, value: summary };
      } catch (e) {
        return { ok: false, error: toEngineError(e) };
      }
    },

    async clearBulk() {
      if (!current?.bulk) return;
      current = { ...current, bulk: null };
      await persistDataset();
    },

    async preflight(params: PreprocessParams): Promise<Result<PreprocessSummary>> {
      if (!current) return { ok: false, error: { code: 'internal', message: 'No dataset is loaded.' } };
      try {
        return { ok: true, value: summarizePreprocessing(current.dataset.matrix, params) };
      } catch (e) {
        return { ok: false, error: toEngineError(e) };
      }
    },

    async currentDataset(): Promise<DatasetSummary | null> {
      return current ? summarizeDataset(current.dataset, current.loadSeconds) : null;
    },

    async run(request, onEvent) {
      if (!current) return fail('no-dataset', 'Load a dataset before running.');
      if (running) return fail('busy', 'A run is already in progress.');
      const controller = new AbortController();
      running = controller;
      const dataset = current.dataset;
      try {
        let info = backend ?? (backend = await selectBackend(tf, 'auto', select));
        const nGenes = genesAfterPreprocessing(dataset, request);
        if (needsReprobe(info, nGenes)) {
          onEvent?.({
            type: 'stage-start',
            stage: 'preprocess',
            label: `Probing the compute backends at ${nGenes.toLocaleString('en-US')} genes`,
          });
          info = backend = await selectBackend(tf, 'auto', { ...select, nGenes });
          onEvent?.({ type: 'stage-end', stage: 'preprocess', seconds: info.selectMs / 1000 });
          onEvent?.({ type: 'backend', info });
        }
        const run = await executeRun(
          tf,
          dataset,
          request,
          info,
          onEvent ?? (() => {}),
          controller.signal,
          current.bulk?.matrix ?? null,
        );
        if (current?.dataset !== dataset) return fail('cancelled', 'The dataset changed during the run.');
        lastRun = run;
        const warnings = [await persist('params', request.params), await persist('results', run)].filter(
          (w): w is string => w !== null,
        );
        const summary = { ...run.summary, persistWarning: warnings[0] ?? null };
        lastRun = { ...run, summary };
        return { ok: true, value: summary };
      } catch (e) {
        if (e instanceof CancelledError) return fail('cancelled', 'The run was cancelled.');
        if (e instanceof RangeError) return fail('bad-params', e.message);
        return { ok: false, error: toEngineError(e) };
      } finally {
        if (running === controller) running = null;
      }
    },

    async cancel() {
      running?.abort();
    },

    async results() {
      return lastRun ? publicResults(lastRun) : null;
    },

    async setLayout(positions) {
      if (!lastRun) return fail('no-results', 'There is no finished run to attach a layout to.');
      if (positions.length !== lastRun.summary.nCells * 2)
        return fail(
          'bad-params',
          `The layout has ${positions.length / 2} points for ${lastRun.summary.nCells} cells.`,
        );
      lastRun = { ...lastRun, layout: positions };
      await persist('results', lastRun);
      return { ok: true, value: null };
    },

    async exportFile(kind, options) {
      if (!lastRun) return fail('no-results', 'Run the analysis before downloading its outputs.');
      try {
        const run = lastRun;
        const markers =
          kind === 'markers'
            ? async (sink: TextSink) => {
                const a = await analyse();
                await writeMarkersCsv(sink, a.raw, a.imputed);
              }
            : undefined;
        const ds = current?.dataset;
        const rawCounts = ds ? () => selectedCounts(ds, run) : undefined;
        return { ok: true, value: await exportRun(run, kind, options, markers, rawCounts) };
      } catch (e) {
        return fail(e instanceof RangeError ? 'no-results' : 'internal', describe(e));
      }
    },

    async analysis(onProgress) {
      if (!lastRun) return fail('no-results', 'Run the analysis first.');
      try {
        return { ok: true, value: await analyse(onProgress) };
      } catch (e) {
        return fail(e instanceof RangeError ? 'no-results' : 'internal', describe(e));
      }
    },

    async restore() {
      // Only into an empty engine: a dataset loaded meanwhile (the page was quicker) is never replaced.
      if (current) return null;
      let saved: StoredDataset | undefined;
      try {
        saved = await store.get<StoredDataset>('dataset');
      } catch {
        return null;
      }
      if (!saved || saved.files.length === 0) return null;
      // Read the saved run first: loading the files counts as a new dataset and clears it from the store.
      let params: ScgnnParamsOverride | null = null;
      let run: FinishedRun | null = null;
      try {
        params = (await store.get<ScgnnParamsOverride>('params')) ?? null;
        run = (await store.get<FinishedRun>('results')) ?? null;
      } catch {
        // Results that cannot be read are simply not restored.
      }
      if (current) return null;
      const loaded = await api.loadFiles(saved.files, { orientation: saved.orientation });
      if (!loaded.ok) return loaded;
      // A saved bulk file that can no longer be read is simply not restored.
      const bulk = saved.bulk ? await api.loadBulk(saved.bulk) : null;
      let results: RunResults | null = null;
      if (run && run.summary.nCells > 0) {
        lastRun = run;
        results = publicResults(run);
        await persist('results', run);
      }
      const value: RestoredSession = {
        dataset: loaded.value,
        bulk: bulk?.ok ? bulk.value : null,
        params,
        results,
      };
      return { ok: true, value };
    },

    async forget() {
      running?.abort();
      current = null;
      lastRun = null;
      for (const key of ['dataset', 'params', 'results'] as const) await persist(key, null);
    },
  };
  return api;
}
