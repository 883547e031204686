/**
 * Training settings per compute class. A CPU (WASM, pure JS, or a GPU emulated in software) pays for the
 * arithmetic, so mini-batches of 32 cells cost no more per epoch than large ones and converge in fewer
 * epochs. A GPU pays per kernel dispatch and per read back to the host, and a step of 32 cells leaves it
 * almost idle: there the autoencoders grow their batches with the data (`TrainParams.growBatch`: up to 256
 * cells, while keeping at least 32 steps per epoch, the learning rate scaled by √(B/32)), so a small dataset
 * trains exactly as on a CPU and a large one in 8x fewer, fuller steps.
 *
 * The profile only fills in what the user (or the preset) did not set: an explicit batch size or learning
 * rate always wins. The run manifest records the parameters used.
 */
import type { GrowBatch } from '../nn/train.ts';
import { withParams, type ScgnnParams, type ScgnnParamsOverride } from './params.ts';

export type ComputeClass = 'gpu' | 'cpu';

/** How the GPU profile grows the autoencoders' batches. */
export const gpuGrowBatch: GrowBatch = { maxBatch: 256, minStepsPerEpoch: 32 };

/** Cells per feature-autoencoder step that the probe times for a backend of this class. */
export function probeBatchSize(cls: ComputeClass): number {
  return cls === 'gpu' ? gpuGrowBatch.maxBatch : withParams({}).featureAe.pretrain.batchSize;
}

/**
 * The parameters of a run on a backend of class `cls`: `overrides` over the defaults, plus (GPU class) batch
 * growth for the feature and cluster autoencoders wherever `overrides` sets neither batch size nor learning
 * rate for them.
 */
export function paramsForCompute(overrides: ScgnnParamsOverride, cls: ComputeClass): ScgnnParams {
  const params = withParams(overrides);
  if (cls === 'cpu') return params;
  const grow = (given: { batchSize?: number; learningRate?: number } | undefined) =>
    given?.batchSize === undefined && given?.learningRate === undefined ? { growBatch: gpuGrowBatch } : {};
  return withParams(
    {
      featureAe: {
        pretrain: grow(overrides.featureAe?.pretrain),
        iteration: grow(overrides.featureAe?.iteration),
      },
      clusterAe: grow(overrides.clusterAe),
    },
    params,
  );
}
