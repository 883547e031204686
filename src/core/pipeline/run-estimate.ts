/**
 * The memory and time of a run, estimated before it starts, so the page can state its limits up front and
 * refuse a run that would not fit in the browser (issue 12). Pure arithmetic: no tensors, no browser APIs
 * (the page passes what the browser reports to `memoryLimit`).
 *
 * The estimate is a model calibrated on measured runs, not a measurement of this run. The figures it is
 * calibrated on (README, section "Scale"; docs/decisions/scale-memory.md) come from the CLI (`npm run
 * bench:memory`: Node, tsx, TensorFlow.js's WASM backend on one thread) on the project's 2-core machine with
 * another run on the second core, on synthetic sets of 2,000 genes, 12 types, seed 1 (`make:synthetic`; about
 * 140 non-zeros per cell, 1,377-1,388 genes kept by the default preprocessing), default parameters:
 *
 * | cells   | genes kept | peak resident memory (MB)          | seconds (WASM)                   |
 * | ------- | ---------- | ---------------------------------- | -------------------------------- |
 * | 10,000  | 1,388      | 714 (epochs cut to 2 / 1 / 1)      | -                                |
 * | 30,000  | 1,377      | 1,069 (full default run)           | 1,188 (per stage: `CALIBRATION`) |
 * | 100,000 | -          | ≥ 1,891 (stopped after 69 minutes) | > 4,100                          |
 *
 * The 30,000-cell run's seconds per stage: LTMG 102, feature AE 699, graph 57, cluster 115, cluster AEs 190,
 * impute 25 (3 iterations).
 *
 * Memory: a fixed part (the runtime, the WASM heap's largest kNN block) plus the models (genes x hidden
 * weights per autoencoder), plus what the run holds for each cell: the loaded counts and two copies of the kept
 * counts as CSR (8 bytes per non-zero: float32 value + int32 index), the imputed output (4 bytes per kept gene,
 * still dense), the LTMG states (1 byte per kept gene), the embedding (latent float32, twice: the run's and the
 * page's snapshot), the kNN and SNN graphs (8 bytes per edge, both directions) and small per-cell arrays (ids,
 * labels, size factors). The sum of those per-cell items is multiplied by `HEAP_OVERHEAD`, which with `BASE_MB`
 * is fitted so the model passes through the 10,000- and 30,000-cell peaks (the resident set also holds
 * garbage not yet collected and transient copies: V8 collects late when memory is plentiful). That gives about
 * 18 MB per 1,000 cells at 1,400 genes and 2.3 GB at 100,000 cells, above the unfinished run's 1,891 MB so far.
 * MB here are MiB (2^20 bytes), as the CLI reports them. The page's worker was not measured at these sizes:
 * the CLI's figures stand in for it.
 *
 * Time: each stage's measured seconds at 30,000 cells, scaled by how its work grows. The training stages by
 * the cell passes they make (`effectiveEpochs` x cells: above 10,000 cells the training budget cuts the epochs
 * to 10,000 / N, so their time is about flat above 10,000 cells), the kept genes and the hidden width; LTMG and
 * the imputation by cells x genes; the graph and clustering stages by cells² (their exact kNN searches are
 * O(N²): the likely cost of the unfinished 100,000-cell run); every per-iteration stage by the maximum number
 * of iterations (the run may stop earlier). The seconds were measured on a shared machine: they are an order of
 * magnitude, not a promise, and at 100,000 cells the model's 52 minutes (1,377 genes) is below the 69
 * minutes the one measured run had taken when stopped. Other backends: `TENSOR_SPEEDUP` (the tensor stages
 * only; LTMG and the imputation run in JavaScript on any backend).
 */
import { neighbourCount } from '../graph/prune.ts';
import { effectiveEpochs, type TrainParams } from '../nn/train.ts';
import { MIN_GENES } from './session.ts';
import { scgnnDefaults, type ScgnnParams } from './params.ts';
import type { StageName } from './context.ts';

/** What a run works on: the cells and genes preprocessing keeps. */
export interface RunSize {
  readonly cells: number;
  readonly genes: number;
  /** Non-zeros of the kept cells x genes; unknown: the calibration sets' `CALIBRATION.nnzPerCell` per cell. */
  readonly nnz?: number;
  /** Non-zeros of the loaded matrix, held beside the run; unknown: `nnz`. */
  readonly loadedNnz?: number;
}

