/**
 * The run manifest: everything needed to reproduce and audit a run (every parameter, seed, backend,
 * versions, input, per-stage seconds, per-iteration history). Written as `manifest.json` beside the outputs.
 */
import type { PreprocessSummary } from '../preprocess/preprocess.ts';
import type { StageName } from './context.ts';
import type { ScgnnParams } from './params.ts';
import type { IterationRecord, TrainingRecord } from './run-pipeline.ts';

export interface RunManifest {
  readonly tool: 'scgnn-web';
  readonly version: string;
  readonly createdAt: string;
  readonly environment: {
    readonly runtime: string;
    readonly tfjs: string;
    readonly backend: string;
    readonly adapter: string | null;
  };
  readonly input: {
    readonly name: string;
    readonly format: string;
    readonly cells: number;
    readonly genes: number;
    readonly orientation: string | null;
  };
  readonly preprocessing: PreprocessSummary;
  readonly params: ScgnnParams;
  readonly seed: number;
  readonly dropout?: { readonly rate: number; readonly entries: number };
  readonly result: {
    readonly nClusters: number;
    readonly iterations: number;
    readonly converged: boolean;
    readonly history: IterationRecord[];
    readonly clusterSizes: number[];
    /** Every model trained, in order, with its first and last loss. */
    readonly training: TrainingRecord[];
  };
  readonly seconds: Partial<Record<StageName | 'load' | 'total', number>>;
  readonly outputs: Record<string, string>;
}

export function clusterSizes(labels: Int32Array, nClusters: number): number[] {
  const sizes = new Array<number>(nClusters).fill(0);
  for (const l of labels) if (l >= 0) sizes[l] = (sizes[l] ?? 0) + 1;
  return sizes;
}
