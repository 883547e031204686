import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { csrFromDense } from '../matrix/csr.ts';
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import { createContext, type ProgressEvent } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { cloneAutoencoder, createAutoencoder, disposeAutoencoder, snapshot } from './autoencoder.ts';
import {
  effectiveEpochs,
  embedAndReconstruct,
  featureAeDefaults,
  trainAutoencoder,
  trainClusterAutoencoders,
  trainClusterModels,
  type EntryWeights,
  type TrainParams,
} from './train.ts';

// No register_all_gradients here on purpose: training must work without tf's registered gradients
// (plain Node ESM, the CLI, cannot load them).

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** cells x genes, rank-3 non-negative (cell loadings U ≥ 0, gene programs V ≥ 0). */
function lowRank(cells: number, genes: number, seed: number): DenseMatrix {
  const rng = createRng(seed);
  const u = Float32Array.from({ length: cells * 3 }, () => rng.next());
  const v = Float32Array.from({ length: 3 * genes }, () => (rng.next() < 0.5 ? 0 : rng.next()));
  const m = denseMatrix(cells, genes);
  for (let i = 0; i < cells; i++)
    for (let j = 0; j < genes; j++)
      for (let k = 0; k < 3; k++) m.data[i * genes + j]! += u[i * 3 + k]! * v[k * genes + j]!;
  return m;
}

const base: TrainParams = {
  epochs: 100,
  batchSize: 16,
  learningRate: 2e-3,
  mseWeight: 1,
  ltmgWeight: 0,
  l1: 0,
  l2: 0,
  reduction: 'sum',
};
const shape = { nGenes: 30, hidden: 32, latent: 8 };

function sse(a: DenseMatrix, b: DenseMatrix, rows?: number[]): number {
  let s = 0;
  for (const i of rows ?? Array.from({ length: a.rows }, (_, k) => k))
    for (let j = 0; j < a.cols; j++) s += (a.data[i * a.cols + j]! - b.data[i * b.cols + j]!) ** 2;
  return s;
}

