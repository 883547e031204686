/**
 * The feature autoencoder stages on a synthetic input: 36 cells x 12 genes in three groups, each expressing
 * its own four genes at log1p(10..14), all else 0. Expected values: shapes from the parameters, event order
 * from the stage code, and that training lowers the loss (last < first) on this easy input.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { G, groups, N, truth } from './test-groups.ts';
import { csrFromDense } from '../../matrix/csr.ts';
import { denseMatrix } from '../../matrix/dense.ts';
import { disposeAutoencoder } from '../../nn/autoencoder.ts';
import { embedAndReconstruct } from '../../nn/train.ts';
import { createRng } from '../../rng.ts';
import { createContext, type ProgressEvent } from '../context.ts';
import { withParams } from '../params.ts';
import { createRunContext } from '../run-context.ts';
import {
  clusterAutoencoders,
  featureAutoencoder,
  newFeatureAutoencoder,
  retrainFeatureAutoencoder,
} from './feature-ae.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const params = withParams({
  featureAe: {
    hidden: 8,
    latent: 4,
    pretrain: { epochs: 30, batchSize: N, learningRate: 1e-2 },
    iteration: { epochs: 3, batchSize: N },
  },
  clusterAe: { epochs: 2, batchSize: N },
});

function setup(seed = 1) {
  const events: ProgressEvent[] = [];
  const run = createRunContext(createContext(tf, createRng(seed), (e) => events.push(e)));
  return { events, run };
}

const stageEvents = (events: ProgressEvent[]) =>
  events
    .filter((e) => e.type === 'stage-start' || e.type === 'stage-end')
    .map((e) => `${e.type} ${e.stage}${e.iteration !== undefined ? ` ${e.iteration}` : ''}`);

describe('newFeatureAutoencoder', () => {
  it('has the configured shape and the same weights for the same seed', async () => {
    const a = newFeatureAutoencoder(G, params, setup(5).run);
    const b = newFeatureAutoencoder(G, params, setup(5).run);
    const c = newFeatureAutoencoder(G, params, setup(6).run);
    try {
      expect(a.variables.map((v) => v.shape)).toEqual([
        [12, 8],
        [8],
        [8, 4],
        [4],
        [4, 8],
        [8],
        [8, 12],
        [12],
      ]);
      expect(a.options.latentBiasInit).toBe(params.featureAe.latentBiasInit);
      const w = async (ae: typeof a) => Array.from(await ae.variables[0]!.data());
      expect(await w(b)).toEqual(await w(a));
      expect(await w(c)).not.toEqual(await w(a));
    } finally {
      [a, b, c].forEach(disposeAutoencoder);
    }
  });
});

describe('featureAutoencoder / clusterAutoencoders / retrainFeatureAutoencoder', () => {
  it('pre-trains, embeds and reconstructs, as the timed feature-ae stage', async () => {
    const { events, run } = setup();
    const x = groups();
    const ae = newFeatureAutoencoder(G, params, run);
    const before = tf.memory().numTensors;
    try {
      const out = await featureAutoencoder({ ae, x, ltmg: null }, params, run);
      expect([out.z.rows, out.z.cols]).toEqual([N, 4]);
      // Only z: the reconstruction (cells x genes) is not kept.
      expect(Object.keys(out)).toEqual(['z']);
      expect(out.z.data.every(Number.isFinite)).toBe(true);
      expect(stageEvents(events)).toEqual(['stage-start feature-ae', 'stage-end feature-ae']);
      expect(events[0]).toMatchObject({ label: 'Feature autoencoder' });
      expect(run.training).toHaveLength(1);
      const rec = run.training[0]!;
      expect(rec).toMatchObject({ model: 'feature-ae', stage: 'feature-ae', epochs: 30 });
      expect(rec.lastLoss).toBeLessThan(rec.firstLoss);
      expect(run.stageSeconds['feature-ae']).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      disposeAutoencoder(ae);
    }
  });

  it('uses the LTMG states as entry weights when given (a different loss from the plain SSE)', async () => {
    const x = groups();
    const stored = csrFromDense(
      Float32Array.from(x.data, (v) => (v > 0 ? 2 : 0)),
      N,
      G,
    );
    const states = { ...stored, values: Uint8Array.from(stored.values) };
    const losses: number[] = [];
    for (const ltmg of [null, { nCells: N, nGenes: G, states, components: new Uint8Array(G) }]) {
      const { run } = setup();
      const ae = newFeatureAutoencoder(G, params, run);
      try {
        await featureAutoencoder({ ae, x, ltmg }, params, run);
        losses.push(run.training[0]!.firstLoss);
      } finally {
        disposeAutoencoder(ae);
      }
    }
    // Same seed, same initial weights: only the loss weighting differs.
    expect(losses[1]).not.toBe(losses[0]);
  });

  it('returns the reconstruction untouched when the cluster autoencoders are disabled', async () => {
    const { events, run } = setup();
    const ae = newFeatureAutoencoder(G, params, run);
    const recon = groups();
    try {
      const off = withParams({ clusterAe: { enabled: false } }, params);
      const out = await clusterAutoencoders(
        { ae, recon, labels: truth, nClusters: 3, iteration: 1 },
        off,
        run,
      );
      expect(out.target).toBe(recon);
      out.dispose();
      expect(events).toEqual([]);
    } finally {
      disposeAutoencoder(ae);
    }
  });

  it('the observed term (scGNN 2.0) fits the non-zeros of X, not of the reconstruction', async () => {
    const { events, run } = setup();
    const x = groups();
    // A reconstruction that is non-zero everywhere, so its mask would differ from X's.
    const recon = denseMatrix(
      N,
      G,
      Float32Array.from(x.data, (v) => v + 0.5),
    );
    const ae = newFeatureAutoencoder(G, params, run);
    try {
      // Each cluster AE starts as a copy of `ae`: its first-epoch term is ‖(x̂₀ − x)[x ≠ 0]‖₂ over the cluster.
      const x0 = (await embedAndReconstruct(ae, recon, tf)).recon;
      const expected = [0, 1, 2].map((c) => {
        let ss = 0;
        for (let i = 0; i < N; i++) {
          if (truth[i] !== c) continue;
          for (let j = 0; j < G; j++) {
            const k = i * G + j;
            if (x.data[k] !== 0) ss += (x0.data[k]! - x.data[k]!) ** 2;
          }
        }
        return Math.sqrt(ss);
      });
      const withObserved = withParams({ clusterAe: { observedWeight: 1 } }, params);
      (
        await clusterAutoencoders(
          { ae, recon, observed: x, labels: truth, nClusters: 3, iteration: 1 },
          withObserved,
          run,
        )
      ).dispose();
      const first = events.filter((e) => e.type === 'loss' && e.epoch === 0);
      expect(first).toHaveLength(3);
      first.forEach((e, c) => {
        if (e.type !== 'loss') throw new Error('not a loss event');
        expect(e.terms?.observed).toBeCloseTo(expected[c]!, 3);
      });
      // Without the weight the term is absent (and X is not needed).
      events.length = 0;
      (
        await clusterAutoencoders(
          { ae, recon, observed: x, labels: truth, nClusters: 3, iteration: 1 },
          params,
          run,
        )
      ).dispose();
      for (const e of events) if (e.type === 'loss') expect(e.terms?.observed).toBeUndefined();
    } finally {
      disposeAutoencoder(ae);
    }
  });

  it('trains one cluster autoencoder per cluster, then the feature AE on their output', async () => {
    const { events, run } = setup();
    const x = groups();
    const ae = newFeatureAutoencoder(G, params, run);
    const before = tf.memory().numTensors;
    try {
      const targets = await clusterAutoencoders(
        { ae, recon: x, labels: truth, nClusters: 3, iteration: 2 },
        params,
        run,
      );
      const target = targets.target;
      expect([target.rows, target.cols]).toEqual([N, G]);
      expect(target).not.toBe(x);
      // The three cluster models stay alive behind the target until it is disposed.
      expect(tf.memory().numTensors).toBe(before + 3 * ae.variables.length);
      expect(events[0]).toEqual({
        type: 'stage-start',
        stage: 'cluster-ae',
        label: 'Cluster autoencoders (3)',
        iteration: 2,
      });
      expect(run.training.map((r) => r.model)).toEqual(['cluster-ae 0', 'cluster-ae 1', 'cluster-ae 2']);
      expect(run.training.every((r) => r.epochs === 2)).toBe(true);

      const next = await retrainFeatureAutoencoder({ ae, x, target, iteration: 2 }, params, run);
      targets.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect([next.z.rows, next.z.cols]).toEqual([N, 4]);
      expect(stageEvents(events)).toEqual([
        'stage-start cluster-ae 2',
        'stage-end cluster-ae 2',
        'stage-start feature-ae 2',
        'stage-end feature-ae 2',
      ]);
      expect(run.training.at(-1)).toMatchObject({ model: 'feature-ae', epochs: 3 });
    } finally {
      disposeAutoencoder(ae);
    }
  });
});
