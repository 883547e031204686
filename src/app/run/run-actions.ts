/**
 * Running the analysis from the page: start a run with the chosen preset and settings, show its events
 * (batched, at most one store update per 100 ms so the page stays responsive), cancel it (the worker is
 * replaced if it has not stopped within a second), download outputs, and bring back or forget the saved
 * session.
 */
import { mergeOverrides, presetByName } from '../../core/pipeline/presets.ts';
import { withParams, type ScgnnParamsOverride } from '../../core/pipeline/params.ts';
import { keptSizeProblem } from '../../core/pipeline/session.ts';
import {
  estimateRun,
  memoryLimit,
  type MemoryEnvironment,
  type RunEstimate,
} from '../../core/pipeline/run-estimate.ts';
import type { BackendInfo, ExportKind, ExportOptions, RunEvent, RunResults } from '../../engine/contract.ts';
import { backendFromUrl } from '../load/load-actions.ts';
import { getEngine, proxyCallback, terminateEngine } from '../shared/engine-client.ts';
import { finishLayout, layoutSnapshot, resetLayout } from '../graph/layout-actions.ts';
import { applyRunEvents, idleRun, runStateFromResults } from './run-state.ts';
import { patchState, useAppStore, type AppState, type RunSettings } from '../store.ts';
import { errorMessage } from '../shared/error-message.ts';

const FLUSH_MS = 100;
/** How long a cancelled run may take to stop before its worker is replaced. */
export const CANCEL_GRACE_MS = 1000;

/** The full override a run uses: preset, then the page's preprocessing, seed and other choices. */
export function runOverrides(settings: RunSettings, preprocess: unknown): ScgnnParamsOverride {
  const preset = presetByName(settings.preset)?.params ?? {};
  const page: ScgnnParamsOverride = {
    seed: settings.seed,
    preprocess: preprocess as ScgnnParamsOverride['preprocess'],
    ...(settings.maxIterations ? { iterations: { max: settings.maxIterations } } : {}),
    // A chosen k is a fixed k, also over a preset whose k follows the cell count (scgnn2).
    ...(settings.k ? { graph: { k: settings.k, kRule: 'fixed' as const } } : {}),
    ...(settings.graphAe === 'none'
      ? { graphAe: { enabled: false } }
      : settings.graphAe !== 'preset'
        ? { graphAe: { enabled: true, model: settings.graphAe } }
        : {}),
    ...(settings.impute === 'none'
      ? { impute: { enabled: false } }
      : settings.impute !== 'preset'
        ? { impute: { enabled: true, mode: settings.impute } }
        : {}),
    ...(settings.cluster !== 'preset' ? { cluster: { method: settings.cluster } } : {}),
    ...(settings.ltmg !== 'preset' ? { ltmg: { enabled: settings.ltmg === 'on' } } : {}),
  };
  return mergeOverrides(preset, page);
}

/**
 * Why Run is disabled, naming the dataset: what preprocessing keeps is too small for the run's settings
 * (the engine refuses such a run with the same message). Null when it can run, or before the preflight.
 */
export function runBlocker(
  state: Pick<AppState, 'dataset' | 'preflight' | 'settings' | 'params'>,
): string | null {
  if (!state.dataset || !state.preflight) return null;
  const problem = keptSizeProblem(state.preflight, withParams(runOverrides(state.settings, state.params)));
  return problem ? `${state.dataset.name}: ${problem}` : null;
}

/**
 * The memory and time of a run with the current settings on the backend in use (wasm until it is known), and
 * whether it fits in what this browser allows (`env`: what the browser reports, see `browserMemory`). Null
 * before the preflight. The page disables Run when it does not fit, unless the user chooses to run anyway.
 */
export function runEstimate(
  state: Pick<AppState, 'preflight' | 'settings' | 'params' | 'backend'>,
  env: MemoryEnvironment,
): RunEstimate | null {
  if (!state.preflight) return null;
  const { output, input } = state.preflight;
  const limit = memoryLimit(env);
  const speedup = state.backend ? probeSpeedup(state.backend) : null;
  return estimateRun(
    { cells: output.nCells, genes: output.nGenes, nnz: output.nnz, loadedNnz: input.nnz },
    withParams(runOverrides(state.settings, state.params)),
    {
      backend: state.backend?.name ?? 'wasm',
      limitMb: limit.limitMb,
      limitBasis: limit.basis,
      ...(speedup !== null ? { tensorSpeedup: speedup } : {}),
    },
  );
}

