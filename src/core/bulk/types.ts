/**
 * Bulk RNA-seq integration (scGNN 2.0, reference note §2.4; issue 13): the types shared by the parser, the
 * deconvolution, the blending, the pipeline stage, the CLI and the page. The functions live beside this file:
 *
 *   bulk-matrix.ts   parseBulkMatrix(text, name) -> BulkMatrix       genes x samples CSV/TSV (gz handled by io)
 *                    matchBulkGenes(bulk, scGeneIds, opts) -> BulkGeneMatch   (throws BulkInputError if too few)
 *   deconvolve.ts    deconvolve(input, params, ctx) -> Deconvolution  the four optimisations, tfjs, loss events
 *   blend.ts         bulkBlendedRows(...) -> RowSource                 the blended estimate, row by row
 *
 * Spaces: the single-cell model space is X = ln(1 + s_i · count) (stages/input.ts). The deconvolution works in
 * linear space (a bulk sample is a sum of cells' counts, so mixtures are linear in counts, not in logs).
 */
import type { CsrMatrix } from '../matrix/csr.ts';

/** A bulk expression matrix as read: genes x samples, row-major (values[g * samples + s]), non-negative. */
export interface BulkMatrix {
  readonly name: string;
  readonly geneIds: readonly string[];
  readonly sampleIds: readonly string[];
  readonly values: Float64Array;
}

/** Which single-cell genes the bulk matrix also has (by name), and where. */
export interface BulkGeneMatch {
  /** For each matched gene: its column in the single-cell input (ascending). */
  readonly scIndex: Int32Array;
  /** ... and its row in the bulk matrix (same order as scIndex). */
  readonly bulkIndex: Int32Array;
  readonly nScGenes: number;
  readonly nBulkGenes: number;
  /** How many matched only after ignoring case / an Ensembl version suffix (".12"). */
  readonly looseMatches: number;
}

/** Bulk input that cannot be used (bad file, no numbers, too small an overlap): a message for a person. */
export class BulkInputError extends Error {
  override readonly name = 'BulkInputError';
}

export interface BulkParams {
  /** Least number of matched genes (and least fraction of the single-cell genes) to accept a bulk matrix. */
  readonly minGenes: number;
  readonly minGeneFraction: number;
  /** Opt 1, cell-type proportions (reference: Adam lr 1e-3, <= 5000 steps, eps 1e-4, prior weight 1e-2). */
  readonly proportions: OptimiserParams & { readonly priorWeight: number };
  /** Opt 2, per-type profiles (reference: lr 1e-1, <= 500 steps, eps 1e-4, regularisation 1e-2). */
  readonly profiles: OptimiserParams & { readonly regularisation: number };
  /** Opt 4, gene-wise scale t >= 1 (reference: lr 1e-2, 20 steps). */
  readonly geneScale: OptimiserParams;
  /** Blend the bulk-informed estimate into the cluster-AE targets of each iteration (scGNN 2.0's feedback). */
  readonly feedback: boolean;
  /** Cells read to estimate the per-gene blending weights (a fixed, evenly spaced subset above this). */
  readonly blendSampleCells: number;
}

export interface OptimiserParams {
  readonly learningRate: number;
  readonly maxSteps: number;
  /** Stop when the loss's relative change over 10 steps is below this. */
  readonly tolerance: number;
}

/** What the deconvolution reads. Labels are the run's clusters 0..nClusters-1 (never ground truth). */
export interface DeconvolutionInput {
  /** The selected raw counts, cells x genes (CSR, as ScgnnInput.raw). */
  readonly raw: CsrMatrix;
  /** Per-cell factors s_i of the model space, or undefined (s_i = 1). */
  readonly scale: Float64Array | undefined;
  readonly labels: Int32Array;
  readonly nClusters: number;
  readonly bulk: BulkMatrix;
  readonly match: BulkGeneMatch;
}

export interface Deconvolution {
  readonly sampleIds: readonly string[];
  readonly nClusters: number;
  /** samples x clusters, each row sums to 1, entries >= 0. */
  readonly proportions: Float64Array;
  /**
   * Per-type profiles after opt 2 and opt 4, clusters x (single-cell genes), as mean s_i · count per cell
   * (the model space's linear scale; genes without a bulk match keep the single-cell mean).
   */
  readonly profiles: Float64Array;
  /** The single-cell profiles before the bulk (same layout), i.e. each cluster's mean s_i · count. */
  readonly scProfiles: Float64Array;
  /** Opt 4's gene-wise scale over the single-cell genes (1 where unmatched). */
  readonly geneScale: Float64Array;
  /** Final loss of each optimisation (the curves went out as `loss` events, stage 'bulk'). */
  readonly losses: PerOptimisation<number>;
  readonly steps: PerOptimisation<number>;
}

/** One value per optimisation of the deconvolution (opt 3 is closed-form and has none). */
export interface PerOptimisation<T> {
  readonly proportions: T;
  readonly profiles: T;
  readonly geneScale: T;
}