describe('trainAutoencoder', () => {
  it('reduces the loss on a low-rank matrix at least 5-fold, leaving no tensor behind', async () => {
    const x = lowRank(64, 30, 1);
    const before = tf.memory().numTensors;
    const ae = createAutoencoder(shape, tf, createRng(2));
    const events: ProgressEvent[] = [];
    let checkpoints = 0;
    const ctx = createContext(tf, createRng(3), (e) => events.push(e));
    const counted = { ...ctx, checkpoint: async () => void checkpoints++ };
    const r = await trainAutoencoder(ae, { x }, base, counted, 'feature-ae');
    // (Measured 6-14x over seeds: output genes whose ReLU starts negative for every cell stay dead, a
    // property of the reference architecture, so the factor is modest on a network this small.)
    expect(r.losses).toHaveLength(100);
    expect(r.losses[99]!).toBeLessThan(r.losses[0]! / 5);
    // The epoch loss is the full-data objective: Σ over all cells of the squared error (close to the
    // SSE of the final model; equal up to the last epoch's updates).
    const { recon } = await embedAndReconstruct(ae, x, tf, 10);
    expect(sse(recon, x)).toBeGreaterThan(r.losses[99]! * 0.5);
    expect(sse(recon, x)).toBeLessThan(r.losses[99]! * 1.5);
    const losses = events.filter((e) => e.type === 'loss');
    expect(losses.length).toBeGreaterThan(0);
    expect(losses.at(-1)).toMatchObject({ stage: 'feature-ae', model: 'feature-ae', epoch: 99 });
    expect(r.seconds).toBeGreaterThan(0);
    expect(checkpoints).toBeGreaterThanOrEqual(Math.floor((r.seconds * 1000) / 200));
    disposeAutoencoder(ae);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is deterministic: same seeds give identical losses and weights', async () => {
    const x = lowRank(40, 30, 4);
    const run = async () => {
      const ae = createAutoencoder(shape, tf, createRng(5));
      const r = await trainAutoencoder(
        ae,
        { x },
        { ...base, epochs: 8, l1: 0.1 },
        createContext(tf, createRng(6)),
        'a',
      );
      const w = (await snapshot(ae)).weights;
      disposeAutoencoder(ae);
      return { losses: r.losses, w };
    };
    const a = await run();
    const b = await run();
    expect(b.losses).toEqual(a.losses);
    expect(b.w).toEqual(a.w);
  });

  it('trains with LTMG entry weights, cell weights, the observed term, L1/L2, in sum and mean', async () => {
    const x = lowRank(30, 30, 7);
    const rng = createRng(8);
    const entryWeights = Uint8Array.from({ length: 30 * 30 }, () => rng.int(3));
    const cellWeights = Float32Array.from({ length: 30 }, () => 0.5 + rng.next());
    const observed = denseMatrix(
      30,
      30,
      x.data.map((v, i) => (i % 7 === 0 ? 0 : v)),
    );
    const before = tf.memory().numTensors;
    for (const reduction of ['sum', 'mean'] as const) {
      const ae = createAutoencoder(shape, tf, createRng(9));
      const events: ProgressEvent[] = [];
      const params: TrainParams = {
        ...base,
        epochs: 40,
        batchSize: 8,
        // 'mean' gradients are 1/(B·genes) of 'sum': Adam is scale-free, so the same rate works.
        mseWeight: 0.1,
        ltmgWeight: 0.9,
        l1: 1e-3,
        l2: 1e-3,
        cellWeights,
        observedWeight: 0.5,
        reduction,
      };
      const r = await trainAutoencoder(
        ae,
        { x, entryWeights, observed },
        params,
        createContext(tf, createRng(10), (e) => events.push(e)),
        'impute',
      );
      expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! / 5);
      const last = events.at(-1);
      expect(last?.type === 'loss' && last.stage).toBe('impute');
      const terms = last?.type === 'loss' ? last.terms! : {};
      expect(Object.keys(terms).sort()).toEqual(['cell', 'l1', 'l2', 'ltmg', 'mse', 'observed']);
      disposeAutoencoder(ae);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sparse entry weights (LTMG states on the non-zeros) train exactly as their dense table, clusters too', async () => {
    const x = lowRank(24, 30, 31);
    const rng = createRng(32);
    const dense = Uint8Array.from({ length: 24 * 30 }, () => (rng.next() < 0.3 ? 1 + rng.int(2) : 0));
    const stored = csrFromDense(Float32Array.from(dense), 24, 30);
    const sparse = { ...stored, values: Uint8Array.from(stored.values) };
    const params: TrainParams = { ...base, epochs: 5, batchSize: 8, mseWeight: 0.1, ltmgWeight: 0.9 };
    const losses = async (entryWeights: EntryWeights): Promise<number[]> => {
      const ae = createAutoencoder(shape, tf, createRng(33));
      try {
        return (
          await trainAutoencoder(ae, { x, entryWeights }, params, createContext(tf, createRng(34)), 'impute')
        ).losses;
      } finally {
        disposeAutoencoder(ae);
      }
    };
    const a = await losses(dense);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(await losses(sparse)).toEqual(a);
    const labels = Int32Array.from({ length: 24 }, (_, i) => i % 2);
    const clusterLosses = async (entryWeights: EntryWeights): Promise<number[]> => {
      const events: ProgressEvent[] = [];
      const base = createAutoencoder(shape, tf, createRng(36));
      const models = await trainClusterModels(
        base,
        { x, entryWeights },
        labels,
        params,
        createContext(tf, createRng(35), (e) => events.push(e)),
        { keep: true },
      );
      disposeAutoencoder(base);
      for (const m of models.values()) disposeAutoencoder(m);
      return events.flatMap((e) => (e.type === 'loss' ? [e.loss] : []));
    };
    const c = await clusterLosses(dense);
    expect(c.length).toBeGreaterThan(0);
    expect(await clusterLosses(sparse)).toEqual(c);
    await expect(losses({ ...sparse, nRows: 23 })).rejects.toThrow(/entryWeights/);
  });

  it('the fused optimizer trains the same model as tf.train.adam (with L1/L2, mini-batches)', async () => {
    const x = lowRank(30, 30, 21);
    const before = tf.memory().numTensors;
    const run = async (optimizer: 'fused' | 'tfjs') => {
      const ae = createAutoencoder(shape, tf, createRng(22));
      const r = await trainAutoencoder(
        ae,
        { x },
        { ...base, epochs: 6, batchSize: 8, l1: 0.5, l2: 0.1, optimizer },
        createContext(tf, createRng(23)),
        'f',
      );
      const w = (await snapshot(ae)).weights;
      disposeAutoencoder(ae);
      return { losses: r.losses, w };
    };
    const fused = await run('fused');
    const ref = await run('tfjs');
    fused.losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]!)).toBeLessThan(1e-4 * ref.losses[i]!));
    let maxDiff = 0;
    fused.w.forEach((a, i) =>
      a.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - ref.w[i]![j]!)))),
    );
    expect(maxDiff).toBeLessThan(1e-4);
    // (24 Adam steps of ~lr each: the weights did move.)
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves no tensor behind when a checkpoint throws (cancellation)', async () => {
    const x = lowRank(40, 30, 24);
    const ae = createAutoencoder(shape, tf, createRng(25));
    const before = tf.memory().numTensors;
    for (const batchSize of [8, 40]) {
      const ctx = createContext(tf, createRng(26));
      const cancelling = {
        ...ctx,
        checkpoint: () => Promise.reject(new Error('cancelled')),
      };
      // With CHECKPOINT_MS = 100, a long enough run reaches a checkpoint mid-epoch.
      await expect(
        trainAutoencoder(ae, { x }, { ...base, epochs: 100000, batchSize }, cancelling, 'f'),
      ).rejects.toThrow(/cancelled/);
      expect(tf.memory().numTensors).toBe(before);
    }
    disposeAutoencoder(ae);
  });

  it('rejects inconsistent inputs', async () => {
    const x = lowRank(10, 30, 11);
    const ae = createAutoencoder(shape, tf, createRng(1));
    const ctx = createContext(tf, createRng(1));
    await expect(trainAutoencoder(ae, { x }, { ...base, ltmgWeight: 0.9 }, ctx, 'f')).rejects.toThrow(
      /entryWeights/,
    );
    await expect(
      trainAutoencoder(ae, { x }, { ...base, cellWeights: new Float32Array(3) }, ctx, 'f'),
    ).rejects.toThrow(RangeError);
    await expect(trainAutoencoder(ae, { x: lowRank(10, 5, 1) }, base, ctx, 'f')).rejects.toThrow(/genes/);
    disposeAutoencoder(ae);
  });

  it('keeps the reference values as documented defaults', () => {
    expect(featureAeDefaults).toMatchObject({
      epochs: 500,
      learningRate: 1e-3,
      mseWeight: 0.1,
      ltmgWeight: 0.9,
      l1: 1,
    });
  });
});

