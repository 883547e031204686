/**
 * UI state (zustand). Holds only small summaries from the worker, never matrices; the actions that talk
 * to the engine live in actions.ts.
 */
import { create } from 'zustand';
import type { BackendInfo, DatasetSummary } from '../engine/contract.ts';
import {
  preprocessDefaults,
  type PreprocessParams,
  type PreprocessSummary,
} from '../core/preprocess/preprocess.ts';
import type { LoadProgress } from '../io/load-types.ts';

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
  readonly params: PreprocessParams;
  readonly preflight: PreprocessSummary | null;
  readonly preflightError: string | null;
  readonly preflightBusy: boolean;
}

export const initialState: AppState = {
  backend: null,
  backendError: null,
  loading: null,
  dataset: null,
  loadError: null,
  params: preprocessDefaults,
  preflight: null,
  preflightError: null,
  preflightBusy: false,
};

export const useAppStore = create<AppState>()(() => initialState);

/** Merge a partial update into the store (used by actions.ts only). */
export function patchState(patch: Partial<AppState>): void {
  useAppStore.setState(patch);
}
