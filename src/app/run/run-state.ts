/**
 * The live state of a run as the page shows it, and how each engine event changes it (a pure reducer, so it
 * is unit-tested without a browser). Events arrive in batches (run-actions.ts flushes them once per frame).
 */
import type { StageName } from '../../core/pipeline/context.ts';
import type { GraphSnapshot, RunEvent, RunResults } from '../../engine/contract.ts';

export type RunStatus = 'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

export interface StageState {
  /** Unique per stage and iteration, e.g. "cluster#2". */
  readonly key: string;
  readonly stage: StageName;
  readonly label: string;
  readonly iteration: number | null;
  readonly status: 'running' | 'done';
  /** 0..1 within the stage (from its progress events, or epochs of its training). */
  readonly fraction: number;
  readonly message: string | null;
  /** performance.now() when it started (page clock). */
  readonly startedAt: number;
  /** Its first progress event (page clock and fraction), and when the fraction last grew. */
  readonly firstProgress: { readonly at: number; readonly fraction: number } | null;
  readonly progressAt: number | null;
  readonly seconds: number | null;
}

export interface IterationPoint {
  readonly iteration: number;
  readonly nClusters: number;
  readonly agreement: number;
  readonly graphChange: number;
  readonly clusterSizes: readonly number[];
}

/** One loss curve: a model's epochs in order (a model trained again later continues the same curve). */
export interface LossCurve {
  readonly model: string;
  readonly losses: number[];
}

export interface RunState {
  readonly status: RunStatus;
  readonly stages: StageState[];
  readonly losses: LossCurve[];
  readonly iterations: IterationPoint[];
  readonly snapshot: GraphSnapshot | null;
  readonly results: RunResults | null;
  readonly error: string | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

export const idleRun: RunState = {
  status: 'idle',
  stages: [],
  losses: [],
  iterations: [],
  snapshot: null,
  results: null,
  error: null,
  startedAt: null,
  finishedAt: null,
};

/** Most points kept per loss curve (older points are thinned), so long runs stay cheap to draw. */
export const MAX_LOSS_POINTS = 2000;

function stageKey(stage: string, iteration: number | null | undefined): string {
  return `${stage}#${iteration ?? 0}`;
}

function updateLast(stages: StageState[], stage: StageName, fn: (s: StageState) => StageState): StageState[] {
  for (let i = stages.length - 1; i >= 0; i--) {
    if (stages[i]!.stage === stage && stages[i]!.status === 'running') {
      const copy = stages.slice();
      copy[i] = fn(stages[i]!);
      return copy;
    }
  }
  return stages;
}

/** Apply a batch of engine events; `now` is the page clock at arrival. */
export function applyRunEvents(state: RunState, events: readonly RunEvent[], now: number): RunState {
  let { stages, losses, iterations, snapshot } = state;
  for (const e of events) {
    switch (e.type) {
      case 'stage-start':
        stages = [
          ...stages,
          {
            key: stageKey(e.stage, e.iteration),
            stage: e.stage,
            label: e.label,
            iteration: e.iteration ?? null,
            status: 'running',
            fraction: 0,
            message: null,
            startedAt: now,
            firstProgress: null,
            progressAt: null,
            seconds: null,
          },
        ];
        break;
      case 'stage-progress':
        stages = updateLast(stages, e.stage, (s) => {
          const fraction = Math.max(s.fraction, Math.min(1, e.fraction));
          return {
            ...s,
            fraction,
            message: e.message ?? s.message,
            firstProgress: s.firstProgress ?? { at: now, fraction },
            progressAt: fraction > s.fraction ? now : s.progressAt,
          };
        });
        break;
      case 'stage-end':
        stages = updateLast(stages, e.stage, (s) => ({
          ...s,
          status: 'done',
          fraction: 1,
          seconds: e.seconds,
        }));
        break;
      case 'loss': {
        // A stage's bar follows its 'stage-progress' events (per training step, cluster autoencoders by
        // cells), not the loss events.
        const i = losses.findIndex((c) => c.model === e.model);
        const prev = i >= 0 ? losses[i]!.losses : [];
        let next = [...prev, e.loss];
        if (next.length > MAX_LOSS_POINTS) next = next.filter((_, j) => j % 2 === 0);
        const curve = { model: e.model, losses: next };
        losses = i >= 0 ? losses.map((c, j) => (j === i ? curve : c)) : [...losses, curve];
        break;
      }
      case 'iteration':
        iterations = [
          ...iterations,
          {
            iteration: e.iteration,
            nClusters: e.nClusters,
            agreement: e.agreement,
            graphChange: e.graphChange,
            clusterSizes: e.clusterSizes,
          },
        ];
        break;
      case 'snapshot':
        snapshot = {
          cellIds: e.cellIds,
          iteration: e.iteration,
          nCells: e.nCells,
          dims: e.dims,
          embedding: e.embedding,
          unitLength: e.unitLength,
          labels: e.labels,
          edges: e.edges,
        };
        break;
    }
  }
  return { ...state, stages, losses, iterations, snapshot };
}

/**
 * Seconds left in a running stage, extrapolated from its progress so far; null until there is enough to
 * go on (5 % done and half a second in). The rate is measured from the stage's first progress event, so
 * what precedes any progress (setting up, compiling kernels, a busy core at the start) does not count as
 * if it recurred for the rest of the stage; until 5 % and half a second of such progress, from the start.
 */
export function stageEta(s: StageState, now: number): number | null {
  if (s.status !== 'running' || s.fraction < 0.05) return null;
  const first = s.firstProgress;
  if (first && s.progressAt !== null) {
    const window = (s.progressAt - first.at) / 1000;
    const gained = s.fraction - first.fraction;
    if (window >= 0.5 && gained >= 0.05)
      return Math.max(0, (window * (1 - s.fraction)) / gained - (now - s.progressAt) / 1000);
  }
  const elapsed = (now - s.startedAt) / 1000;
  if (elapsed < 0.5) return null;
  return (elapsed * (1 - s.fraction)) / s.fraction;
}

/** A finished run restored from the engine (after a reload) as a run state. */
export function runStateFromResults(results: RunResults): RunState {
  const h = results.summary.history;
  return {
    ...idleRun,
    status: 'done',
    iterations: h.map((r) => ({
      iteration: r.iteration,
      nClusters: r.nClusters,
      agreement: r.agreement,
      graphChange: r.graphChange,
      clusterSizes: r.clusterSizes,
    })),
    snapshot: results.snapshot,
    results,
    stages: Object.entries(results.summary.seconds)
      .filter(([k]) => k !== 'total')
      .map(([stage, seconds]) => ({
        key: stageKey(stage, 0),
        stage: stage as StageName,
        label: stage,
        iteration: null,
        status: 'done' as const,
        fraction: 1,
        message: null,
        startedAt: 0,
        firstProgress: null,
        progressAt: null,
        seconds,
      })),
  };
}
