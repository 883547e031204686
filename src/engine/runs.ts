/**
 * Runs of the whole method inside the engine: prepare the input exactly as the CLI does (session.ts), run the
 * pipeline with progress and per-iteration graph snapshots, keep what the page's views and downloads need,
 * and write the output files with the CLI's writers, so the browser's files match the CLI's for the same
 * input, parameters, seed and backend.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { CellGraph } from '../core/graph/cell-graph.ts';
import type { LoadedDataset } from '../core/dataset.ts';
import type { CsrMatrix } from '../core/matrix/csr.ts';
import type { DenseMatrix } from '../core/matrix/dense.ts';
import { createContext } from '../core/pipeline/context.ts';
import { clusterSizes, type RunManifest } from '../core/pipeline/manifest.ts';
import { validateParams } from '../core/pipeline/params.ts';
import { paramsForCompute } from '../core/pipeline/compute-profile.ts';
import { runScgnn, type IterationSnapshot } from '../core/pipeline/run-pipeline.ts';
import { librarySizeFactors } from '../core/preprocess/normalise.ts';
import { csrColumns, heatmapColumns, heatmapData, heatmapGenes } from '../core/analysis/heatmap.ts';
import { log1pRows } from '../core/matrix/rows.ts';
import {
  asTiles,
  blobTileReader,
  toBlobTiles,
  type BlobTiles,
  type TiledMatrix,
} from '../core/matrix/tiles.ts';
import { findMarkers } from '../core/analysis/markers.ts';
import {
  buildManifest,
  BULK_OUTPUT_FILES,
  evaluateAgainstLabels,
  keptSizeProblem,
  OUTPUT_FILES,
  prepareInput,
  selectedLabels,
  withBulk,
  type PreparedInput,
} from '../core/pipeline/session.ts';
import type { BulkMatrix } from '../core/bulk/types.ts';
import type { ScgnnParams } from '../core/pipeline/params.ts';
import type { BulkInput, BulkResult } from '../core/pipeline/run-pipeline.ts';
import { bulkInputError } from '../io/bulk-file.ts';
import {
  writeBulkProfilesCsv,
  writeBulkProportionsCsv,
  writeBulkWeightsCsv,
} from '../io/writers/bulk-csv.ts';
import { summarizePreprocessing } from '../core/preprocess/preprocess.ts';
import { InputError } from '../io/errors.ts';
import { createRng } from '../core/rng.ts';
import {
  blobSink,
  writeEdgeListCsv,
  writeEmbeddingCsv,
  writeLabelsCsv,
  writeLayoutCsv,
  writeMatrixCsv,
  type TextSink,
} from '../io/writers/csv-writers.ts';
import { runH5adContent, writeH5ad } from '../io/h5ad-writer.ts';
import pkg from '../../package.json' with { type: 'json' };
import type {
  AnalysisResults,
  BackendInfo,
  BulkRunSummary,
  EdgeList,
  ExportedFile,
  ExportKind,
  ExportOptions,
  GraphSnapshot,
  RunEvent,
  RunRequest,
  RunResults,
  RunSummary,
} from './contract.ts';

/** Everything kept of a finished run (in the worker, and in the session store for the next visit). */
export interface FinishedRun extends RunResults {
  readonly geneIds: string[];
  /**
   * The imputed matrix as Blob tiles (outside the JS heap; downloads, markers and the heatmap read it a block
   * at a time), or a dense matrix in a session saved before the tiles.
   */
  readonly imputed: BlobTiles | DenseMatrix;
  readonly graph: CellGraph;
  readonly manifest: RunManifest;
  /** With a bulk matrix: the per-type profiles (clusters x genes) and the per-gene blending weights. */
  readonly bulk?: { readonly profiles: Float64Array; readonly weights: Float64Array } | null;
}

