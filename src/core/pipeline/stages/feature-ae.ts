/**
 * The feature autoencoder stages: its pre-training on X (LTMG-regularised), and per EM iteration the cluster
 * autoencoders on its reconstruction followed by its further training on their output.
 */
import type { LtmgOutput } from '../../ltmg/ltmg.ts';
import type { DenseMatrix } from '../../matrix/dense.ts';
import type { MatrixRows } from '../../matrix/rows.ts';
import { createAutoencoder, disposeAutoencoder, type Autoencoder } from '../../nn/autoencoder.ts';
import { perClusterReconRows, type TrainRows } from '../../nn/model-rows.ts';
import { embedRows, trainAutoencoder, trainClusterModels } from '../../nn/train.ts';
import type { StageContext } from '../context.ts';
import type { ScgnnParams } from '../params.ts';
import type { RunContext } from '../run-context.ts';

/**
 * The feature AE's bottleneck of X (cells x latent). Its reconstruction (cells x genes) is not kept: whatever
 * learns it reads it a batch at a time from the model (nn/model-rows.ts `reconRows`).
 */
export interface Embedded {
  readonly z: DenseMatrix;
}

/** z of X, read a batch at a time (nothing cells x genes held). */
async function embed(ae: Autoencoder, x: MatrixRows, run: RunContext, ctx: StageContext): Promise<Embedded> {
  return { z: (await embedRows(ae, x, run.ctx.tf, { ctx })).z };
}

/** A fresh feature autoencoder for `nGenes` inputs (random stream 'feature-ae-init'). */
export function newFeatureAutoencoder(nGenes: number, params: ScgnnParams, run: RunContext): Autoencoder {
  const shape = { nGenes, hidden: params.featureAe.hidden, latent: params.featureAe.latent };
  return createAutoencoder(shape, run.ctx.tf, run.ctx.rng.fork('feature-ae-init'), {
    latentActivation: params.featureAe.latentActivation,
    latentBiasInit: params.featureAe.latentBiasInit,
  });
}

/** Pre-training of the feature AE on X (with the LTMG states as entry weights), then z of X. */
export async function featureAutoencoder(
  { ae, x, ltmg }: { readonly ae: Autoencoder; readonly x: MatrixRows; readonly ltmg: LtmgOutput | null },
  params: ScgnnParams,
  run: RunContext,
): Promise<Embedded> {
  const trainInput = { x, ...(ltmg ? { entryWeights: ltmg.states } : {}) };
  // Without LTMG states the pre-training loss is the plain SSE (v1 `noregu`).
  const pretrain = ltmg
    ? params.featureAe.pretrain
    : { ...params.featureAe.pretrain, mseWeight: 1, ltmgWeight: 0 };
  return run.timed('feature-ae', 'Feature autoencoder', async () => {
    await trainAutoencoder(
      ae,
      trainInput,
      pretrain,
      run.stageCtx('feature-ae', 'feature-ae', [0, 0.95]),
      'feature-ae',
    );
    return embed(ae, x, run, run.stageCtx('feature-ae-embed', 'feature-ae', [0.95, 1]));
  });
}

/** The cluster autoencoders' output, read a batch at a time; `dispose` frees the models behind it. */
export interface ClusterTargets {
  readonly target: TrainRows;
  dispose(): void;
}

/**
 * One autoencoder per cluster on the current reconstruction `recon` (the pipeline gives the feature AE's
 * reconstruction of X, computed per batch from a frozen copy): each cell by its own cluster's model. The
 * result is the models' output as rows computed per batch (nothing cells x genes stored), valid until
 * `dispose`; without cluster AEs it is `recon` itself. With `clusterAe.observedWeight` > 0 the scGNN 2.0 term
 * ‖(x − x̂)[x ≠ 0]‖₂ (reference note §2.2) fits the non-zeros of `observed`, the model input X (v2's
 * `x_dropout`), while the cluster AE's input and SSE target stay the reconstruction.
 */
export async function clusterAutoencoders(
  {
    ae,
    recon,
    observed,
    labels,
    nClusters,
    iteration,
  }: {
    readonly ae: Autoencoder;
    readonly recon: TrainRows;
    /** The model input X: the observed term's target (used only when clusterAe.observedWeight > 0). */
    readonly observed?: MatrixRows;
    readonly labels: Int32Array;
    readonly nClusters: number;
    readonly iteration: number;
  },
  params: ScgnnParams,
  run: RunContext,
): Promise<ClusterTargets> {
  if (!params.clusterAe.enabled) return { target: recon, dispose: () => {} };
  const models = await run.timed(
    'cluster-ae',
    `Cluster autoencoders (${nClusters})`,
    () =>
      trainClusterModels(
        ae,
        { x: recon, ...(observed && (params.clusterAe.observedWeight ?? 0) > 0 && { observed }) },
        labels,
        params.clusterAe,
        run.stageCtx(`cluster-ae-${iteration}`, 'cluster-ae'),
        { keep: true },
      ),
    iteration,
  );
  return {
    target: perClusterReconRows(models, labels, recon, run.ctx.tf),
    dispose: () => models.forEach(disposeAutoencoder),
  };
}

/** The feature AE trained further on `target` (the cluster autoencoders' output), then z of X. */
export async function retrainFeatureAutoencoder(
  {
    ae,
    x,
    target,
    iteration,
  }: {
    readonly ae: Autoencoder;
    readonly x: MatrixRows;
    readonly target: TrainRows;
    readonly iteration: number;
  },
  params: ScgnnParams,
  run: RunContext,
): Promise<Embedded> {
  return run.timed(
    'feature-ae',
    'Feature autoencoder (on the cluster reconstruction)',
    async () => {
      await trainAutoencoder(
        ae,
        { x: target },
        params.featureAe.iteration,
        run.stageCtx(`feature-ae-${iteration}`, 'feature-ae', [0, 0.9]),
        'feature-ae',
      );
      return embed(ae, x, run, run.stageCtx(`embed-${iteration}`, 'feature-ae', [0.9, 1]));
    },
    iteration,
  );
}
