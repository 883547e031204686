/** The model input (log1p of the selected counts, optionally library-size scaled) and its LTMG states. */
import type { BulkGeneMatch, BulkMatrix } from '../../bulk/types.ts';
import { runLtmg, type LtmgOutput } from '../../ltmg/ltmg.ts';
import type { CsrMatrix } from '../../matrix/csr.ts';
import type { DenseMatrix } from '../../matrix/dense.ts';
import { log1pRows, type RowSource } from '../../matrix/rows.ts';
import { librarySizeFactors, log1pCsr, log1pDense } from '../../preprocess/normalise.ts';
import type { ScgnnParams } from '../params.ts';
import type { RunContext } from '../run-context.ts';

/** A bulk matrix and where its genes are among the run's genes (stages/bulk.ts `matchBulkInput`). */
export interface BulkInput {
  readonly matrix: BulkMatrix;
  readonly match: BulkGeneMatch;
}

/** The selected raw counts (cells x genes) the method runs on, with their ids. */
export interface ScgnnInput {
  readonly raw: CsrMatrix;
  readonly cellIds: readonly string[];
  readonly geneIds: readonly string[];
  /** Bulk RNA-seq of the same tissue (optional; scGNN 2.0's deconvolution and blending, stages/bulk.ts). */
  readonly bulk?: BulkInput;
}

export interface ModelInput {
  /**
   * ln(1 + s_i · count), cells x genes, as rows computed from the sparse counts when read: the autoencoders
   * build each batch from it, so no dense copy of X is held while they train.
   */
  readonly x: RowSource;
  /** The per-cell factors s_i ('library-size'); none for 'none'. */
  readonly scale: Float64Array | undefined;
  /** X's non-zeros as a CSR matrix (the counts' pattern, log1p values), made on each call. */
  sparse(): CsrMatrix;
  /** X as one dense matrix, made on each call (for experiments that need it whole). */
  dense(): DenseMatrix;
}

/** X = ln(1 + s_i · count) with the configured scaling (no events: it takes milliseconds). */
export function modelInput(input: ScgnnInput, params: ScgnnParams): ModelInput {
  const scale = params.normalize === 'library-size' ? librarySizeFactors(input.raw) : undefined;
  return {
    x: log1pRows(input.raw, scale),
    scale,
    sparse: () => log1pCsr(input.raw, scale),
    dense: () => log1pDense(input.raw, scale),
  };
}

/** LTMG states of the raw counts (per-entry weights of the feature AE loss), or null when disabled. */
export async function ltmgStates(
  input: ScgnnInput,
  params: ScgnnParams,
  run: RunContext,
): Promise<LtmgOutput | null> {
  if (!params.ltmg.enabled) return null;
  return run.timed('ltmg', 'LTMG: expression states per gene', () =>
    runLtmg(input.raw, params.ltmg, run.stageCtx('ltmg', 'ltmg')),
  );
}