describe('embedAndReconstruct', () => {
  it('matches a single forward pass whatever the batch size, with no tensor left behind', async () => {
    const x = lowRank(23, 30, 12);
    const ae = createAutoencoder(shape, tf, createRng(13));
    const before = tf.memory().numTensors;
    const a = await embedAndReconstruct(ae, x, tf, 5);
    const b = await embedAndReconstruct(ae, x, tf, 100);
    expect(tf.memory().numTensors).toBe(before);
    expect([a.z.rows, a.z.cols, a.recon.rows, a.recon.cols]).toEqual([23, 8, 23, 30]);
    expect(a.z.data).toEqual(b.z.data);
    expect(a.recon.data).toEqual(b.recon.data);
    disposeAutoencoder(ae);
  });
});

describe('trainClusterAutoencoders', () => {
  // Two clusters with disjoint gene programs: cluster 0 expresses genes 0-14, cluster 1 genes 15-29.
  function twoPrograms(): { x: DenseMatrix; labels: Int32Array } {
    const rng = createRng(14);
    const n = 40;
    const x = denseMatrix(n, 30);
    const labels = new Int32Array(n);
    const prog = [0, 1].map(() => Float32Array.from({ length: 15 }, () => 0.5 + rng.next()));
    for (let i = 0; i < n; i++) {
      const c = i % 3 === 0 ? 1 : 0; // interleaved, unequal sizes (26 and 14)
      labels[i] = c;
      const level = 0.5 + rng.next();
      for (let j = 0; j < 15; j++) x.data[i * 30 + c * 15 + j] = level * prog[c]![j]!;
    }
    return { x, labels };
  }

  it("reconstructs each cell with its own cluster's model, trained on that cluster only", async () => {
    const { x, labels } = twoPrograms();
    const before = tf.memory().numTensors;
    const feature = createAutoencoder(shape, tf, createRng(15));
    const initial = await snapshot(feature);
    const params: TrainParams = { ...base, epochs: 80, batchSize: 8 };
    const start = await embedAndReconstruct(feature, x, tf);
    const events: ProgressEvent[] = [];
    const out = await trainClusterAutoencoders(
      feature,
      { x },
      labels,
      params,
      createContext(tf, createRng(16), (e) => events.push(e)),
    );
    // The base model is not touched, and every clone is disposed.
    expect((await snapshot(feature)).weights).toEqual(initial.weights);
    expect(tf.memory().numTensors).toBe(before + feature.variables.length);
    expect(new Set(events.map((e) => e.type === 'loss' && e.model))).toEqual(
      new Set(['cluster-ae 0', 'cluster-ae 1']),
    );

    const rows = [0, 1].map((c) => Array.from(labels.keys()).filter((i) => labels[i] === c));
    for (const r of rows) expect(sse(out.recon, x, r)).toBeLessThan(sse(start.recon, x, r) / 2);

    // Replay cluster 1 by hand: clone, train on its rows with the seed the function draws second.
    const seedRng = createRng(16);
    seedRng.next();
    const seed1 = Math.floor(seedRng.next() * 2 ** 32);
    const own = cloneAutoencoder(feature, tf);
    const sub = denseMatrix(rows[1]!.length, 30);
    rows[1]!.forEach((i, k) => sub.data.set(x.data.subarray(i * 30, (i + 1) * 30), k * 30));
    await trainAutoencoder(own, { x: sub }, params, createContext(tf, createRng(seed1)), 'replay');
    const mine = await embedAndReconstruct(own, sub, tf);
    rows[1]!.forEach((i, k) => {
      expect(out.recon.data.subarray(i * 30, (i + 1) * 30)).toEqual(
        mine.recon.data.subarray(k * 30, (k + 1) * 30),
      );
      expect(out.z.data.subarray(i * 8, (i + 1) * 8)).toEqual(mine.z.data.subarray(k * 8, (k + 1) * 8));
    });
    disposeAutoencoder(own);
    disposeAutoencoder(feature);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports progress by cells: each cluster moves the bar by its share of the cells, step by step', async () => {
    const { x, labels } = twoPrograms();
    const feature = createAutoencoder(shape, tf, createRng(15));
    const steps: number[] = [];
    const ctx = { ...createContext(tf, createRng(16)), progress: (f: number) => void steps.push(f) };
    await trainClusterAutoencoders(feature, { x }, labels, { ...base, epochs: 5, batchSize: 8 }, ctx);
    disposeAutoencoder(feature);
    // Cluster 0 (26 of 40 cells) is trained first: the bar is at 26/40 when it is done, at 1 at the end.
    expect(steps.some((f) => Math.abs(f - 26 / 40) < 1e-9)).toBe(true);
    expect(steps.at(-1)).toBeCloseTo(1, 12);
    expect(steps.every((f, i) => i === 0 || f >= steps[i - 1]! - 1e-12)).toBe(true);
    // One report per training step (4 batches x 5 epochs for cluster 0, 2 x 5 for cluster 1) and per
    // inference batch.
    expect(steps.length).toBeGreaterThanOrEqual(4 * 5 + 2 * 5 + 2);
    expect(Math.max(...steps.map((f, i) => f - (i ? steps[i - 1]! : 0)))).toBeLessThan(0.1);
  });
});

