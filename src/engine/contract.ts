/**
 * The one typed API between the page and the engine worker (exposed with Comlink in workers/engine.worker.ts).
 *
 * The worker owns the loaded data; the page receives compact summaries only. Files cross as `File` handles
 * (structured clone of a Blob shares the bytes, it does not copy them). Expected failures (bad input) are
 * returned as `{ ok: false, error }` values so their code survives the worker boundary; anything thrown is
 * a bug.
 */
import type { EdgeList, Result as SharedResult, WorkerError } from '../contract/common.ts';
import type { Deconvolution } from '../core/bulk/types.ts';
import type { HeatmapData } from '../core/analysis/heatmap.ts';
import type { ClusterMarkers } from '../core/analysis/markers.ts';
import type { DatasetFormat, Orientation } from '../core/dataset.ts';
import type { ProgressEvent } from '../core/pipeline/context.ts';
import type { ScgnnParams, ScgnnParamsOverride } from '../core/pipeline/params.ts';
import type { IterationRecord } from '../core/pipeline/run-pipeline.ts';
import type { LabelEvaluation } from '../core/pipeline/session.ts';
import type { PreprocessParams, PreprocessSummary } from '../core/preprocess/preprocess.ts';
import type { InputErrorCode } from '../io/errors.ts';
import type { H5adX } from '../io/h5ad-writer.ts';
import type { ComputeClass } from '../core/pipeline/compute-profile.ts';
import type { InputFile } from '../io/input-file.ts';
import type { LoadProgress } from '../io/load-types.ts';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';

/**
 * How a backend computes: 'gpu' for a hardware GPU; 'cpu' for the CPU backends and for software GPU adapters
 * (SwiftShader, llvmpipe, any fallback adapter), which run shaders on the CPU.
 */
export type { ComputeClass };

/** One backend the engine considered, and what its probe found. */
export interface BackendCandidate {
  readonly name: BackendName;
  /** null where the backend could not be started. */
  readonly computeClass: ComputeClass | null;
  /** GPU adapter or renderer description (e.g. "google / swiftshader"), else null. */
  readonly adapter: string | null;
  /**
   * Probe score in ms (one training epoch over 1,024 cells at the backend's batch size + one kNN block, see
   * probe.ts); null when it was not timed.
   */
  readonly probeMs: number | null;
  /** chosen; slower (timed, or stopped once it could no longer win); failed; unavailable here. */
  readonly outcome: 'chosen' | 'slower' | 'failed' | 'unavailable';
  /** Why, in words (empty for the chosen one). */
  readonly note: string;
  /** Milliseconds spent starting, checking and timing it. */
  readonly spentMs: number;
}

export interface BackendInfo {
  /** Backend in use. */
  readonly name: BackendName;
  /** What was asked for ('auto' = the fastest by probe). */
  readonly requested: BackendRequest;
  readonly computeClass: ComputeClass;
  /** GPU adapter description for WebGPU / WebGL (e.g. "google / swiftshader"), else null. */
  readonly adapter: string | null;
  /** Every backend considered, in the order they were tried. */
  readonly candidates: readonly BackendCandidate[];
  /** Why this backend is in use, in words. */
  readonly reason: string;
  /** Gene count the probe ran at (re-probed when a dataset's count differs by more than 2x). */
  readonly probeGenes: number;
  /** WASM threads in use (1 = single-threaded), null for other backends. */
  readonly threads: number | null;
  /**
   * Whether the page is cross-origin isolated (SharedArrayBuffer, so WASM may use threads); null outside a
   * browser.
   */
  readonly isolated: boolean | null;
  /** Milliseconds the whole choice took (starting, checking and timing every candidate). */
  readonly selectMs: number;
}

export interface LabelsSummary {
  readonly fileName: string;
  readonly nMatched: number;
  readonly nUnmatched: number;
  readonly classes: string[];
}

export interface DatasetSummary {
  readonly name: string;
  readonly format: DatasetFormat;
  readonly sourceFiles: string[];
  readonly nCells: number;
  readonly nGenes: number;
  /** Stored non-zero entries. */
  readonly nnz: number;
  /** Fraction of entries that are zero (0..1). */
  readonly sparsity: number;
  readonly integerValued: boolean;
  /** For delimited text: the orientation in use and why; null where fixed by the format. */
  readonly orientation: { readonly chosen: Orientation; readonly reason: string } | null;
  readonly warnings: string[];
  readonly labels: LabelsSummary | null;
  /** First few cell and gene ids, for the user to check the orientation. */
  readonly cellIdsPreview: string[];
  readonly geneIdsPreview: string[];
  /** Seconds spent loading. */
  readonly loadSeconds: number;
  /** Bytes held by the sparse matrix. */
  readonly matrixBytes: number;
}

