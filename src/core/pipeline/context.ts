/**
 * What every stage of the pipeline receives: the TensorFlow.js namespace (backend already chosen), a seeded
 * random generator (fork it per stage), a progress reporter, and a cancellation checkpoint. Stages never
 * touch globals, post messages or print: the CLI and the worker decide what to do with the events.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.ts';

export type Tf = typeof tfc;

/** The scGNN stages, in pipeline order. */
export type StageName =
  | 'preprocess'
  | 'ltmg'
  | 'feature-ae'
  | 'graph'
  | 'graph-ae'
  | 'cluster'
  | 'cluster-ae'
  | 'bulk'
  | 'impute'
  | 'output';

export type ProgressEvent =
  | {
      readonly type: 'stage-start';
      readonly stage: StageName;
      readonly iteration?: number;
      readonly label: string;
    }
  | {
      readonly type: 'stage-progress';
      readonly stage: StageName;
      /** 0..1 within the stage. */
      readonly fraction: number;
      readonly message?: string;
    }
  | {
      /** One point of a training curve. `model` names the network (e.g. "feature-ae", "cluster-ae 3"). */
      readonly type: 'loss';
      readonly stage: StageName;
      readonly model: string;
      readonly epoch: number;
      /** Epochs this model trains for (so a listener can show progress). */
      readonly epochs?: number;
      readonly loss: number;
      readonly terms?: Readonly<Record<string, number>>;
    }
  | {
      readonly type: 'stage-end';
      readonly stage: StageName;
      readonly seconds: number;
      readonly iteration?: number;
    }
  | {
      readonly type: 'iteration';
      readonly iteration: number;
      readonly nClusters: number;
      /** ARI between this iteration's clustering and the previous one (0 on the first). */
      readonly agreement: number;
      /** Fraction of graph edges that changed since the previous iteration. */
      readonly graphChange: number;
      readonly clusterSizes: readonly number[];
    };

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('The run was cancelled.');
  }
}

export interface StageContext {
  readonly tf: Tf;
  readonly rng: Rng;
  report(event: ProgressEvent): void;
  /** Yield to the event loop (lets cancel messages and progress through); throws CancelledError if cancelled. */
  checkpoint(): Promise<void>;
  /**
   * How far the work this context was handed has got, 0..1, with an optional word on what it is doing. The
   * pipeline maps it onto the running stage's bar (`inStage`, `subRange`); elsewhere it goes nowhere. Cheap:
   * call it as often as convenient, events are throttled.
   */
  progress(fraction: number, message?: string): void;
}

/** Least time between two progress events of one stage (the first, a new message and the end always go). */
export const PROGRESS_MS = 100;

/** A context whose `progress` reports `stage`'s fraction (throttled to one event per PROGRESS_MS). */
export function inStage(ctx: StageContext, stage: StageName): StageContext {
  let last = -Infinity;
  let lastMessage: string | undefined;
  return {
    ...ctx,
    progress: (fraction, message) => {
      const now = performance.now();
      const f = Math.max(0, Math.min(1, fraction));
      if (now - last < PROGRESS_MS && f < 1 && message === lastMessage) return;
      last = now;
      lastMessage = message;
      ctx.report({ type: 'stage-progress', stage, fraction: f, ...(message ? { message } : {}) });
    },
  };
}

/** A context whose progress 0..1 covers [from, to] of `ctx`'s (a part of a stage's work). */
export function subRange(ctx: StageContext, from: number, to: number): StageContext {
  return {
    ...ctx,
    progress: (f, message) => ctx.progress(from + (to - from) * Math.max(0, Math.min(1, f)), message),
  };
}

/** A context for tests and the CLI: progress goes to `onEvent` (default: dropped), never cancelled unless `signal`. */
export function createContext(
  tf: Tf,
  rng: Rng,
  onEvent: (e: ProgressEvent) => void = () => {},
  signal?: AbortSignal,
): StageContext {
  return {
    tf,
    rng,
    report: onEvent,
    progress: () => {},
    checkpoint: async () => {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (signal?.aborted) throw new CancelledError();
    },
  };
}