/** Each undirected edge once (i < j). */
export function edgeList(g: CellGraph): EdgeList {
  const count = (g.indptr[g.nNodes] ?? 0) / 2;
  const from = new Int32Array(count);
  const to = new Int32Array(count);
  const weight = new Float32Array(count);
  let e = 0;
  for (let i = 0; i < g.nNodes; i++) {
    for (let k = g.indptr[i]!; k < g.indptr[i + 1]!; k++) {
      const j = g.indices[k]!;
      if (j <= i) continue;
      from[e] = i;
      to[e] = j;
      weight[e] = g.weights[k]!;
      e++;
    }
  }
  return { from, to, weight };
}

/** A copy of the pipeline's iteration state in the shape the page draws. */
export function toSnapshot(s: IterationSnapshot, cellIds: readonly string[]): GraphSnapshot {
  return {
    cellIds: [...cellIds],
    iteration: s.iteration,
    nCells: s.embedding.rows,
    dims: s.embedding.cols,
    embedding: s.embedding.data.slice(),
    unitLength: s.unitLength,
    labels: s.labels.slice(),
    edges: edgeList(s.graph),
  };
}

function runtime(): string {
  if (typeof navigator !== 'undefined' && navigator.userAgent) return navigator.userAgent;
  return typeof process !== 'undefined' ? `node ${process.version}` : 'unknown';
}

/**
 * Run the method on `dataset` (with a bulk RNA-seq matrix, matched to the selected genes, when `bulk` is
 * given); throws CancelledError when `signal` aborts.
 */
export async function executeRun(
  tf: typeof tfc,
  dataset: LoadedDataset,
  request: RunRequest,
  backend: BackendInfo,
  onEvent: (e: RunEvent) => void,
  signal: AbortSignal,
  bulk: BulkMatrix | null = null,
): Promise<FinishedRun> {
  const params = paramsForCompute(request.params, backend.computeClass);
  const problems = validateParams(params);
  if (problems.length) throw new RangeError(`Invalid parameters: ${problems.join('; ')}.`);
  const t0 = performance.now();
  onEvent({ type: 'stage-start', stage: 'preprocess', label: 'Selecting cells and genes' });
  const tooFew = keptSizeProblem(summarizePreprocessing(dataset.matrix, params.preprocess), params);
  if (tooFew) throw new InputError('too-few-kept', dataset.name, tooFew);
  const prepared = bulk ? preparedWithBulk(dataset, params, bulk) : prepareInput(dataset, params);
  const prepSeconds = (performance.now() - t0) / 1000;
  onEvent({ type: 'stage-end', stage: 'preprocess', seconds: prepSeconds });
  const { input } = prepared;
  const ctx = createContext(tf, createRng(params.seed), onEvent, signal);
  await ctx.checkpoint();
  const iterationLabels: Int32Array[] = [];
  let last: GraphSnapshot | null = null;
  const result = await runScgnn(input, params, ctx, {
    onIteration: (s) => {
      const snap = toSnapshot(s, input.cellIds);
      iterationLabels.push(snap.labels.slice());
      last = snap;
      onEvent({ type: 'snapshot', ...snap });
    },
  });
  const seconds: Record<string, number> = { preprocess: prepSeconds };
  for (const [k, v] of Object.entries(result.stageSeconds)) seconds[k] = v;
  seconds.total = (performance.now() - t0) / 1000;
  const manifest = buildManifest({
    version: pkg.version,
    runtime: runtime(),
    tfjs: tf.version_core,
    backend: backend.name,
    adapter: backend.adapter,
    dataset,
    prepared,
    params,
    result,
    seconds,
    outputs: {
      ...OUTPUT_FILES,
      umap: 'umap.csv',
      markers: 'markers.csv',
      ...(result.bulk ? BULK_OUTPUT_FILES : {}),
    },
  });
  const truth = selectedLabels(dataset, prepared.selected);
  const summary: RunSummary = {
    nCells: input.raw.nRows,
    nGenes: input.raw.nCols,
    cellIds: [...input.cellIds],
    nClusters: result.nClusters,
    converged: result.converged,
    history: result.history,
    clusterSizes: clusterSizes(result.labels, result.nClusters),
    seconds,
    backend: backend.name,
    params,
    evaluation: evaluateAgainstLabels(dataset, prepared.selected, result.labels),
    truth,
    finishedAt: manifest.createdAt,
    persistWarning: null,
    bulk: input.bulk && result.bulk ? bulkRunSummary(input.bulk, result.bulk) : null,
  };
  return {
    summary,
    iterationLabels,
    snapshot: last!,
    layout: null,
    geneIds: [...input.geneIds],
    imputed: await toBlobTiles(result.imputed),
    graph: result.graph,
    manifest,
    bulk: result.bulk ? { profiles: result.bulk.deconvolution.profiles, weights: result.bulk.weights } : null,
  };
}