export interface EstimateOptions {
  /** TensorFlow.js backend: 'wasm', 'cpu', 'webgl' or 'webgpu'. */
  readonly backend: string;
  /**
   * How many times faster than WASM this backend runs the tensor stages, where it was measured (the page
   * passes the ratio of the engine's probe times); unset: `TENSOR_SPEEDUP` for the backend.
   */
  readonly tensorSpeedup?: number;
  /** Memory a run may use (MB); unset: `DEFAULT_LIMIT_MB`. See `memoryLimit`. */
  readonly limitMb?: number;
  /** How the limit was found, in words, for the message (e.g. "this browser reports 4 GB of memory"). */
  readonly limitBasis?: string;
}

/** The stages the time estimate covers. */
export type EstimatedStage = Extract<
  StageName,
  'ltmg' | 'feature-ae' | 'graph' | 'cluster' | 'cluster-ae' | 'impute'
>;

export interface RunEstimate {
  readonly cells: number;
  readonly genes: number;
  readonly backend: string;
  /** Peak memory of the run (MB), and its parts. */
  readonly peakMemoryMb: number;
  readonly memory: { readonly baseMb: number; readonly modelsMb: number; readonly cellsMb: number };
  /** Seconds of the whole run on `backend`, and per stage (stages the run skips are absent). */
  readonly seconds: number;
  readonly perStage: Partial<Record<EstimatedStage, number>>;
  /** Whether the time on this backend rests on a measurement or on the stated assumption `TENSOR_SPEEDUP`. */
  readonly speedBasis: 'measured' | 'assumed';
  /** Parts of the run that the time leaves out (no measurement), in words. */
  readonly notCounted: string[];
  /** Memory the run may use (MB), and whether the estimate is within it. */
  readonly limitMb: number;
  readonly fits: boolean;
  /** Why it does not fit, with the figures (empty when it fits). */
  readonly reasons: string[];
  /** What to change so that it fits (empty when it fits). */
  readonly suggestions: string[];
  /** Most cells that fit with these genes, and most genes that fit with these cells (0: none). */
  readonly maxCells: number;
  readonly maxGenes: number;
}

const MiB = 1024 * 1024;

/** The runs the model is calibrated on (see the file's doc comment). */
export const CALIBRATION = {
  /** Non-zeros per cell of the synthetic sets (4,209,101 at 30,000 cells x 2,000 genes). */
  nnzPerCell: 140,
  /** Peak resident memory (MB) of the CLI. */
  peaks: [
    { cells: 10_000, genes: 1_388, peakMb: 714 },
    { cells: 30_000, genes: 1_377, peakMb: 1_069 },
  ],
  /** The 100,000-cell run, stopped unfinished: its peak so far (a lower bound) and its minutes so far. */
  unfinished: { cells: 100_000, genes: 2_000, peakMbAtLeast: 1_891, secondsAtLeast: 4_100 },
  /** Seconds per stage of the full default run at 30,000 cells, 1,377 genes kept, on WASM (3 iterations). */
  time: {
    cells: 30_000,
    genes: 1_377,
    iterations: 3,
    seconds: { ltmg: 102, 'feature-ae': 699, graph: 57, cluster: 115, 'cluster-ae': 190, impute: 25 },
  },
} as const;

/**
 * Fixed memory (MB): Node, tsx and the WASM backend (about 350 MB, docs/decisions/scale-memory.md), the WASM
 * heap grown to the largest kNN block and the code. Fitted with `HEAP_OVERHEAD` on `CALIBRATION.peaks`.
 */
export const BASE_MB = 450;
/** Resident bytes per byte of the per-cell arrays the model counts (garbage, transient copies). Fitted. */
export const HEAP_OVERHEAD = 1.55;
/** Copies of the kept counts held as CSR: the selected counts and X's ln(1 + count) for the imputation. */
const KEPT_CSR_COPIES = 2;
/** Bytes per CSR non-zero (float32 value + int32 column index) and per row (uint32 pointer). */
const CSR_BYTES_PER_NNZ = 8;
const CSR_BYTES_PER_ROW = 4;
/** Copies of the embedding: the run's and the snapshot the page draws. */
const EMBEDDING_COPIES = 2;
/** Bytes per graph edge (int32 neighbour + float32 weight); both graphs are held in both directions. */
const GRAPH_BYTES_PER_EDGE = 8;
/** Cell ids, labels, size factors, cluster assignments, layout positions. */
const SMALL_BYTES_PER_CELL = 256;
/**
 * Per gene and hidden unit, an autoencoder holds 2 float32 weights (the first and last layers); the feature AE
 * 4 copies of them while it trains (weights, gradients, Adam's two moments), and the cluster AEs' models live
 * together until the feature AE has learnt from them: `CLUSTER_MODELS_HELD` of them (the synthetic sets'
 * 12 types). About 86 MB at 1,377 genes.
 */