/**
 * A bulk RNA-seq matrix added beside the count matrix (issue 13), as read: its size and how many of the loaded
 * dataset's genes it names. A run matches it again to the genes preprocessing keeps (RunSummary.bulk).
 */
export interface BulkSummary {
  readonly fileName: string;
  readonly nSamples: number;
  /** The first few sample ids. */
  readonly sampleIdsPreview: string[];
  readonly nBulkGenes: number;
  /** Genes of the loaded dataset, and how many of them the bulk matrix has (by name). */
  readonly nDatasetGenes: number;
  readonly matchedGenes: number;
  /** Matches found only after ignoring case or an Ensembl version suffix. */
  readonly looseMatches: number;
}

/** What a run with a bulk matrix found: the overlap with the run's genes and each sample's proportions. */
export interface BulkRunSummary {
  readonly fileName: string;
  readonly sampleIds: string[];
  readonly nClusters: number;
  /** samples x clusters, row-major; each sample's proportions sum to 1 (clusters as in the labels). */
  readonly proportions: Float64Array;
  /** The run's genes, and how many of them the bulk matrix has. */
  readonly nGenes: number;
  readonly matchedGenes: number;
  readonly looseMatches: number;
  /** The final deconvolution's last loss and steps per optimisation. */
  readonly losses: Deconvolution['losses'];
  readonly steps: Deconvolution['steps'];
}

/** Why a run or a request about results could not be served (besides bad input). */
export type EngineErrorCode =
  InputErrorCode | 'internal' | 'no-dataset' | 'no-results' | 'busy' | 'cancelled' | 'bad-params';

export type EngineError = WorkerError<EngineErrorCode>;

/** The engine's results: the shared `Result` (src/contract/common.ts) with the engine's error codes. */
export type Result<T> = SharedResult<T, EngineError>;

export type { EdgeList };

/** The state after one iteration: what the live cell-graph view draws. */
export interface GraphSnapshot {
  readonly iteration: number;
  readonly nCells: number;
  /** Columns of `embedding` (cells x dims, row-major): the embedding that was clustered. */
  readonly dims: number;
  readonly embedding: Float32Array;
  /**
   * The clustering scaled each row of `embedding` to unit length (cluster.embeddingNorm 'l2'), so it compared
   * cells by direction; the layout does the same. Absent in sessions saved before this field existed.
   */
  readonly unitLength?: boolean;
  readonly labels: Int32Array;
  readonly edges: EdgeList;
  /** Ids of the selected cells, in row order. */
  readonly cellIds: string[];
}

/** What a run reports as it goes: the pipeline's progress events, plus a graph snapshot per iteration. */
export type RunEvent =
  | ProgressEvent
  | ({ readonly type: 'snapshot' } & GraphSnapshot)
  /** The backends were probed again for this dataset's gene count (see BackendInfo.probeGenes). */
  | { readonly type: 'backend'; readonly info: BackendInfo };

export interface RunRequest {
  /** Every pipeline parameter not given keeps its default (src/core/pipeline/params.ts). */
  readonly params: ScgnnParamsOverride;
}

export interface RunSummary {
  /** Selected cells and genes the method ran on. */
  readonly nCells: number;
  readonly nGenes: number;
  readonly cellIds: string[];
  readonly nClusters: number;
  readonly converged: boolean;
  readonly history: IterationRecord[];
  readonly clusterSizes: number[];
  /** Seconds per stage, plus 'total'. */
  readonly seconds: Record<string, number>;
  readonly backend: BackendName;
  /** The full parameters the run used (defaults filled in). */
  readonly params: ScgnnParams;
  /** Against the uploaded labels, when there are any: shown as evaluation only, never used by the method. */
  readonly evaluation: LabelEvaluation | null;
  /** Uploaded labels of the selected cells (codes into `classes`, -1 = unlabelled), for the Sankey view. */
  readonly truth: { readonly codes: Int32Array; readonly classes: string[] } | null;
  readonly finishedAt: string;
  /** Set when the results could not be saved for the next visit (e.g. storage quota). */
  readonly persistWarning: string | null;
  /** With a bulk matrix: its deconvolution with the final clusters (absent in sessions saved before it). */
  readonly bulk?: BulkRunSummary | null;
}

/** A finished run as the page needs it to draw every view. */
export interface RunResults {
  readonly summary: RunSummary;
  /** Cluster labels after each iteration, in order. */
  readonly iterationLabels: Int32Array[];
  /** The last iteration's snapshot (embedding, graph, labels). */
  readonly snapshot: GraphSnapshot;
  /** The page's UMAP positions of the final embedding (nCells x 2), once it has sent them. */
  readonly layout: Float32Array | null;
}

