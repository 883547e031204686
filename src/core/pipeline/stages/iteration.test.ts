/**
 * The EM iteration stages on a synthetic embedding: 36 cells x 12 dims in three groups of 12, each group
 * non-zero only on its own four dims (values log1p(10..14)). Any cell is far closer to its own group than to
 * another (distance ~ 5 vs < 0.5), so the kNN graph (k = 5) stays within groups and the clustering must
 * recover the groups exactly (ARI 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../cluster/metrics.ts';
import type { DenseMatrix } from '../../matrix/dense.ts';
import { G, groups, N, truth } from './test-groups.ts';
import { disposeAutoencoder } from '../../nn/autoencoder.ts';
import { createRng } from '../../rng.ts';
import { createContext, type ProgressEvent } from '../context.ts';
import { withParams } from '../params.ts';
import { createRunContext } from '../run-context.ts';
import { newFeatureAutoencoder } from './feature-ae.ts';
import {
  cellGraph,
  clusterStage,
  emIterations,
  graphEmbedding,
  oneIteration,
  type EmState,
  type IterationSnapshot,
} from './iteration.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const params = withParams({
  featureAe: { hidden: 8, latent: 4, iteration: { epochs: 3, batchSize: N } },
  graph: { k: 5 },
  cluster: { snnK: 8 },
  clusterAe: { epochs: 2, batchSize: N },
  iterations: { max: 1 },
});

function setup(onIteration?: (s: IterationSnapshot) => void) {
  const events: ProgressEvent[] = [];
  const run = createRunContext(
    createContext(tf, createRng(1), (e) => events.push(e)),
    onIteration ? { onIteration } : {},
  );
  return { events, run };
}

const initial = (x: DenseMatrix): EmState => ({
  z: x,
  embedding: x,
  graph: null,
  labels: new Int32Array(N),
  nClusters: 1,
  history: [],
  converged: false,
});

describe('cellGraph / graphEmbedding / clusterStage', () => {
  it('builds a symmetric kNN graph with edges only inside the groups', async () => {
    const { events, run } = setup();
    const g = await cellGraph({ z: groups(), iteration: 1 }, params, run);
    expect(g.nNodes).toBe(N);
    expect(g.indptr[N]).toBeGreaterThan(0);
    for (let i = 0; i < N; i++) {
      const row = Array.from(g.indices.subarray(g.indptr[i]!, g.indptr[i + 1]!));
      expect(row.length).toBeLessThanOrEqual(N - 1);
      for (const j of row) {
        expect(truth[j], `edge ${i}-${j}`).toBe(truth[i]);
        expect(j).not.toBe(i);
        expect(Array.from(g.indices.subarray(g.indptr[j]!, g.indptr[j + 1]!))).toContain(i);
      }
    }
    expect(events[0]).toEqual({
      type: 'stage-start',
      stage: 'graph',
      label: 'Cell graph (kNN, k = 5)',
      iteration: 1,
    });
    expect(events.at(-1)).toMatchObject({ type: 'stage-end', stage: 'graph', iteration: 1 });
  });

  it("scGNN 2.0's graph: k = round(0.05 · 36) = 2, unpruned, each edge weighs 1 / distance", async () => {
    const { events, run } = setup();
    const z = groups();
    const v2 = withParams(
      { graph: { kRule: 'fraction', kFraction: 0.05, prune: 'none', weights: 'inverse-distance' } },
      params,
    );
    const g = await cellGraph({ z, iteration: 1 }, v2, run);
    expect(events[0]).toMatchObject({ label: 'Cell graph (kNN, k = 2)' });
    const dist = (i: number, j: number): number => {
      let s = 0;
      for (let c = 0; c < G; c++) s += (z.data[i * G + c]! - z.data[j * G + c]!) ** 2;
      return Math.sqrt(s);
    };
    let edges = 0;
    for (let i = 0; i < N; i++) {
      // Each cell keeps its 2 nearest (no pruning); symmetrisation can only add edges.
      expect(g.indptr[i + 1]! - g.indptr[i]!).toBeGreaterThanOrEqual(2);
      for (let p = g.indptr[i]!; p < g.indptr[i + 1]!; p++) {
        const j = g.indices[p]!;
        // 1 / (d + 1e-16) as the reference: cells repeat in this input (d = 0 gives 1e16).
        expect(g.weights[p]! * (dist(i, j) + 1e-16)).toBeCloseTo(1, 4);
        edges++;
      }
    }
    expect(edges).toBeLessThanOrEqual(2 * 2 * N);
  });

  it('clusters z itself without a graph autoencoder, recovering the three groups', async () => {
    const { events, run } = setup();
    const z = groups();
    const graph = await cellGraph({ z, iteration: 1 }, params, run);
    events.length = 0;
    const embedding = await graphEmbedding({ z, graph, iteration: 1 }, params, run);
    expect(embedding).toBe(z);
    expect(events).toEqual([]);
    const clustered = await clusterStage({ embedding, graph, iteration: 1 }, params, run);
    expect(clustered.nClusters).toBe(3);
    expect(adjustedRandIndex(truth, clustered.labels)).toBe(1);
    expect([...clustered.sizes].sort()).toEqual([12, 12, 12]);
    expect(
      events
        .map((e) => `${e.type} ${'stage' in e ? e.stage : ''}`)
        .filter((s) => !s.startsWith('stage-progress')),
    ).toEqual(['stage-start cluster', 'stage-end cluster']);
  });
});

describe('oneIteration / emIterations', () => {
  it('stops after clustering at iterations.max, reporting the iteration and a snapshot', async () => {
    const snapshots: IterationSnapshot[] = [];
    const { events, run } = setup((s) => snapshots.push(s));
    const x = groups();
    const ae = newFeatureAutoencoder(G, params, run);
    try {
      const { state, stop } = await oneIteration(
        { model: { ae, x }, state: initial(x), iteration: 1 },
        params,
        run,
      );
      expect(stop).toBe(true);
      expect(state.converged).toBe(false);
      expect(state.nClusters).toBe(3);
      expect(adjustedRandIndex(truth, state.labels)).toBe(1);
      expect(state.z).toBe(x); // no further training on the last iteration
      expect(state.history).toHaveLength(1);
      expect(state.history[0]).toMatchObject({ iteration: 1, nClusters: 3, agreement: 0, graphChange: 1 });
      const iterationEvents = events.filter((e) => e.type === 'iteration');
      expect(iterationEvents).toEqual([
        {
          type: 'iteration',
          iteration: 1,
          nClusters: 3,
          agreement: 0,
          graphChange: 1,
          clusterSizes: state.history[0]!.clusterSizes,
        },
      ]);
      expect(snapshots).toHaveLength(1);
      expect(snapshots[0]!.labels).toBe(state.labels);
      expect(snapshots[0]!.graph).toBe(state.graph);
      expect(snapshots[0]!.unitLength).toBe(true); // embeddingNorm 'l2' by default
      expect(events.some((e) => e.type === 'stage-start' && e.stage === 'cluster-ae')).toBe(false);
    } finally {
      disposeAutoencoder(ae);
    }
  });

  it('runs cluster AEs and the feature AE between iterations, in order', async () => {
    const { events, run } = setup();
    const x = groups();
    const p = withParams({ iterations: { max: 2 } }, params);
    const ae = newFeatureAutoencoder(G, p, run);
    try {
      const out = await emIterations({ model: { ae, x }, start: { z: x } }, p, run);
      expect(out.history.map((h) => h.iteration)).toEqual([1, 2]);
      expect(out.history[0]!.agreement).toBe(0);
      expect(out.history[0]!.graphChange).toBe(1);
      expect(out.history[0]!.nClusters).toBe(3); // iteration 1 clustered x itself
      const h2 = out.history[1]!;
      expect(out.converged).toBe(h2.agreement >= 0.99 || h2.graphChange <= 0.01);
      expect([out.z.rows, out.z.cols]).toEqual([N, 4]); // the retrained feature AE's z
      expect(out.labels.length).toBe(N);
      const order = events
        .filter((e) => e.type === 'stage-start' || e.type === 'iteration')
        .map((e) => (e.type === 'iteration' ? `iteration ${e.iteration}` : `${e.stage} ${e.iteration}`));
      expect(order).toEqual([
        'graph 1',
        'cluster 1',
        'iteration 1',
        'cluster-ae 1',
        'feature-ae 1',
        'graph 2',
        'cluster 2',
        'iteration 2',
      ]);
    } finally {
      disposeAutoencoder(ae);
    }
  });
});