const FEATURE_AE_COPIES = 4;
const CLUSTER_MODELS_HELD = 12;

/**
 * How many times faster than WASM each backend runs the tensor stages (feature and cluster AEs, the kNN
 * searches of the graph and clustering stages) when no measurement on this computer is given.
 * - cpu: the pure-JavaScript backend ran the same work 25-40x slower than WASM in every measurement here
 *   (README, "backend choice"): 1/30.
 * - webgpu, webgl: ASSUMED, not measured: no GPU was available to this project's sessions (README, "GPU
 *   figures"). 4x is a stated guess for a hardware GPU; a software GPU is far slower, which the page's probe
 *   ratio catches.
 */
export const TENSOR_SPEEDUP: Readonly<Record<string, number>> = { wasm: 1, cpu: 1 / 30, webgpu: 4, webgl: 4 };

/**
 * Refusal thresholds. A run is refused when its estimated peak exceeds the limit, the smallest of:
 * - `BROWSER_TAB_CAP_MB`: a tab commonly gets about 4 GB of JavaScript heap, and a WASM heap is 32-bit (4
 *   GB at most; TensorFlow.js's WASM backend effectively less, but it holds only the tensors, one block at a
 *   time);
 * - `DEVICE_MEMORY_SHARE` of `navigator.deviceMemory` where the browser reports it (GB, rounded down and capped
 *   at 8 by browsers): the system, the browser and other tabs need the rest;
 * - `performance.memory.jsHeapSizeLimit` where the browser reports it (Chromium);
 * and `DEFAULT_LIMIT_MB` when the browser reports neither (Firefox, Safari): conservative, since it cannot be
 * checked; the page's "run anyway" is there for larger computers.
 */
export const BROWSER_TAB_CAP_MB = 4096;
export const DEVICE_MEMORY_SHARE = 0.5;
export const DEFAULT_LIMIT_MB = 2048;
/** Runs estimated longer than this get a note (not a refusal): keep the tab open, or use the command line. */
export const LONG_RUN_SECONDS = 2 * 3600;

/** The command-line run the suggestions name (src/cli/scgnn.ts, `run`). */
export const CLI_RUN_COMMAND = 'npm run scgnn -- run <input> --out <folder>';

export interface MemoryEnvironment {
  /** `navigator.deviceMemory` (GB), where the browser reports it. */
  readonly deviceMemoryGb?: number | null;
  /** `performance.memory.jsHeapSizeLimit` (bytes), where the browser reports it (Chromium). */
  readonly jsHeapSizeLimitBytes?: number | null;
}

/** The memory a run may use in this browser (MB), and what it rests on, in words. */
export function memoryLimit(env: MemoryEnvironment): { limitMb: number; basis: string } {
  const device = positive(env.deviceMemoryGb);
  const heap = positive(env.jsHeapSizeLimitBytes);
  if (device === null && heap === null)
    return {
      limitMb: DEFAULT_LIMIT_MB,
      basis:
        'this browser does not report its memory, so a page is assumed to get ' +
        formatMemory(DEFAULT_LIMIT_MB),
    };
  const caps: { mb: number; basis: string }[] = [
    { mb: BROWSER_TAB_CAP_MB, basis: `a browser tab gets at most about ${formatMemory(BROWSER_TAB_CAP_MB)}` },
  ];
  if (device !== null)
    caps.push({
      mb: device * 1024 * DEVICE_MEMORY_SHARE,
      basis:
        `this computer reports ${+device.toFixed(2)} GB of memory` +
        (device >= 8 ? ' (browsers report at most 8)' : '') +
        `, and a page should use at most ${DEVICE_MEMORY_SHARE * 100} % of it`,
    });
  if (heap !== null)
    caps.push({ mb: heap / MiB, basis: `this browser allows a page ${formatMemory(heap / MiB)} of memory` });
  const least = caps.reduce((a, b) => (b.mb < a.mb ? b : a));
  return { limitMb: Math.floor(least.mb), basis: least.basis };
}

