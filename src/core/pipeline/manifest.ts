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
  /** Present when the run was given a bulk RNA-seq matrix (scGNN 2.0's deconvolution and blending). */
  readonly bulk?: BulkManifest;
}

/** The bulk matrix a run used, how its genes matched, and how the final deconvolution's optimisers ended. */
export interface BulkManifest {
  /** The bulk file's name. */
  readonly file: string;
  readonly samples: number;
  readonly sampleIds: readonly string[];
  /** Genes in the bulk file, genes of the run, and genes found in both (by name). */
  readonly bulkGenes: number;
  readonly genes: number;
  readonly matchedGenes: number;
  /** Matches found only after ignoring case or an Ensembl version suffix. */
  readonly looseMatches: number;
  /** Whether each continuing EM iteration fed back the blended matrix (params.bulk.feedback). */
  readonly feedback: boolean;
  /** The deconvolution with the final clusters: each optimisation's last loss and its steps. */
  readonly finalLosses: {
    readonly proportions: number;
    readonly profiles: number;
    readonly geneScale: number;
  };
  readonly steps: { readonly proportions: number; readonly profiles: number; readonly geneScale: number };
  /** Mean of the per-gene weights of the single-cell estimate in the blended imputation. */
  readonly meanSingleCellWeight: number;
}

export function clusterSizes(labels: Int32Array, nClusters: number): number[] {
  const sizes = new Array<number>(nClusters).fill(0);
  for (const l of labels) if (l >= 0) sizes[l] = (sizes[l] ?? 0) + 1;
  return sizes;
}