/** The selected input with the bulk matrix matched to its genes; too few shared genes is a 'bad-bulk' error. */
function preparedWithBulk(dataset: LoadedDataset, params: ScgnnParams, bulk: BulkMatrix): PreparedInput {
  try {
    return withBulk(prepareInput(dataset, params), dataset, bulk, params);
  } catch (e) {
    throw bulkInputError(e, bulk.name);
  }
}

/** What the page shows of a run's bulk deconvolution. */
function bulkRunSummary(input: BulkInput, result: BulkResult): BulkRunSummary {
  const d = result.deconvolution;
  return {
    fileName: input.matrix.name,
    sampleIds: [...d.sampleIds],
    nClusters: d.nClusters,
    proportions: Float64Array.from(d.proportions),
    nGenes: input.match.nScGenes,
    matchedGenes: input.match.scIndex.length,
    looseMatches: input.match.looseMatches,
    losses: { ...d.losses },
    steps: { ...d.steps },
  };
}

/** The imputed matrix of a finished run, read by tiles. */
export function imputedTiles(run: FinishedRun): TiledMatrix {
  return 'kind' in run.imputed && run.imputed.kind === 'blob-tiles'
    ? blobTileReader(run.imputed)
    : asTiles(run.imputed as DenseMatrix);
}

/**
 * Marker genes (raw input and imputed) and the heatmap data of a finished run. `dataset` must be the one the
 * run used: the selected input is rebuilt from it with the run's parameters (deterministic, no tensors).
 */
export async function analyseRun(
  dataset: LoadedDataset,
  run: FinishedRun,
  checkpoint: () => Promise<void>,
  onProgress?: (fraction: number) => void,
): Promise<AnalysisResults> {
  const { input } = prepareInput(dataset, run.summary.params);
  if (input.raw.nRows !== run.summary.nCells || input.raw.nCols !== run.geneIds.length)
    throw new RangeError('The loaded dataset no longer matches the results.');
  const labels = run.snapshot.labels;
  const nClusters = run.summary.nClusters;
  // ln(1 + s_i · count) as tiles (log1pDense's values, read row block by row block from the counts): the
  // marker test reads them a column block at a time, so no cells x genes matrix is held.
  const normalised = await toBlobTiles(log1pRows(input.raw, librarySizeFactors(input.raw)));
  const report = (offset: number) => (f: number) => onProgress?.(offset + f / 2);
  const raw = await findMarkers(blobTileReader(normalised), labels, run.geneIds, {
    nClusters,
    checkpoint,
    onProgress: report(0),
  });
  const tiles = imputedTiles(run);
  const imputed = await findMarkers(tiles, labels, run.geneIds, {
    nClusters,
    checkpoint,
    onProgress: report(0.5),
  });
  // The heatmap's few genes only, as whole columns: ln(1 + count) from the counts, the imputed from the tiles.
  const genes = heatmapGenes({ markers: raw });
  const before = csrColumns(input.raw, genes, (_, v) => Math.log1p(v));
  const after = await heatmapColumns(tiles, genes);
  const heatmap = heatmapData(before, after, labels, run.geneIds, { geneIndices: genes });
  return { raw, imputed, heatmap };
}

/**
 * The raw counts of the cells and genes a run used, rebuilt from `dataset` with the run's parameters
 * (deterministic, no tensors), for an `.h5ad` whose X holds the counts.
 */