/**
 * How many times faster than WASM the backend in use ran the engine's probe (one training epoch and a kNN
 * block at the dataset's gene count), where both were timed; null otherwise (WASM itself, or untimed).
 */
export function probeSpeedup(info: BackendInfo): number | null {
  if (info.name === 'wasm') return null;
  const ms = (name: string) => info.candidates.find((c) => c.name === name)?.probeMs ?? null;
  const wasm = ms('wasm');
  const used = ms(info.name);
  return wasm !== null && used !== null && wasm > 0 && used > 0 ? wasm / used : null;
}

/** What this browser reports about its memory (`navigator.deviceMemory`; Chromium's `performance.memory`). */
export function browserMemory(): MemoryEnvironment {
  const nav = globalThis.navigator as { deviceMemory?: number } | undefined;
  const perf = globalThis.performance as { memory?: { jsHeapSizeLimit?: number } } | undefined;
  return {
    deviceMemoryGb: nav?.deviceMemory ?? null,
    jsHeapSizeLimitBytes: perf?.memory?.jsHeapSizeLimit ?? null,
  };
}

export function updateSettings(patch: Partial<RunSettings>): void {
  patchState({ settings: { ...useAppStore.getState().settings, ...patch } });
}

/** Each run gets a token; events and answers of an older (cancelled or abandoned) run are ignored. */
let runToken = 0;
let pending: RunEvent[] = [];
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function flush(token: number): void {
  flushTimer = null;
  if (token !== runToken || pending.length === 0) return;
  const events = pending;
  pending = [];
  const state = useAppStore.getState();
  const run = applyRunEvents(state.run, events, performance.now());
  // The engine probed the backends again for this dataset's gene count: the badge follows.
  const probed = events.findLast((e) => e.type === 'backend');
  patchState(probed ? { run, backend: probed.info } : { run });
  const snap = events.findLast((e) => e.type === 'snapshot');
  if (snap && run.snapshot) void layoutSnapshot(run.snapshot);
}

function onEvent(token: number, e: RunEvent): void {
  if (token !== runToken) return;
  pending.push(e);
  if (!flushTimer) flushTimer = setTimeout(() => flush(token), FLUSH_MS);
}

/** Run the whole method on the loaded dataset with the current settings. */
export async function startRun(): Promise<void> {
  const state = useAppStore.getState();
  if (!state.dataset || state.run.status === 'running' || state.run.status === 'cancelling') return;
  const token = ++runToken;
  pending = [];
  resetLayout();
  patchState({
    run: { ...idleRun, status: 'running', startedAt: performance.now() },
    analysis: { status: 'idle' },
    runNotice: null,
  });
  const params = runOverrides(state.settings, state.params);
  try {
    const result = await getEngine().run(
      { params },
      proxyCallback((e: RunEvent) => onEvent(token, e)),
    );
    if (token !== runToken) return;
    if (flushTimer) clearTimeout(flushTimer);
    flush(token);
    const run = useAppStore.getState().run;
    if (!result.ok) {
      const cancelled = result.error.code === 'cancelled';
      patchState({
        run: {
          ...run,
          status: cancelled ? 'cancelled' : 'failed',
          error: cancelled ? null : result.error.message,
          finishedAt: performance.now(),
        },
        runNotice: cancelled
          ? 'The run was cancelled. The data and settings are kept: run again any time.'
          : null,
      });
      return;
    }
    const results = await getEngine().results();
    if (token !== runToken) return;
    patchState({
      run: {
        ...run,
        status: 'done',
        results,
        snapshot: results?.snapshot ?? run.snapshot,
        finishedAt: performance.now(),
      },
      runNotice: result.value.persistWarning,
    });
    if (results) {
      void finishLayout(results.snapshot);
      void loadAnalysis(token);
    }
  } catch (e) {
    if (token !== runToken) return;
    patchState({
      run: { ...useAppStore.getState().run, status: 'failed', error: `The run failed: ${errorMessage(e)}` },
    });
  }
}

/**
 * Cancel the run in progress. The engine stops at its next checkpoint; if it has not answered within
 * CANCEL_GRACE_MS the worker is terminated and a fresh one reloads the saved dataset.
 */