const positive = (v: number | null | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;

/** Estimated peak memory (MB) of a run of `size` with `params`, and its parts. */
export function estimateMemory(size: RunSize, params: ScgnnParams = scgnnDefaults): RunEstimate['memory'] {
  const { cells, genes } = size;
  const nnz = size.nnz ?? CALIBRATION.nnzPerCell * cells;
  const loadedNnz = size.loadedNnz ?? nnz;
  const perCellBytes =
    // counts: the loaded matrix and the kept copies
    (loadedNnz * CSR_BYTES_PER_NNZ) / cells +
    CSR_BYTES_PER_ROW +
    KEPT_CSR_COPIES * ((nnz * CSR_BYTES_PER_NNZ) / cells + CSR_BYTES_PER_ROW) +
    (params.impute.enabled ? 4 * genes : 0) +
    (params.ltmg.enabled ? genes : 0) +
    EMBEDDING_COPIES * 4 * params.featureAe.latent +
    2 *
      (neighbourCount(params.graph.kRule, params.graph.k, params.graph.kFraction, cells) +
        params.cluster.snnK) *
      GRAPH_BYTES_PER_EDGE +
    SMALL_BYTES_PER_CELL;
  const models = FEATURE_AE_COPIES + (params.clusterAe.enabled ? CLUSTER_MODELS_HELD : 0);
  const modelBytes = genes * params.featureAe.hidden * 2 * 4 * models;
  return {
    baseMb: BASE_MB,
    modelsMb: modelBytes / MiB,
    cellsMb: (cells > 0 ? cells * perCellBytes * HEAP_OVERHEAD : 0) / MiB,
  };
}

/** Cell passes of one training phase over `n` cells (`effectiveEpochs` x n). */
const passes = (t: Pick<TrainParams, 'epochs' | 'budgetCells'>, n: number): number =>
  effectiveEpochs(t, n) * n;

/** Estimated seconds per stage on WASM, before any backend's speed-up (stages the run skips are absent). */
export function estimateStageSeconds(
  size: Pick<RunSize, 'cells' | 'genes'>,
  params: ScgnnParams = scgnnDefaults,
): Partial<Record<EstimatedStage, number>> {
  const cal = CALIBRATION.time;
  const d = scgnnDefaults;
  const { cells: n, genes: g } = size;
  const linear = (n / cal.cells) * (g / cal.genes);
  const quadratic = (n / cal.cells) ** 2;
  const iterations = params.iterations.max / cal.iterations;
  const width = params.featureAe.hidden / d.featureAe.hidden;
  const featurePasses = (p: ScgnnParams, cells: number): number =>
    passes(p.featureAe.pretrain, cells) + p.iterations.max * passes(p.featureAe.iteration, cells);
  const featureRate = cal.seconds['feature-ae'] / featurePasses(d, cal.cells);
  const out: Partial<Record<EstimatedStage, number>> = {};
  if (params.ltmg.enabled) out.ltmg = cal.seconds.ltmg * linear;
  out['feature-ae'] = featureRate * featurePasses(params, n) * (g / cal.genes) * width;
  out.graph = cal.seconds.graph * quadratic * iterations * (params.featureAe.latent / d.featureAe.latent);
  out.cluster = cal.seconds.cluster * quadratic * iterations;
  if (params.clusterAe.enabled) {
    const rate = cal.seconds['cluster-ae'] / (d.iterations.max * passes(d.clusterAe, cal.cells));
    out['cluster-ae'] = rate * params.iterations.max * passes(params.clusterAe, n) * (g / cal.genes) * width;
  }
  if (params.impute.enabled)
    // The 'scgnn1' mode trains an autoencoder: costed like the feature AE's passes; the others like the
    // measured zero-inflated imputation.
    out.impute =
      params.impute.mode === 'scgnn1'
        ? featureRate * passes(params.impute.train, n) * (g / cal.genes) * width
        : cal.seconds.impute * linear;
  return out;
}

/** Stages computed with tensors (sped up on a GPU); LTMG and the imputation run in JavaScript. */
const TENSOR_STAGES: ReadonlySet<EstimatedStage> = new Set(['feature-ae', 'graph', 'cluster', 'cluster-ae']);

/**
 * The estimate of a run of `size` with `params` on `options.backend`: peak memory, seconds, and whether it fits
 * within `options.limitMb`; when it does not, the reasons (with the figures) and what to change.
 */
export function estimateRun(
  size: RunSize,
  params: ScgnnParams = scgnnDefaults,
  options: EstimateOptions = { backend: 'wasm' },
): RunEstimate {
  const memory = estimateMemory(size, params);
  const peakMemoryMb = memory.baseMb + memory.modelsMb + memory.cellsMb;
  const measured = positive(options.tensorSpeedup);
  const speedup = measured ?? TENSOR_SPEEDUP[options.backend] ?? 1;
  const wasm = estimateStageSeconds(size, params);
  const perStage: Partial<Record<EstimatedStage, number>> = {};
  for (const [stage, s] of Object.entries(wasm) as [EstimatedStage, number][])
    perStage[stage] = TENSOR_STAGES.has(stage) ? s / speedup : s;
  const seconds = Object.values(perStage).reduce((a, b) => a + b, 0);
  const notCounted: string[] = [];
  if (params.graphAe.enabled) notCounted.push('the graph autoencoder (not measured at scale)');
  const limitMb = options.limitMb ?? DEFAULT_LIMIT_MB;
  const fits = peakMemoryMb <= limitMb;
  const peakAt = (cells: number, genes: number): number => {
    // Fewer cells or genes: the non-zeros taken as the same per cell (an upper bound where genes are cut).
    const perCell = size.cells > 0 ? 1 / size.cells : 0;
    const m = estimateMemory(
      {
        cells,
        genes,
        ...(size.nnz !== undefined ? { nnz: size.nnz * perCell * cells } : {}),
        ...(size.loadedNnz !== undefined ? { loadedNnz: size.loadedNnz * perCell * cells } : {}),
      },
      params,
    );
    return m.baseMb + m.modelsMb + m.cellsMb;
  };
  const maxCells = largestFitting(size.cells, (c) => peakAt(c, size.genes) <= limitMb);
  const maxGenes = largestFitting(size.genes, (g) => peakAt(size.cells, g) <= limitMb);
  const reasons: string[] = [];
  const suggestions: string[] = [];
  if (!fits) {
    const basis = options.limitBasis ? ` (${options.limitBasis})` : '';
    reasons.push(
      `a run on ${count(size.cells, 'cell')} and ${count(size.genes, 'gene')} needs about ` +
        `${formatMemory(peakMemoryMb)} of memory, more than the ${formatMemory(limitMb)} it may use ` +
        `here${basis}`,
    );
    if (maxGenes >= MIN_GENES)
      suggestions.push(
        `keep at most ${maxGenes.toLocaleString('en-US')} genes (now ${size.genes.toLocaleString('en-US')}: ` +
          `"Number of top variable genes" in Preprocessing)`,
      );
    if (maxCells >= 2)
      suggestions.push(
        `load a subset of at most ${maxCells.toLocaleString('en-US')} of the ` +
          `${size.cells.toLocaleString('en-US')} cells`,
      );
    suggestions.push(
      `run it with the command line on a computer with more memory (${CLI_RUN_COMMAND} in a copy of this ` +
        'project: the same method and results, without the browser limit)',
    );
  }
  return {
    cells: size.cells,
    genes: size.genes,
    backend: options.backend,
    peakMemoryMb,
    memory,
    seconds,
    perStage,
    speedBasis:
      measured !== null || options.backend === 'wasm' || options.backend === 'cpu' ? 'measured' : 'assumed',
    notCounted,
    limitMb,
    fits,
    reasons,
    suggestions,
    maxCells,
    maxGenes,
  };
}

/** The largest x in [0, upTo] with fits(x) (fits is monotone: true up to some point), 0 when none. */
function largestFitting(upTo: number, fits: (x: number) => boolean): number {
  if (upTo < 1 || !fits(1)) return 0;
  if (fits(upTo)) return upTo;
  let lo = 1; // fits
  let hi = upTo; // does not fit
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Memory for a reader: "710 MB" (to 10 MB) below 1,000 MB, else "1.1 GB" (GB here are 1,024 MB). */
export function formatMemory(mb: number): string {
  if (mb < 1000) return `${Math.max(10, Math.round(mb / 10) * 10)} MB`;
  return `${+(mb / 1024).toFixed(1)} GB`;
}

/** A duration for a reader: "under a minute", "20 minutes", "1 hour 40 minutes", "5 hours". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return count(minutes, 'minute');
  // Above 5 hours, whole hours; below, to 10 minutes.
  if (minutes >= 300) return count(Math.round(minutes / 60), 'hour');
  const tens = Math.round(minutes / 10) * 10;
  const h = Math.floor(tens / 60);
  const m = tens % 60;
  return m === 0 ? count(h, 'hour') : `${count(h, 'hour')} ${count(m, 'minute')}`;
}

const count = (n: number, what: string): string =>
  `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
