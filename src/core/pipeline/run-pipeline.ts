/**
 * The scGNN method as one readable script of stage calls (scGNN 1.0 as the paper intends, with the reference
 * code's bugs fixed; reference note §1.1). With the defaults (params.ts):
 *
 *   X = log1p(library-size normalised counts)        cells x genes ('none': log1p(counts), the reference)
 *   LTMG states of the raw counts                    per-entry weights of the feature AE loss
 *   feature AE on X (LTMG-regularised)               z: cells x 128, recon
 *   repeat, at most 3 times (EM iterations):
 *     kNN graph of z, pruned (mean + std)            the cell graph
 *     [graph AE on z and the graph]                  off by default: z itself is clustered
 *     cluster (SNN-Louvain picks k, then k-means)    labels, on z scaled to unit length
 *     stop when successive clusterings agree         label-free (ARI between iterations, graph change)
 *     one autoencoder per cluster on recon           recon' (each cell by its own cluster's model)
 *     feature AE further trained on recon'           new z, recon
 *   imputation on the final cell graph + kNN of X    each entry: zero-inflated NB posterior, neighbourhood prior
 *   [bulk RNA-seq given: deconvolution, blending]    scGNN 2.0: the cluster AEs' output of each iteration that
 *                                                    continues, then the imputation, blended gene by gene with
 *                                                    their bulk-corrected versions (stages/bulk.ts)
 *
 * The last iteration stops after clustering (no cluster AEs). Other imputation modes: 'graph' (each zero: the
 * gene's level among detecting neighbours, observed kept), 'scgnn1', the
 * imputation AE from the initial weights with graph (degree) and cell-type (cluster size) weights (the
 * reference); 'closed-loop', scGNN 2.0's last cluster-AE reconstruction. Ground-truth labels never enter this
 * function. Decisions behind the defaults: docs/decisions/ (listed in params.ts). Each step is a stage function
 * in stages/ (input, feature-ae, iteration, impute) of the shape (inputs, params, run) => Promise<output>;
 * run-context.ts times them and routes their events.
 */
import type { CellGraph } from '../graph/cell-graph.ts';
import type { LtmgOutput } from '../ltmg/ltmg.ts';
import type { DenseMatrix } from '../matrix/dense.ts';
import type { RowMatrix } from '../matrix/rows.ts';
import { disposeAutoencoder, snapshot } from '../nn/autoencoder.ts';
import { reconRows } from '../nn/model-rows.ts';
import type { StageContext, StageName } from './context.ts';
import { validateParams, type ScgnnParams } from './params.ts';
import { createRunContext, type RunOptions, type TrainingRecord } from './run-context.ts';
import { featureAutoencoder, newFeatureAutoencoder } from './stages/feature-ae.ts';
import { bulkImputation, type BulkModel, type BulkResult } from './stages/bulk.ts';
import { imputedRows } from './stages/impute.ts';
import { ltmgStates, modelInput, type ScgnnInput } from './stages/input.ts';
import { emIterations, type IterationRecord } from './stages/iteration.ts';

export type { RunOptions, TrainingRecord } from './run-context.ts';
export type { BulkInput, ScgnnInput } from './stages/input.ts';
export type { BulkResult } from './stages/bulk.ts';
export type { IterationRecord, IterationSnapshot } from './stages/iteration.ts';
export { imputationCellWeights } from './stages/impute.ts';

export interface ScgnnResult {
  readonly ltmg: LtmgOutput | null;
  /** Feature autoencoder bottleneck, cells x latent. */
  readonly featureEmbedding: DenseMatrix;
  /** The embedding that was clustered (graph AE output, or the feature embedding without graph AE). */
  readonly embedding: DenseMatrix;
  /** The final cell graph (pruned kNN of the feature embedding, symmetric). */
  readonly graph: CellGraph;
  readonly labels: Int32Array;
  readonly nClusters: number;
  /**
   * Imputed expression, cells x genes, ln(1 + count): rows read on demand (the default mode makes each row
   * when read, so nothing cells x genes is held until asked), or `dense()` for the whole matrix.
   */
  readonly imputed: RowMatrix;
  readonly history: IterationRecord[];
  readonly converged: boolean;
  /** Every model trained, in order, with its first and last loss (to compare runs and backends). */
  readonly training: TrainingRecord[];
  /** Seconds per stage (summed over iterations). */
  readonly stageSeconds: Partial<Record<StageName, number>>;
  /**
   * With a bulk matrix (ScgnnInput.bulk): its deconvolution with the final clusters (proportions per sample,
   * per-type profiles), the per-gene blending weights and the gene match. `imputed` is then the blended one.
   */
  readonly bulk?: BulkResult;
}

export async function runScgnn(
  input: ScgnnInput,
  params: ScgnnParams,
  outer: StageContext,
  options: RunOptions = {},
): Promise<ScgnnResult> {
  const problems = validateParams(params);
  if (problems.length) throw new RangeError(`Invalid parameters: ${problems.join('; ')}`);
  const run = createRunContext(outer, options);
  const model = modelInput(input, params);
  const { x, scale } = model;
  const ltmg = await ltmgStates(input, params, run);
  const ae = newFeatureAutoencoder(x.cols, params, run);
  const initial = await snapshot(ae);
  try {
    const bulkModel: BulkModel | undefined = input.bulk
      ? { raw: input.raw, scale, x, bulk: input.bulk }
      : undefined;
    const pretrained = await featureAutoencoder({ ae, x, ltmg }, params, run);
    const em = await emIterations(
      { model: { ae, x, ...(bulkModel ? { bulk: bulkModel } : {}) }, start: pretrained },
      params,
      run,
    );
    const { graph, labels } = em;
    const scImputed = await imputedRows(
      { ae, initial, x: model.sparse(), scale, recon: reconRows(ae, x, outer.tf), graph, labels },
      params,
      run,
    );
    const blended = bulkModel
      ? await bulkImputation(
          { model: bulkModel, imputed: scImputed, labels, nClusters: em.nClusters, geneIds: input.geneIds },
          params,
          run,
        )
      : null;
    const imputed = blended ? blended.imputed : scImputed;
    return {
      ...(blended ? { bulk: blended.bulk } : {}),
      ltmg,
      featureEmbedding: em.z,
      embedding: em.embedding,
      graph,
      labels,
      nClusters: em.nClusters,
      imputed,
      history: [...em.history],
      converged: em.converged,
      training: run.training,
      stageSeconds: run.stageSeconds,
    };
  } finally {
    disposeAutoencoder(ae);
  }
}