export function selectedCounts(dataset: LoadedDataset, run: FinishedRun): CsrMatrix {
  const { selected } = prepareInput(dataset, run.summary.params);
  if (selected.matrix.nRows !== run.summary.nCells || selected.matrix.nCols !== run.geneIds.length)
    throw new RangeError('The loaded dataset no longer matches the results.');
  return selected.matrix;
}

const EXPORT_NAMES: Record<ExportKind, string> = {
  ...OUTPUT_FILES,
  umap: 'umap.csv',
  markers: 'markers.csv',
  'bulk-proportions': BULK_OUTPUT_FILES.bulkProportions,
  'bulk-profiles': BULK_OUTPUT_FILES.bulkProfiles,
  'bulk-weights': BULK_OUTPUT_FILES.bulkWeights,
};

/**
 * Write one output of a finished run into a Blob. `markers` writes the marker table through `writeMarkers`
 * (computed on demand by the caller); an `.h5ad` with raw counts as X takes them from `rawCounts` (rebuilt by
 * the caller from the loaded dataset).
 */
export async function exportRun(
  run: FinishedRun,
  kind: ExportKind,
  options: ExportOptions = {},
  writeMarkers?: (sink: TextSink) => Promise<void>,
  rawCounts?: () => CsrMatrix,
): Promise<ExportedFile> {
  const cellIds = run.summary.cellIds;
  const name = EXPORT_NAMES[kind];
  if (kind === 'manifest') {
    const blob = new Blob([JSON.stringify(run.manifest, null, 2) + '\n'], { type: 'application/json' });
    return { name, blob };
  }
  if (kind === 'h5ad') {
    const s = run.snapshot;
    const content = runH5adContent(
      {
        cellIds,
        geneIds: run.geneIds,
        imputed: imputedTiles(run),
        ...(rawCounts ? { rawCounts } : {}),
        clusters: s.labels,
        nClusters: run.summary.nClusters,
        truth: run.summary.truth,
        embedding: { rows: s.nCells, cols: s.dims, data: s.embedding },
        umap: run.layout,
        graph: run.graph,
        manifest: run.manifest,
      },
      options.x ?? 'imputed',
    );
    // Each part goes into the Blob (the browser's blob storage) as it is read, so the worker never holds the
    // file twice.
    let blob = new Blob([], { type: 'application/x-hdf5' });
    await writeH5ad(content, (part) => {
      blob = new Blob([blob, part], { type: 'application/x-hdf5' });
    });
    return { name, blob };
  }
  const sink = blobSink();
  const s = run.snapshot;
  switch (kind) {
    case 'imputed':
      await writeMatrixCsv(sink, imputedTiles(run), cellIds, run.geneIds, options.layout ?? 'genes-x-cells');
      break;
    case 'embedding':
      await writeEmbeddingCsv(sink, { rows: s.nCells, cols: s.dims, data: s.embedding }, cellIds);
      break;
    case 'graph':
      await writeEdgeListCsv(sink, run.graph, cellIds);
      break;
    case 'labels':
      await writeLabelsCsv(sink, s.labels, cellIds);
      break;
    case 'umap':
      if (!run.layout) throw new RangeError('The UMAP layout has not been computed yet.');
      await writeLayoutCsv(sink, run.layout, cellIds);
      break;
    case 'markers':
      if (!writeMarkers) throw new RangeError('Marker genes are not available.');
      await writeMarkers(sink);
      break;
    case 'bulk-proportions':
    case 'bulk-profiles':
    case 'bulk-weights': {
      const b = run.summary.bulk;
      if (!b || !run.bulk) throw new RangeError('This run was not given a bulk RNA-seq matrix.');
      if (kind === 'bulk-proportions') await writeBulkProportionsCsv(sink, b);
      else if (kind === 'bulk-profiles')
        await writeBulkProfilesCsv(sink, run.bulk.profiles, b.nClusters, run.geneIds);
      else await writeBulkWeightsCsv(sink, run.bulk.weights, run.geneIds);
      break;
    }
  }
  return { name, blob: sink.blob() };
}
