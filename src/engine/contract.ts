/**
 * The one typed API between the page and the engine worker (exposed with Comlink in workers/engine.worker.ts).
 *
 * The worker owns the loaded data; the page receives compact summaries only. Files cross as `File` handles
 * (structured clone of a Blob shares the bytes, it does not copy them). Expected failures (bad input) are
 * returned as `{ ok: false, error }` values so their code survives the worker boundary; anything thrown is
 * a bug.
 */
import type { DatasetFormat, Orientation } from '../core/dataset.ts';
import type { PreprocessParams, PreprocessSummary } from '../core/preprocess/preprocess.ts';
import type { InputErrorCode } from '../io/errors.ts';
import type { InputFile } from '../io/input-file.ts';
import type { LoadProgress } from '../io/load-types.ts';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';

export interface BackendInfo {
  /** Backend in use. */
  readonly name: BackendName;
  /** What was asked for ('auto' = WebGPU, else WebGL, else CPU). */
  readonly requested: BackendRequest;
  /** GPU adapter description for WebGPU (e.g. "google / swiftshader"), else null. */
  readonly adapter: string | null;
  /** Backends tried before the one in use, with why each failed. */
  readonly fallbacks: { readonly name: BackendName; readonly reason: string }[];
  /** Milliseconds of the warm-up computation (compiles kernels, checks results). */
  readonly warmupMs: number;
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

export interface EngineError {
  readonly code: InputErrorCode | 'internal';
  readonly message: string;
}

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EngineError };

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
  /** Re-interpret a delimited file's rows and columns (genes x cells vs cells x genes). */
  setOrientation(orientation: Orientation): Promise<Result<DatasetSummary>>;
  /** What preprocessing keeps with these parameters (no tensors involved). */
  preflight(params: PreprocessParams): Promise<Result<PreprocessSummary>>;
  /** The dataset currently loaded, if any. */
  currentDataset(): Promise<DatasetSummary | null>;
}
