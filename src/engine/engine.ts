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
import { isInputError } from '../io/errors.ts';
import type { InputFile } from '../io/input-file.ts';
import { loadLabels } from '../io/labels.ts';
import { loadDataset } from '../io/load.ts';
import type { LoadProgress } from '../io/load-types.ts';
import { selectBackend } from './backend.ts';
import type {
  BackendInfo,
  BackendRequest,
  DatasetSummary,
  EngineApi,
  EngineError,
  Result,
} from './contract.ts';

const PREVIEW = 5;
const PROGRESS_INTERVAL_MS = 100;
const LABELS_SET_ASIDE = 'Labels set aside';

function toEngineError(e: unknown): EngineError {
  if (isInputError(e)) return { code: e.code, message: e.message };
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

export function createEngine(tf: typeof tfc): Engine {
  let current: { dataset: LoadedDataset; labelsFile: InputFile | null; loadSeconds: number } | null = null;
  let backend: BackendInfo | null = null;

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

  return {
    dataset: () => current?.dataset ?? null,

    async init(request: BackendRequest): Promise<BackendInfo> {
      backend = await selectBackend(tf, request);
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
        current = { dataset, labelsFile, loadSeconds };
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
        current = { ...current, dataset: flipped };
        return { ok: true, value: summarizeDataset(flipped, current.loadSeconds) };
      } catch (e) {
        return { ok: false, error: toEngineError(e) };
      }
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
  };
}
