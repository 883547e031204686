/**
 * The memory and time of a run, estimated before it starts, so the page can state its limits up front and
 * refuse a run that would not fit in the browser (issue 12). Pure arithmetic: no tensors, no browser APIs
 * (the page passes what the browser reports to `memoryLimit`).
 *
 * The estimate is a model calibrated on measured runs, not a measurement of this run. The figures it is
 * calibrated on (README, section "Scale") come from the CLI (`npm run bench:memory`, commit f303d29: Node, tsx,
 * TensorFlow.js's WASM backend on one thread) on the project's 2-core machine, on synthetic sets of 2,000 genes,
 * 12 types, seed 1 (`make:synthetic`; about 140 non-zeros per cell, 1,377-1,388 genes kept by the default
 * preprocessing), default parameters (3 iterations each):
 *
 * | cells  | genes kept | peak resident memory (MB) | seconds (WASM) |
 * | ------ | ---------- | ------------------------- | -------------- |
 * | 10,000 | 1,388      | 622                       | 898 *          |
 * | 30,000 | 1,377      | 910                       | 1,009          |
 * | 99,999 | 1,379      | 1,883                     | 2,161          |
 *
 * (* other jobs shared the machine for most of that run; the other two ran alone.) Seconds per stage:
 * `CALIBRATION.time`.
 *
 * Memory: a fixed part (the runtime, the WASM heap's largest kNN block) plus the models (genes x hidden
 * weights per autoencoder), plus what the run holds for each cell: the loaded counts and two copies of the kept
 * counts as CSR (8 bytes per non-zero: float32 value + int32 index), the LTMG states (1 byte per non-zero), the
 * embedding (latent float32, twice: the run's and the page's snapshot), the kNN and SNN graphs (8 bytes per
 * edge, both directions) with Louvain's graphology copy of them, and small per-cell arrays (ids, labels, size
 * factors). The imputed matrix is never held whole (its rows are made when read; the page keeps it in tiles
 * outside the JavaScript heap). The per-cell sum is multiplied by `HEAP_OVERHEAD`, which with `BASE_MB` is
 * fitted on the 30,000- and 100,000-cell peaks (the resident set also holds garbage not yet collected and
 * transient copies); the 10,000-cell peak is then within 2 %. That is about 14 MB per 1,000 cells at 1,400
 * genes, flat from 10,000 to 100,000 cells. MB here are MiB (2^20 bytes), as the CLI reports them. The page's
 * worker was not measured at these sizes: the CLI's figures stand in for it.
 *
 * Time: the training stages by the cell passes they make (`effectiveEpochs` x cells: above 10,000 cells the
 * training budget cuts the epochs to 10,000 / N, so their time is about flat above 10,000 cells), the kept
 * genes and the hidden width, at the 30,000-cell run's rate; LTMG, the graph, the clustering and the imputation
 * by log-log interpolation between the measured runs (their costs are not one power of the cells: the kNN is
 * exact and O(N^2) up to 25,000 cells and NN-descent above; the clustering grows as about cells^1.9 between
 * 30,000 and 100,000 cells, where Louvain finds more communities), beyond them by the nearest segment's power;
 * LTMG and the imputation also by the genes; every per-iteration stage by the maximum number of iterations (the
 * run may stop earlier). The seconds are an order of magnitude on this machine, not a promise. Other backends:
 * `TENSOR_SPEEDUP` (the tensor stages only; LTMG and the imputation run in JavaScript on any backend).
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
  /** Peak resident memory (MB) of the CLI (`npm run bench:memory`, commit f303d29). */
  peaks: [
    { cells: 10_000, genes: 1_388, peakMb: 622 },
    { cells: 30_000, genes: 1_377, peakMb: 910 },
    { cells: 99_999, genes: 1_379, peakMb: 1_883 },
  ],
  /**
   * Seconds per stage of the same runs on WASM (3 iterations each). The 10,000-cell run shared the machine
   * with other jobs for most of its time (its seconds are high); the other two ran alone. The clustering's
   * seconds at 30,000 and 100,000 cells are from after Louvain's resolution was capped at 1
   * (clustering-resolution-size.md): the CLI at 30,000 cells, the page (WASM, 2 threads; the clustering itself
   * is plain JavaScript) at 100,000 (`npm run bench:browser -- --synthetic 100000`).
   */
  time: {
    genes: 1_380,
    iterations: 3,
    /** The run whose training seconds give the rate per cell pass. */
    training: { cells: 30_000, 'feature-ae': 597, 'cluster-ae': 209 },
    /** Stages interpolated between the runs (log-log): their cost is not a simple power of the cells. */
    points: [
      { cells: 10_000, ltmg: 40, graph: 4, cluster: 22, impute: 8 },
      { cells: 30_000, ltmg: 94, graph: 21, cluster: 74, impute: 17 },
      { cells: 99_999, ltmg: 123, graph: 79, cluster: 226, impute: 59 },
    ],
  },
} as const;

