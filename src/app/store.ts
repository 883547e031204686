/**
 * UI state (zustand). The engine worker keeps the data (the count matrix, the imputed matrix, the models); the
 * store holds summaries and what the views draw: the dataset and preprocessing summaries, the run's progress,
 * and per iteration a graph snapshot (the cells x dims embedding, the cell graph's edge list, the labels), the
 * UMAP positions (cells x 2), the finished run's results and its analysis (marker genes, heatmap). These grow
 * with the number of cells (an embedding of 10,000 cells x 64 dims is 2.5 MB), never with the number of genes
 * of the count matrix. The actions that talk to the workers live in `load/load-actions.ts`,
 * `run/run-actions.ts` and `graph/layout-actions.ts`.
 */
import { create } from 'zustand';
import type { AnalysisResults, BackendInfo, BulkSummary, DatasetSummary } from '../engine/contract.ts';
import {
  preprocessDefaults,
  type PreprocessParams,
  type PreprocessSummary,
} from '../core/preprocess/preprocess.ts';
import type { LoadProgress } from '../io/load-types.ts';
import type { PresetName } from '../core/pipeline/presets.ts';
import { idleRun, type RunState } from './run/run-state.ts';

/** The UMAP layout of the current embedding, as it converges. */
export interface LayoutState {
  /** nCells x 2, row-major; null before the first layout. */
  readonly positions: Float32Array | null;
  /** Iteration whose embedding is laid out. */
  readonly iteration: number;
  readonly running: boolean;
  readonly error: string | null;
}

/** Marker genes and the heatmap of the finished run (computed in the worker after the run). */
export type AnalysisState =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly fraction: number }
  | { readonly status: 'done'; readonly value: AnalysisResults }
  | { readonly status: 'failed'; readonly error: string };

/** The optional bulk RNA-seq matrix beside the count matrix (read and kept in the worker). */
export type BulkState =
  | { readonly status: 'none' }
  | { readonly status: 'reading'; readonly fileName: string }
  | { readonly status: 'added'; readonly summary: BulkSummary }
  /** The file could not be used; `previous` is the bulk matrix that stays added, if any. */
  | { readonly status: 'failed'; readonly message: string; readonly previous: BulkSummary | null };

/** Run settings chosen on the page (the preprocessing parameters are `params`). */
export interface RunSettings {
  readonly preset: PresetName;
  readonly seed: number;
  /** Maximum iterations, overriding the preset's when set. */
  readonly maxIterations: number | null;
  /** Choices overriding the preset ('preset' = keep the preset's). */
  readonly graphAe: 'preset' | 'none' | 'gcn' | 'gat';
  readonly impute: 'preset' | 'zero-inflated' | 'graph' | 'scgnn1' | 'closed-loop' | 'none';
  readonly cluster: 'preset' | 'louvainK' | 'louvain';
  readonly ltmg: 'preset' | 'on' | 'off';
  /** Neighbours per cell in the cell graph, overriding the preset's when set. */
  readonly k: number | null;
}

export interface LoadError {
  /** What failed, e.g. "The data could not be loaded". */
  readonly title: string;
  readonly message: string;
  /** Name of the dataset that stayed loaded in the worker, if any. */
  readonly previousDataset: string | null;
}

export interface AppState {
  readonly backend: BackendInfo | null;
  readonly backendError: string | null;
  /** Non-null while a load (or orientation flip) runs. */
  readonly loading: LoadProgress | null;
  readonly dataset: DatasetSummary | null;
  readonly loadError: LoadError | null;
  readonly bulk: BulkState;
  readonly params: PreprocessParams;
  readonly preflight: PreprocessSummary | null;
  readonly preflightError: string | null;
  readonly preflightBusy: boolean;
  readonly settings: RunSettings;
  readonly run: RunState;
  readonly layout: LayoutState;
  readonly analysis: AnalysisState;
  /** A short message about the run (e.g. "The worker was restarted"), shown beside the controls. */
  readonly runNotice: string | null;
}

export const initialState: AppState = {
  backend: null,
  backendError: null,
  loading: null,
  dataset: null,
  loadError: null,
  bulk: { status: 'none' },
  params: preprocessDefaults,
  preflight: null,
  preflightError: null,
  preflightBusy: false,
  settings: {
    preset: 'default',
    seed: 1,
    maxIterations: null,
    graphAe: 'preset',
    impute: 'preset',
    cluster: 'preset',
    ltmg: 'preset',
    k: null,
  },
  run: idleRun,
  layout: { positions: null, iteration: 0, running: false, error: null },
  analysis: { status: 'idle' },
  runNotice: null,
};

export const useAppStore = create<AppState>()(() => initialState);

/** Merge a partial update into the store (used by the actions only: load/, run/ and graph/layout-actions.ts). */
export function patchState(patch: Partial<AppState>): void {
  useAppStore.setState(patch);
}
