/**
 * The steps around `runScgnn` that the CLI and the browser engine share, so both produce the same files for
 * the same input, parameters and seed: selecting the cells and genes (plus the evaluation protocols' dropout
 * or binomial thinning), scoring a clustering against uploaded labels, and the run manifest.
 */
import { adjustedRandIndex, encodeLabels, normalizedMutualInfo } from '../cluster/metrics.ts';
import type { LoadedDataset } from '../dataset.ts';
import { simulateDropout, type Dropout } from '../eval/dropout.ts';
import { thinCounts } from '../eval/thinning.ts';
import type { CsrMatrix } from '../matrix/csr.ts';
import { preprocess, type Preprocessed, type PreprocessSummary } from '../preprocess/preprocess.ts';
import { createRng } from '../rng.ts';
import type { StageName } from './context.ts';
import { clusterSizes, type BulkManifest, type RunManifest } from './manifest.ts';
import type { ScgnnParams } from './params.ts';
import type { BulkInput, BulkResult, ScgnnInput, ScgnnResult } from './run-pipeline.ts';
import { matchBulkInput } from './stages/bulk.ts';
import type { BulkMatrix } from '../bulk/types.ts';

/** File names of a run's outputs, the same in the CLI's output folder and the browser's downloads. */
export const OUTPUT_FILES = {
  imputed: 'imputed.csv',
  embedding: 'embedding.csv',
  graph: 'graph_edges.csv',
  labels: 'labels.csv',
  manifest: 'manifest.json',
  h5ad: 'results.h5ad',
} as const;

/** The outputs a run with a bulk matrix adds (CLI and browser alike). */
export const BULK_OUTPUT_FILES = {
  bulkProportions: 'bulk_proportions.csv',
  bulkProfiles: 'bulk_profiles.csv',
  bulkWeights: 'bulk_weights.csv',
} as const;

/**
 * A prepared input with a bulk matrix matched to its selected genes (by gene id, or by symbol where the
 * dataset has symbols and they match more). Throws BulkInputError when too few genes match.
 */
export function withBulk(
  prepared: PreparedInput,
  ds: LoadedDataset,
  matrix: BulkMatrix,
  params: ScgnnParams,
): PreparedInput {
  const symbols = ds.matrix.geneSymbols;
  const genes = {
    ids: prepared.input.geneIds,
    ...(symbols ? { symbols: Array.from(prepared.selected.geneIndex, (g) => symbols[g]) } : {}),
  };
  return { ...prepared, input: { ...prepared.input, bulk: matchBulkInput(matrix, genes, params) } };
}

/** "1,834 of 2,000 genes matched (12 loosely), 10 samples": a bulk input's overlap in words. */
export function bulkOverlapText(bulk: BulkInput): string {
  const { match, matrix } = bulk;
  const n = matrix.sampleIds.length;
  const loose = match.looseMatches ? ` (${fmtInt(match.looseMatches)} loosely)` : '';
  return (
    `${fmtInt(match.scIndex.length)} of ${fmtInt(match.nScGenes)} genes matched${loose}, ` +
    `${fmtInt(n)} sample${n === 1 ? '' : 's'}`
  );
}

const fmtInt = (n: number): string => n.toLocaleString('en-US');

/** The manifest's bulk section, from the run's bulk input and result. */
export function bulkManifest(bulk: BulkInput, result: BulkResult, params: ScgnnParams): BulkManifest {
  const d = result.deconvolution;
  let sum = 0;
  for (const w of result.weights) sum += w;
  return {
    file: bulk.matrix.name,
    samples: bulk.matrix.sampleIds.length,
    sampleIds: [...bulk.matrix.sampleIds],
    bulkGenes: bulk.match.nBulkGenes,
    genes: bulk.match.nScGenes,
    matchedGenes: bulk.match.scIndex.length,
    looseMatches: bulk.match.looseMatches,
    feedback: params.bulk.feedback,
    finalLosses: { ...d.losses },
    steps: { ...d.steps },
    meanSingleCellWeight: result.weights.length ? sum / result.weights.length : 1,
  };
}

export interface PreparedInput {
  readonly selected: Preprocessed;
  /** The evaluation protocol's corruption, when a dropout rate was given. */
  readonly dropout: Dropout | null;
  /**
   * The thinning protocol's (thinning.ts), when a thinning probability was given: each selected count c
   * replaced by Binomial(c, rate). The full-depth counts stay in `selected.matrix`.
   */
  readonly thinning: { readonly rate: number; readonly thinned: CsrMatrix } | null;
  readonly input: ScgnnInput;
}