type InterpolatedStage = 'ltmg' | 'graph' | 'cluster' | 'impute';

/**
 * A stage's measured seconds at n cells: log-log interpolation between the measured runs, and beyond them the
 * nearest segment's power of the cells (e.g. the clustering grows as cells^1.9 between 30,000 and 100,000).
 */
function interpolated(stage: InterpolatedStage, n: number): number {
  const pts = CALIBRATION.time.points;
  if (n <= 0) return 0;
  let i = 0;
  while (i < pts.length - 2 && n > pts[i + 1]!.cells) i++;
  const lo = pts[i]!;
  const hi = pts[i + 1]!;
  const p = Math.log(hi[stage] / lo[stage]) / Math.log(hi.cells / lo.cells);
  return lo[stage] * (n / lo.cells) ** p;
}

/**
 * Fixed memory (MB): Node, tsx and the WASM backend (about 350 MB, docs/decisions/scale-memory.md), the WASM
 * heap grown to the largest kNN block and the code. Fitted with `HEAP_OVERHEAD` on `CALIBRATION.peaks`.
 */
export const BASE_MB = 407;
/** Resident bytes per byte of the per-cell arrays the model counts (garbage, transient copies). Fitted. */
export const HEAP_OVERHEAD = 1.29;
/** Copies of the kept counts held as CSR: the selected counts and X's ln(1 + count) for the imputation. */
const KEPT_CSR_COPIES = 2;
/** Bytes per CSR non-zero (float32 value + int32 column index) and per row (uint32 pointer). */
const CSR_BYTES_PER_NNZ = 8;
const CSR_BYTES_PER_ROW = 4;
/** Copies of the embedding: the run's and the snapshot the page draws. */
const EMBEDDING_COPIES = 2;
/** Bytes per graph edge (int32 neighbour + float32 weight); both graphs are held in both directions. */
const GRAPH_BYTES_PER_EDGE = 8;
/**
 * Louvain's graph (graphology: a JS object per node and per edge, both directions): measured at the peak of
 * the clustering stage (README, "Scale"); 200 bytes per neighbour is the order of graphology's cost.
 */
const GRAPHOLOGY_BYTES_PER_EDGE = 200;
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
    // LTMG: one state byte per non-zero of the kept counts
    (params.ltmg.enabled ? nnz / cells : 0) +
    EMBEDDING_COPIES * 4 * params.featureAe.latent +
    (neighbourCount(params.graph.kRule, params.graph.k, params.graph.kFraction, cells) +
      params.cluster.snnK) *
      (2 * GRAPH_BYTES_PER_EDGE + GRAPHOLOGY_BYTES_PER_EDGE) +
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
  const genes = g / cal.genes;
  const iterations = params.iterations.max / cal.iterations;
  const width = params.featureAe.hidden / d.featureAe.hidden;
  const featurePasses = (p: ScgnnParams, cells: number): number =>
    passes(p.featureAe.pretrain, cells) + p.iterations.max * passes(p.featureAe.iteration, cells);
  const featureRate = cal.training['feature-ae'] / featurePasses(d, cal.training.cells);
  const out: Partial<Record<EstimatedStage, number>> = {};
  if (params.ltmg.enabled) out.ltmg = interpolated('ltmg', n) * genes;
  out['feature-ae'] = featureRate * featurePasses(params, n) * genes * width;
  out.graph = interpolated('graph', n) * iterations * (params.featureAe.latent / d.featureAe.latent);
  out.cluster = interpolated('cluster', n) * iterations;
  if (params.clusterAe.enabled) {
    const rate = cal.training['cluster-ae'] / (d.iterations.max * passes(d.clusterAe, cal.training.cells));
    out['cluster-ae'] = rate * params.iterations.max * passes(params.clusterAe, n) * genes * width;
  }
  if (params.impute.enabled)
    // The 'scgnn1' mode trains an autoencoder: costed like the feature AE's passes; the others like the
    // measured zero-inflated imputation.
    out.impute =
      params.impute.mode === 'scgnn1'
        ? featureRate * passes(params.impute.train, n) * genes * width
        : interpolated('impute', n) * genes;
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
