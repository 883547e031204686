/**
 * What every stage of `runScgnn` receives next to its inputs and the parameters: the run's context (the
 * caller's, with each loss event also recorded as a TrainingRecord), `timed` (a stage's start / end events,
 * its seconds, a cancellation checkpoint) and `stageCtx` (one piece of work's own random stream and progress
 * bar).
 */
import { inStage, subRange, type StageContext, type StageName } from './context.ts';
import type { IterationSnapshot } from './stages/iteration.ts';

/** One training run of one model (a phase of the feature AE, a cluster AE, ...): its first and last loss. */
export interface TrainingRecord {
  readonly model: string;
  readonly stage: StageName;
  readonly epochs: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
}

export interface RunOptions {
  /** Called after each iteration's clustering (the arrays are the pipeline's own: copy to keep them). */
  readonly onIteration?: (snapshot: IterationSnapshot) => void;
}

export interface RunContext {
  /** The caller's context; loss events also go to `training`. */
  readonly ctx: StageContext;
  readonly options: RunOptions;
  /** Every model trained, in order, with its first and last loss. */
  readonly training: TrainingRecord[];
  /** Seconds per stage (summed over iterations). */
  readonly stageSeconds: Partial<Record<StageName, number>>;
  /** Run `fn` as `stage` (label shown to the user): stage-start, stage-end with its seconds, a checkpoint. */
  timed<T>(stage: StageName, label: string, fn: () => Promise<T>, iteration?: number): Promise<T>;
  /** The context of one stage's work: its own random stream, progress on `stage`'s bar (`range` of it). */
  stageCtx(label: string, stage: StageName, range?: [number, number]): StageContext;
}

export function createRunContext(outer: StageContext, options: RunOptions = {}): RunContext {
  const training: TrainingRecord[] = [];
  const open = new Map<string, number>(); // model -> index of its current record in `training`
  const ctx: StageContext = {
    ...outer,
    report: (e) => {
      if (e.type === 'loss') {
        const at = open.get(e.model);
        const current = at !== undefined ? training[at] : undefined;
        if (e.epoch === 0 || !current) {
          open.set(e.model, training.length);
          const epochs = e.epochs ?? e.epoch + 1;
          training.push({ model: e.model, stage: e.stage, epochs, firstLoss: e.loss, lastLoss: e.loss });
        } else {
          training[at!] = { ...current, lastLoss: e.loss };
        }
      }
      outer.report(e);
    },
  };
  const stageSeconds: Partial<Record<StageName, number>> = {};
  return {
    ctx,
    options,
    training,
    stageSeconds,
    timed: async (stage, label, fn, iteration) => {
      ctx.report({ type: 'stage-start', stage, label, ...(iteration !== undefined ? { iteration } : {}) });
      const t0 = performance.now();
      const out = await fn();
      const seconds = (performance.now() - t0) / 1000;
      stageSeconds[stage] = (stageSeconds[stage] ?? 0) + seconds;
      ctx.report({ type: 'stage-end', stage, seconds, ...(iteration !== undefined ? { iteration } : {}) });
      await ctx.checkpoint();
      return out;
    },
    stageCtx: (label, stage, range = [0, 1]) =>
      subRange(inStage({ ...ctx, rng: ctx.rng.fork(label) }, stage), range[0], range[1]),
  };
}