/**
 * Fewest genes a run accepts: cells are compared (kNN graph, clustering) by their profiles over the selected
 * genes, and a handful of genes cannot tell cell types apart (the reference keeps 2,000).
 */
export const MIN_GENES = 10;

/** Fewest cells and genes a run with `params` can use, after preprocessing. */
export function minimumKept(params: ScgnnParams): { cells: number; genes: number } {
  // The cell graph links each cell to k other cells; clustering keeps clusters of at least minClusterSize
  // cells, and two of them are the least that is a clustering.
  // With kRule 'fraction' k follows N (at most N - 1), so only the clustering sets a minimum.
  const k = params.graph.kRule === 'fraction' ? 1 : params.graph.k;
  return { cells: Math.max(k + 1, 2 * params.cluster.minClusterSize), genes: MIN_GENES };
}

/**
 * Why a run cannot use what preprocessing keeps (too few cells or genes), with what to change; null when it
 * can. The CLI and the engine refuse such a run, and the page disables Run with this reason.
 */
export function keptSizeProblem(summary: PreprocessSummary, params: ScgnnParams): string | null {
  const min = minimumKept(params);
  const { nCells, nGenes } = summary.output;
  if (nCells >= min.cells && nGenes >= min.genes) return null;
  const linked =
    params.graph.kRule === 'fraction'
      ? `its nearest ${pct(params.graph.kFraction)} of the cells`
      : `its ${params.graph.k} nearest neighbours`;
  const why =
    `scGNN needs at least ${min.cells} cells (the cell graph links each cell to ${linked}` +
    `, and clustering needs two clusters of at least ${params.cluster.minClusterSize} cells) and ` +
    `${min.genes} genes (cells are compared over their gene profiles)`;
  const fixes: string[] = [];
  const filters =
    `lower the preprocessing filters (genes detected in ≥ ${pct(summary.params.minCellFraction)} of cells, ` +
    `cells with ≥ ${pct(summary.params.minGeneFraction)} of the kept genes)`;
  if (nCells < min.cells) {
    if (summary.input.nCells < min.cells)
      fixes.push(`load a matrix with more cells (it has ${summary.input.nCells})`);
    else fixes.push(filters);
    // Only k stands in the way: the cells would make two clusters.
    if (nCells >= 2 * params.cluster.minClusterSize)
      fixes.push(`use at most ${nCells - 1} neighbours per cell (k)`);
  }
  if (nGenes < min.genes) {
    if (summary.params.nTopGenes < min.genes) fixes.push(`keep at least ${min.genes} most variable genes`);
    else if (summary.input.nGenes < min.genes)
      fixes.push(`load a matrix with more genes (it has ${summary.input.nGenes})`);
    else if (!fixes.includes(filters)) fixes.push(filters);
  }
  const kept = `${count(nCells, 'cell')} and ${count(nGenes, 'gene')}`;
  return `preprocessing keeps ${kept}, but ${why}. To run it, ${fixes.join(', or ')}`;
}

const pct = (f: number): string => `${+(f * 100).toFixed(2)} %`;
const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * Select cells and genes on the raw counts (log1p happens inside the pipeline, after any dropout or thinning),
 * then, for the evaluation protocols, either zero a seeded fraction `dropoutRate` of the non-zero entries
 * (reference §5) when it is above 0, or thin every count c to Binomial(c, thinRate) when that is above 0 (the
 * selection is decided on the full-depth counts either way). Each has its own stream forked from params.seed
 * ('dropout', 'thin'). Giving both is an error.
 */
export function prepareInput(
  ds: LoadedDataset,
  params: ScgnnParams,
  dropoutRate = 0,
  thinRate = 0,
): PreparedInput {
  if (dropoutRate > 0 && thinRate > 0) throw new RangeError('dropout and thinning cannot be combined');
  const selected = preprocess(ds.matrix, { ...params.preprocess, log1p: false });
  const dropout =
    dropoutRate > 0
      ? simulateDropout(selected.matrix, dropoutRate, createRng(params.seed).fork('dropout'))
      : null;
  const thinning =
    thinRate > 0
      ? {
          rate: thinRate,
          thinned: thinCounts(selected.matrix, thinRate, createRng(params.seed).fork('thin')),
        }
      : null;
  return {
    selected,
    dropout,
    thinning,
    input: {
      raw: dropout ? dropout.corrupted : thinning ? thinning.thinned : selected.matrix,
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
  readonly result: Pick<ScgnnResult, 'nClusters' | 'history' | 'converged' | 'labels' | 'training' | 'bulk'>;
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
    ...(prepared.input.bulk && result.bulk
      ? { bulk: bulkManifest(prepared.input.bulk, result.bulk, m.params) }
      : {}),
  };
}