export async function cancelRun(): Promise<void> {
  const { run } = useAppStore.getState();
  if (run.status !== 'running') return;
  const token = runToken;
  patchState({ run: { ...run, status: 'cancelling' } });
  void getEngine()
    .cancel()
    .catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, CANCEL_GRACE_MS));
  if (token !== runToken || useAppStore.getState().run.status !== 'cancelling') return;
  // Still running: replace the worker. The run stays 'cancelling' (Run disabled) until the new worker has
  // reloaded the dataset, so a new run cannot reach an empty engine.
  runToken++;
  terminateEngine();
  patchState({ runNotice: 'The run did not stop within a second; restarting the engine…' });
  let notice = 'The run did not stop within a second, so its worker was replaced; the dataset was reloaded.';
  try {
    await getEngine().init(backendFromUrl(window.location.search));
    await restoreSession({ keepRun: true });
  } catch (e) {
    notice = `The worker was replaced but could not be restarted: ${errorMessage(e)}`;
  }
  patchState({
    run: { ...useAppStore.getState().run, status: 'cancelled', finishedAt: performance.now() },
    runNotice: notice,
  });
}

/** Marker genes and the heatmap of the finished run, computed in the worker. */
export async function loadAnalysis(token = runToken): Promise<void> {
  patchState({ analysis: { status: 'running', fraction: 0 } });
  try {
    const r = await getEngine().analysis(
      proxyCallback((fraction: number) => {
        // Progress comes on its own channel and may arrive after the answer: never undo a finished state.
        if (token === runToken && useAppStore.getState().analysis.status === 'running')
          patchState({ analysis: { status: 'running', fraction } });
      }),
    );
    if (token !== runToken) return;
    patchState({
      analysis: r.ok ? { status: 'done', value: r.value } : { status: 'failed', error: r.error.message },
    });
  } catch (e) {
    if (token === runToken) patchState({ analysis: { status: 'failed', error: errorMessage(e) } });
  }
}

/** Download one output of the last run. */
export async function downloadExport(kind: ExportKind, options?: ExportOptions): Promise<string | null> {
  try {
    const result = await getEngine().exportFile(kind, options);
    if (!result.ok) return result.error.message;
    saveBlob(result.value.blob, result.value.name);
    return null;
  } catch (e) {
    return errorMessage(e);
  }
}

/** Offer a Blob as a download with this name. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Bring back the dataset, settings and results saved by an earlier visit. */
export async function restoreSession(options: { keepRun?: boolean } = {}): Promise<void> {
  // At start-up, only if the user has not loaded something already.
  const before = useAppStore.getState();
  if (!options.keepRun && (before.dataset || before.loading)) return;
  const restored = await getEngine().restore();
  if (!restored) return;
  const now = useAppStore.getState();
  if (!options.keepRun && (now.loading || (now.dataset && now.dataset !== before.dataset))) return;
  if (!restored.ok) {
    patchState({ runNotice: `The saved dataset could not be reloaded: ${restored.error.message}` });
    return;
  }
  const { dataset, bulk, params, results } = restored.value;
  const patch: { -readonly [K in keyof AppState]?: AppState[K] } = {
    dataset,
    loadError: null,
    bulk: bulk ? { status: 'added', summary: bulk } : { status: 'none' },
  };
  if (params?.preprocess) patch.params = { ...useAppStore.getState().params, ...params.preprocess };
  if (params?.seed !== undefined) patch.settings = { ...useAppStore.getState().settings, seed: params.seed };
  if (results && !options.keepRun) {
    patch.run = runStateFromResults(results);
    if (results.layout)
      patch.layout = {
        positions: results.layout,
        iteration: results.snapshot.iteration,
        running: false,
        error: null,
      };
  }
  patchState(patch);
  if (results && !options.keepRun) {
    if (!results.layout) void layoutSnapshot(results.snapshot, { final: true });
    void loadAnalysis();
  }
}

/** Delete the saved session from this browser and clear the page. */
export async function forgetSession(): Promise<void> {
  runToken++;
  resetLayout();
  try {
    await getEngine().forget();
  } finally {
    patchState({
      dataset: null,
      bulk: { status: 'none' },
      preflight: null,
      preflightError: null,
      run: idleRun,
      analysis: { status: 'idle' },
      layout: { positions: null, iteration: 0, running: false, error: null },
      runNotice: 'The dataset and results were deleted from this browser.',
    });
  }
}

export type { RunResults };