export type ExportKind =
  | 'imputed'
  | 'embedding'
  | 'graph'
  | 'labels'
  | 'umap'
  | 'markers'
  | 'manifest'
  | 'h5ad'
  | 'bulk-proportions'
  | 'bulk-profiles'
  | 'bulk-weights';

export interface ExportOptions {
  /** For 'imputed': genes x cells (default, like the reference) or cells x genes. */
  readonly layout?: 'genes-x-cells' | 'cells-x-genes';
  /** For 'h5ad': X holds the imputed values (default, log1p) or the raw counts of the selected cells and genes. */
  readonly x?: H5adX;
}

export interface ExportedFile {
  readonly name: string;
  readonly blob: Blob;
}

/** Marker genes per cluster (on the input and on the imputed values) and the imputation heatmap. */
export interface AnalysisResults {
  /** Wilcoxon rank-sum markers on ln(1 + library-size-normalised counts) of the selected input. */
  readonly raw: ClusterMarkers[];
  /** The same on the imputed values. */
  readonly imputed: ClusterMarkers[];
  /** Cells grouped by cluster x the top marker genes, before (ln(1 + count)) and after imputation. */
  readonly heatmap: HeatmapData;
}

/** What a reload brings back: the dataset, the last run's parameters and its results. */
export interface RestoredSession {
  readonly dataset: DatasetSummary;
  /** The bulk matrix added to it, if any. */
  readonly bulk: BulkSummary | null;
  readonly params: ScgnnParamsOverride | null;
  readonly results: RunResults | null;
}

export interface EngineApi {
  /** Choose and warm up the TensorFlow.js backend. */
  init(backend: BackendRequest): Promise<BackendInfo>;
  /**
   * Load a dataset (plus an optional labels file) from the dropped files. On failure the previously
   * loaded dataset stays loaded.
   */
  loadFiles(
    files: InputFile[],
    options: { orientation: Orientation | 'auto' },
    onProgress?: (p: LoadProgress) => void,
  ): Promise<Result<DatasetSummary>>;
  /**
   * Add a bulk RNA-seq matrix (genes x samples, CSV/TSV, .gz too) to the loaded dataset: read, checked, its
   * genes matched by name. Runs use it until it is removed or another dataset is loaded. A bad file (or too
   * few genes in common) is a 'bad-bulk' error, and the bulk matrix added before, if any, stays.
   */
  loadBulk(file: InputFile): Promise<Result<BulkSummary>>;
  /** Runs no longer use a bulk matrix. */
  clearBulk(): Promise<void>;
  /** Re-interpret a delimited file's rows and columns (genes x cells vs cells x genes). */
  setOrientation(orientation: Orientation): Promise<Result<DatasetSummary>>;
  /** What preprocessing keeps with these parameters (no tensors involved). */
  preflight(params: PreprocessParams): Promise<Result<PreprocessSummary>>;
  /** The dataset currently loaded, if any. */
  currentDataset(): Promise<DatasetSummary | null>;
  /**
   * Run the whole method on the loaded dataset (with its bulk matrix, if one was added). Progress, losses, iterations and per-iteration graph
   * snapshots arrive through `onEvent`. Fails with 'cancelled' after `cancel()`, 'busy' while another run is
   * in progress. The previous results stay until this run finishes.
   */
  run(request: RunRequest, onEvent?: (e: RunEvent) => void): Promise<Result<RunSummary>>;
  /** Stop the run in progress at its next checkpoint (well under a second). */
  cancel(): Promise<void>;
  /** The last finished run, if any. */
  results(): Promise<RunResults | null>;
  /** Keep the page's UMAP layout of the final embedding (for the UMAP export and the next visit). */
  setLayout(positions: Float32Array): Promise<Result<null>>;
  /** Marker genes and the imputation heatmap of the last run (computed on first request, then kept). */
  analysis(onProgress?: (fraction: number) => void): Promise<Result<AnalysisResults>>;
  /** One output file of the last run, written in chunks into a Blob (never one big string). */
  exportFile(kind: ExportKind, options?: ExportOptions): Promise<Result<ExportedFile>>;
  /**
   * Bring back the dataset, parameters and results saved by an earlier visit (null if none, or if a dataset
   * is already loaded: a restore never replaces what the user loaded).
   */
  restore(): Promise<Result<RestoredSession> | null>;
  /** Delete the saved dataset and results from this browser, and unload them. */
  forget(): Promise<void>;
}
