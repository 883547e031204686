/**
 * The bulk RNA-seq stage (scGNN 2.0, reference note §2.4; issue 13): given a bulk matrix (genes x samples)
 * whose genes were matched to the run's genes, deconvolve it with the run's clusters (cell-type proportions per
 * sample, per-type profiles, a gene-wise scale; src/core/bulk/deconvolve.ts), then blend the single-cell
 * estimate with its bulk-corrected version, gene by gene, with weights in [0, 1] (src/core/bulk/blend.ts):
 *
 *   each EM iteration that continues   the cluster autoencoders' output is blended before the feature AE
 *                                      learns it (scGNN 2.0 feeds the blended matrix back; `bulk.feedback`)
 *   after the final clustering         the imputed matrix is blended: that is the run's imputed output
 *
 * Both blends happen in the model space X = ln(1 + s_i · count), where the deconvolution's profiles live and
 * where the weights are estimated against X itself. Everything is read row by row: nothing cells x genes is
 * held.
 */
import { blendWeights, bulkBlendedRows } from '../../bulk/blend.ts';
import { matchBulkGenes } from '../../bulk/bulk-matrix.ts';
import { deconvolve } from '../../bulk/deconvolve.ts';
import type { BulkGeneMatch, BulkMatrix, Deconvolution } from '../../bulk/types.ts';
import type { BulkInput } from './input.ts';
import { BulkInputError } from '../../bulk/types.ts';
import type { CsrMatrix } from '../../matrix/csr.ts';
import { denseMatrix } from '../../matrix/dense.ts';
import { asRows, rowRange, type MatrixRows, type RowMatrix, type RowSource } from '../../matrix/rows.ts';
import { batchTensor, type TrainRows } from '../../nn/model-rows.ts';
import type { Tf } from '../context.ts';
import { unscaleLog1pRow } from '../../preprocess/normalise.ts';
import type { ScgnnParams } from '../params.ts';
import type { RunContext } from '../run-context.ts';

export type { BulkInput };

/** What the bulk stage reads besides the labels: the counts, X's scale factors and X, and the bulk input. */
export interface BulkModel {
  readonly raw: CsrMatrix;
  /** s_i of X = ln(1 + s_i · count); undefined: s_i = 1. */
  readonly scale: Float64Array | undefined;
  /** X, the model input: what the blending weights are estimated against. */
  readonly x: MatrixRows;
  readonly bulk: BulkInput;
}

/** The bulk part of a run's result (ScgnnResult.bulk). */
export interface BulkResult {
  /** The deconvolution with the final clusters. */
  readonly deconvolution: Deconvolution;
  /** Per gene of the run, the weight of the single-cell estimate in the blend, in [0, 1]. */
  readonly weights: Float64Array;
  readonly match: BulkGeneMatch;
  /** The run's genes (the columns of the profiles and of the weights). */
  readonly geneIds: string[];
}

/**
 * Match a bulk matrix's genes to the run's genes. The names tried are the run's gene ids and, where the dataset
 * has them (10x features), its gene symbols: whichever matches more genes. Too small an overlap (bulk.minGenes,
 * bulk.minGeneFraction) is a BulkInputError naming the counts.
 */
export function matchBulkInput(
  matrix: BulkMatrix,
  genes: { readonly ids: readonly string[]; readonly symbols?: readonly (string | undefined)[] },
  params: ScgnnParams,
): BulkInput {
  const names = bestNames(matrix, genes);
  const { minGenes, minGeneFraction } = params.bulk;
  return { matrix, match: matchBulkGenes(matrix, names, { minGenes, minGeneFraction }) };
}

function bestNames(
  matrix: BulkMatrix,
  genes: { readonly ids: readonly string[]; readonly symbols?: readonly (string | undefined)[] },
): readonly string[] {
  if (!genes.symbols) return genes.ids;
  const symbols = genes.symbols.map((s, j) => s || genes.ids[j]!);
  const matched = (names: readonly string[]): number => {
    try {
      return matchBulkGenes(matrix, names, { minGenes: 1, minGeneFraction: 0 }).scIndex.length;
    } catch (e) {
      if (e instanceof BulkInputError) return 0;
      throw e;
    }
  };
  return matched(symbols) > matched(genes.ids) ? symbols : genes.ids;
}

/** The deconvolution of the bulk matrix with these clusters (stage 'bulk', its loss curves as events). */
export async function bulkDeconvolution(
  {
    model,
    labels,
    nClusters,
    iteration,
  }: {
    readonly model: BulkModel;
    readonly labels: Int32Array;
    readonly nClusters: number;
    /** The EM iteration whose clusters these are; undefined for the final clustering. */
    readonly iteration?: number;
  },
  params: ScgnnParams,
  run: RunContext,
): Promise<Deconvolution> {
  const { matrix, match } = model.bulk;
  return deconvolve(
    { raw: model.raw, scale: model.scale, labels, nClusters, bulk: matrix, match },
    params.bulk,
    run.stageCtx(`bulk-${iteration ?? 'final'}`, 'bulk', [0, 0.95]),
  );
}

