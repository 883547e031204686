/**
 * Training settings per compute class (compute-profile.ts): the CPU class keeps the parameters as given; the
 * GPU class adds batch growth (max 256 cells, at least 32 steps per epoch) to the feature and cluster
 * autoencoders wherever neither a batch size nor a learning rate was set.
 */
import { describe, expect, it } from 'vitest';
import { withParams } from './params.ts';
import { gpuGrowBatch, paramsForCompute, probeBatchSize } from './compute-profile.ts';

describe('compute profile (compute-profile.ts)', () => {
  it('probes 256 cells per step on a GPU and the default mini-batch (32) on a CPU', () => {
    expect(gpuGrowBatch).toEqual({ maxBatch: 256, minStepsPerEpoch: 32 });
    expect(probeBatchSize('gpu')).toBe(256);
    expect(probeBatchSize('cpu')).toBe(32);
  });

  it('leaves CPU parameters as given', () => {
    const cpu = paramsForCompute({ seed: 5 }, 'cpu');
    expect(cpu).toEqual(withParams({ seed: 5 }));
    expect(cpu.featureAe.pretrain.growBatch).toBeUndefined();
  });

  it('grows GPU batches only where the user set neither batch size nor learning rate', () => {
    const gpu = paramsForCompute({}, 'gpu');
    expect(gpu.featureAe.pretrain.growBatch).toEqual(gpuGrowBatch);
    expect(gpu.featureAe.iteration.growBatch).toEqual(gpuGrowBatch);
    expect(gpu.clusterAe.growBatch).toEqual(gpuGrowBatch);
    expect(gpu.featureAe.pretrain.batchSize).toBe(32); // the base stays; growth is applied per dataset

    const pinned = paramsForCompute(
      { featureAe: { pretrain: { batchSize: 64 }, iteration: { learningRate: 1e-3 } } },
      'gpu',
    );
    expect(pinned.featureAe.pretrain.growBatch).toBeUndefined();
    expect(pinned.featureAe.pretrain.batchSize).toBe(64);
    expect(pinned.featureAe.iteration.growBatch).toBeUndefined();
    expect(pinned.featureAe.iteration.learningRate).toBe(1e-3);
    expect(pinned.clusterAe.growBatch).toEqual(gpuGrowBatch);
  });
});