describe('the training budget (budgetCells)', () => {
  it('cuts the epochs to ⌈epochs · budget / N⌉ above the budget, at least 1, and leaves smaller inputs alone', () => {
    const p = { epochs: 40, budgetCells: 10_000 };
    expect(effectiveEpochs(p, 4_000)).toBe(40);
    expect(effectiveEpochs(p, 10_000)).toBe(40);
    expect(effectiveEpochs(p, 30_000)).toBe(14); // ⌈13.33⌉
    expect(effectiveEpochs(p, 100_000)).toBe(4);
    expect(effectiveEpochs({ epochs: 10, budgetCells: 10_000 }, 100_000)).toBe(1);
    expect(effectiveEpochs({ epochs: 10, budgetCells: 10_000 }, 1_000_000)).toBe(1);
    expect(effectiveEpochs({ epochs: 0, budgetCells: 10 }, 100)).toBe(0);
    // No budget: the epochs whatever N.
    expect(effectiveEpochs({ epochs: 40 }, 1_000_000)).toBe(40);
    expect(effectiveEpochs({ epochs: 40, budgetCells: 0 }, 1_000_000)).toBe(40);
    // The steps (epochs · ⌈N / batch⌉) stay within one epoch of the budget's as N grows.
    const steps = (n: number): number => effectiveEpochs(p, n) * Math.ceil(n / 32);
    for (const n of [20_000, 50_000, 100_000, 300_000])
      expect(steps(n)).toBeLessThanOrEqual(40 * Math.ceil(10_000 / 32) + Math.ceil(n / 32));
  });

  it('trainAutoencoder runs and reports the cut epochs', async () => {
    const x = lowRank(64, 30, 3);
    const ae = createAutoencoder(shape, tf, createRng(4));
    const events: ProgressEvent[] = [];
    const out = await trainAutoencoder(
      ae,
      { x },
      { ...base, epochs: 10, budgetCells: 16 },
      createContext(tf, createRng(5), (e) => events.push(e)),
      'budget',
    );
    disposeAutoencoder(ae);
    expect(out.losses).toHaveLength(3); // ⌈10 · 16 / 64⌉
    const losses = events.filter((e) => e.type === 'loss');
    expect(losses.at(-1)).toMatchObject({ epoch: 2, epochs: 3 });
  });

  it('the cluster autoencoders share the stage budget: each cluster trains the epochs of all the cells', async () => {
    const x = lowRank(60, 30, 6);
    const labels = Int32Array.from({ length: 60 }, (_, i) => (i < 40 ? 0 : 1));
    const feature = createAutoencoder(shape, tf, createRng(7));
    const events: ProgressEvent[] = [];
    await trainClusterAutoencoders(
      feature,
      { x },
      labels,
      { ...base, epochs: 10, batchSize: 8, budgetCells: 30 },
      createContext(tf, createRng(8), (e) => events.push(e)),
    );
    disposeAutoencoder(feature);
    // ⌈10 · 30 / 60⌉ = 5 for both clusters (per cluster, the 20-cell one would have kept all 10).
    const last = (m: string) => events.filter((e) => e.type === 'loss' && e.model === m).at(-1);
    expect(last('cluster-ae 0')).toMatchObject({ epochs: 5 });
    expect(last('cluster-ae 1')).toMatchObject({ epochs: 5 });
  });
});