/** The deconvolution and the blending weights of `estimate` (timed as stage 'bulk'). */
async function deconvolveAndWeigh(
  {
    model,
    estimate,
    labels,
    nClusters,
    iteration,
  }: {
    readonly model: BulkModel;
    readonly estimate: RowSource;
    readonly labels: Int32Array;
    readonly nClusters: number;
    readonly iteration?: number;
  },
  params: ScgnnParams,
  run: RunContext,
): Promise<{ deconvolution: Deconvolution; weights: Float64Array }> {
  const { matrix } = model.bulk;
  const label =
    `Bulk deconvolution (${matrix.sampleIds.length} sample${matrix.sampleIds.length === 1 ? '' : 's'}, ` +
    `${nClusters} clusters)${iteration === undefined ? ' and blending of the imputation' : ''}`;
  return run.timed(
    'bulk',
    label,
    async () => {
      const deconvolution = await bulkDeconvolution({ model, labels, nClusters, iteration }, params, run);
      const weights = blendWeights({
        estimate,
        observed: asRows(model.x),
        labels,
        deconv: deconvolution,
        sampleCells: params.bulk.blendSampleCells,
      });
      return { deconvolution, weights };
    },
    iteration,
  );
}

/**
 * scGNN 2.0's feedback in an EM iteration that continues: the cluster autoencoders' output `target` blended
 * with its bulk-corrected version under the deconvolution with this iteration's clusters. The feature AE then
 * learns the blended rows. `target` as it is when `bulk.feedback` is off.
 */
export async function bulkFeedback(
  {
    model,
    target,
    labels,
    nClusters,
    iteration,
  }: {
    readonly model: BulkModel;
    readonly target: TrainRows;
    readonly labels: Int32Array;
    readonly nClusters: number;
    readonly iteration: number;
  },
  params: ScgnnParams,
  run: RunContext,
): Promise<TrainRows> {
  if (!params.bulk.feedback) return target;
  const estimate = hostRows(target, run.ctx.tf);
  const { deconvolution, weights } = await deconvolveAndWeigh(
    { model, estimate, labels, nClusters, iteration },
    params,
    run,
  );
  return bulkBlendedRows(estimate, labels, deconvolution, weights);
}

/**
 * After the final clustering: the imputed matrix (ln(1 + count), the run's output scale) blended with its
 * bulk-corrected version under the deconvolution with the final clusters. The blend is made in the model space
 * (each row scaled by s_i, blended, and scaled back), rows made when read.
 */
export async function bulkImputation(
  {
    model,
    imputed,
    labels,
    nClusters,
    geneIds,
  }: {
    readonly model: BulkModel;
    readonly imputed: RowMatrix;
    readonly labels: Int32Array;
    readonly nClusters: number;
    readonly geneIds: readonly string[];
  },
  params: ScgnnParams,
  run: RunContext,
): Promise<{ imputed: RowMatrix; bulk: BulkResult }> {
  const { scale } = model;
  const estimate = scale ? mapRows(imputed, (row, i) => scaleLog1pRow(row, scale[i]!)) : imputed;
  const { deconvolution, weights } = await deconvolveAndWeigh(
    { model, estimate, labels, nClusters },
    params,
    run,
  );
  const blended = bulkBlendedRows(estimate, labels, deconvolution, weights);
  const out = scale ? mapRows(blended, (row, i) => unscaleLog1pRow(row, scale[i]!)) : blended;
  return {
    imputed: withDense(out),
    bulk: { deconvolution, weights, match: model.bulk.match, geneIds: [...geneIds] },
  };
}

/**
 * Rows of any training source as host rows (RowSource). Backend rows (a model's output per batch) are read
 * back synchronously, batch by batch: what the blending needs, as it reads a row's genes on the host.
 */
export function hostRows(m: TrainRows, tf: Tf): RowSource {
  if (!('batch' in m)) return asRows(m);
  return {
    rows: m.rows,
    cols: m.cols,
    read(idx) {
      const t = batchTensor(tf, m, Int32Array.from(idx));
      try {
        return Float32Array.from(t.dataSync());
      } finally {
        t.dispose();
      }
    },
  };
}

/** ln(1 + x) values to ln(1 + s · x), in place (the inverse of normalise.ts `unscaleLog1pRow`). */
export function scaleLog1pRow(row: Float32Array, s: number): void {
  for (let c = 0; c < row.length; c++) row[c] = Math.log1p(Math.expm1(Math.max(0, row[c]!)) * s);
}

/** A row source whose rows are `m`'s with `f(row, i)` applied (each read is a fresh array, mapped in place). */
function mapRows(m: RowSource, f: (row: Float32Array, i: number) => void): RowSource {
  const { rows, cols } = m;
  return {
    rows,
    cols,
    read(idx) {
      const out = m.read(idx);
      for (let k = 0; k < idx.length; k++) f(out.subarray(k * cols, (k + 1) * cols), idx[k]!);
      return out;
    },
  };
}

/** A row source as a RowMatrix (`dense()` reads every row once more). */
function withDense(m: RowSource): RowMatrix {
  return {
    rows: m.rows,
    cols: m.cols,
    read: (idx) => m.read(idx),
    dense: () => denseMatrix(m.rows, m.cols, m.read(rowRange(0, m.rows))),
  };
}
