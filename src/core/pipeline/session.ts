/**
 * The steps around `runScgnn` that the CLI and the browser engine share, so both produce the same files for
 * the same input, parameters and seed: selecting the cells and genes (plus the evaluation protocol's dropout),
 * scoring a clustering against uploaded labels, and the run manifest.
 */
import { adjustedRandIndex, encodeLabels, normalizedMutualInfo } from '../cluster/metrics.ts';
import type { LoadedDataset } from '../dataset.ts';
import { simulateDropout, type Dropout } from '../eval/dropout.ts';
import { preprocess, type Preprocessed } from '../preprocess/preprocess.ts';
import { createRng } from '../rng.ts';
import type { StageName } from './context.ts';
import { clusterSizes, type RunManifest } from './manifest.ts';
import type { ScgnnParams } from './params.ts';
import type { ScgnnInput, ScgnnResult } from './run-pipeline.ts';

/** File names of a run's outputs, the same in the CLI's output folder and the browser's downloads. */
export const OUTPUT_FILES = {
  imputed: 'imputed.csv',
  embedding: 'embedding.csv',
  graph: 'graph_edges.csv',
  labels: 'labels.csv',
  manifest: 'manifest.json',
  h5ad: 'results.h5ad',
} as const;

export interface PreparedInput {
  readonly selected: Preprocessed;
  /** The evaluation protocol's corruption, when a dropout rate was given. */
  readonly dropout: Dropout | null;
  readonly input: ScgnnInput;
}

/**
 * Select cells and genes on the raw counts (log1p happens inside the pipeline, after any dropout), then zero a
 * seeded fraction `dropoutRate` of the non-zero entries (reference §5) when it is above 0.
 */
export function prepareInput(ds: LoadedDataset, params: ScgnnParams, dropoutRate = 0): PreparedInput {
  const selected = preprocess(ds.matrix, { ...params.preprocess, log1p: false });
  const dropout =
    dropoutRate > 0
      ? simulateDropout(selected.matrix, dropoutRate, createRng(params.seed).fork('dropout'))
      : null;
  return {
    selected,
    dropout,
    input: {
      raw: dropout ? dropout.corrupted : selected.matrix,
      cellIds: selected.cellIds,
      geneIds: selected.geneIds,
    },
  };
}

/** Uploaded labels of the selected cells as codes into sorted classes (-1 = unlabelled); null without labels. */
export function selectedLabels(
  ds: LoadedDataset,
  selected: Preprocessed,
): { codes: Int32Array; classes: string[] } | null {
  const truthLabels = ds.labels;
  if (!truthLabels) return null;
  return encodeLabels(Array.from(selected.cellIndex, (c) => truthLabels.labels[c] ?? null));
}

export interface LabelEvaluation {
  readonly ari: number;
  readonly nmi: number;
  /** Selected cells that have a label (the others are left out of the scores). */
  readonly labelledCells: number;
}

/** ARI / NMI of a clustering of the selected cells against the dataset's uploaded labels (scoring only). */
export function evaluateAgainstLabels(
  ds: LoadedDataset,
  selected: Preprocessed,
  labels: Int32Array,
): LabelEvaluation | null {
  const truthLabels = ds.labels;
  if (!truthLabels) return null;
  const { codes } = encodeLabels(Array.from(selected.cellIndex, (c) => truthLabels.labels[c] ?? null));
  const keep = Array.from(codes.keys()).filter((i) => codes[i]! >= 0);
  if (keep.length === 0) return null;
  const truth = keep.map((i) => codes[i]!);
  const pred = keep.map((i) => labels[i]!);
  return {
    ari: adjustedRandIndex(truth, pred),
    nmi: normalizedMutualInfo(truth, pred),
    labelledCells: keep.length,
  };
}

export interface ManifestInput {
  readonly version: string;
  readonly runtime: string;
  readonly tfjs: string;
  readonly backend: string;
  readonly adapter: string | null;
  readonly dataset: LoadedDataset;
  readonly prepared: PreparedInput;
  readonly params: ScgnnParams;
  readonly result: Pick<ScgnnResult, 'nClusters' | 'history' | 'converged' | 'labels' | 'training'>;
  readonly seconds: Partial<Record<StageName | 'load' | 'total', number>>;
  readonly outputs: Record<string, string>;
  readonly dropoutRate?: number;
  readonly createdAt?: Date;
}

/** The run manifest (manifest.ts): every parameter, seed, backend, versions, timings and iteration history. */
export function buildManifest(m: ManifestInput): RunManifest {
  const ds = m.dataset;
  const { prepared, result } = m;
  return {
    tool: 'scgnn-web',
    version: m.version,
    createdAt: (m.createdAt ?? new Date()).toISOString(),
    environment: { runtime: m.runtime, tfjs: m.tfjs, backend: m.backend, adapter: m.adapter },
    input: {
      name: ds.name,
      format: ds.format,
      cells: ds.matrix.counts.nRows,
      genes: ds.matrix.counts.nCols,
      orientation: ds.orientation?.chosen ?? null,
    },
    preprocessing: prepared.selected.summary,
    params: m.params,
    seed: m.params.seed,
    ...(prepared.dropout && m.dropoutRate
      ? { dropout: { rate: m.dropoutRate, entries: prepared.dropout.rows.length } }
      : {}),
    result: {
      nClusters: result.nClusters,
      iterations: result.history.length,
      converged: result.converged,
      history: result.history,
      clusterSizes: clusterSizes(result.labels, result.nClusters),
      training: result.training,
    },
    seconds: m.seconds,
    outputs: m.outputs,
  };
}
