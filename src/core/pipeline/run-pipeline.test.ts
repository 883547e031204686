import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { loadDelimited } from '../../io/delimited.ts';
import { inputFileFromPath } from '../../io/node-input.ts';
import { denseStates } from '../ltmg/ltmg.ts';
import { preprocess } from '../preprocess/preprocess.ts';
import { createRng } from '../rng.ts';
import { createContext, type ProgressEvent } from './context.ts';
import { withParams, type ScgnnParamsOverride } from './params.ts';
import { runScgnn, type ScgnnInput } from './run-pipeline.ts';

/** A small but complete configuration: every stage runs, with small layers and few epochs. */
const small: ScgnnParamsOverride = {
  preprocess: { nTopGenes: 150 },
  featureAe: {
    hidden: 32,
    latent: 12,
    pretrain: { epochs: 6, batchSize: 64 },
    iteration: { epochs: 3, batchSize: 64 },
  },
  graphAe: { enabled: true, epochs: 5, hidden: 8, latent: 4 },
  clusterAe: { epochs: 2, batchSize: 64 },
  impute: { train: { epochs: 4, batchSize: 64 } },
  iterations: { max: 2 },
};

async function goolamInput(nTopGenes: number): Promise<ScgnnInput> {
  const ds = await loadDelimited(
    await inputFileFromPath('../shared/data/goolam_smartseq2_top2000/counts.csv.gz'),
  );
  const p = withParams(small);
  const selected = preprocess(ds.matrix, { ...p.preprocess, nTopGenes, log1p: false });
  return { raw: selected.matrix, cellIds: selected.cellIds, geneIds: selected.geneIds };
}

describe('the whole pipeline (CPU backend)', () => {
  it('runs every stage, reports progress, leaks no tensor, and is identical for the same seed', async () => {
    await tf.setBackend('cpu');
    const input = await goolamInput(150);
    const params = withParams(small);
    const events: ProgressEvent[] = [];
    const before = tf.memory().numTensors;
    const a = await runScgnn(
      input,
      params,
      createContext(tf, createRng(7), (e) => events.push(e)),
    );
    expect(tf.memory().numTensors).toBe(before);
    const b = await runScgnn(input, params, createContext(tf, createRng(7)));

    const n = input.raw.nRows;
    expect([a.imputed.rows, a.imputed.cols]).toEqual([n, 150]);
    expect([a.embedding.rows, a.embedding.cols]).toEqual([n, 4]);
    expect(a.featureEmbedding.cols).toBe(12);
    expect(a.labels.length).toBe(n);
    expect(a.nClusters).toBeGreaterThan(1);
    expect(Math.max(...a.labels) + 1).toBe(a.nClusters);
    expect(a.history.length).toBeGreaterThanOrEqual(1);
    expect(a.ltmg && denseStates(a.ltmg.states).length).toBe(n * 150);
    for (const stage of ['ltmg', 'feature-ae', 'graph', 'graph-ae', 'cluster', 'impute'] as const) {
      expect(
        events.some((e) => e.type === 'stage-end' && e.stage === stage),
        stage,
      ).toBe(true);
      expect(a.stageSeconds[stage]).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e.type === 'iteration').length).toBe(a.history.length);
    expect(events.some((e) => e.type === 'loss' && e.model === 'feature-ae')).toBe(true);

    // Determinism on the CPU backend.
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(Array.from(b.imputed.dense().data)).toEqual(Array.from(a.imputed.dense().data));
    expect(Array.from(b.embedding.data)).toEqual(Array.from(a.embedding.data));
    expect(b.history.map((h) => h.agreement)).toEqual(a.history.map((h) => h.agreement));

    // A different seed gives a different model.
    const c = await runScgnn(input, params, createContext(tf, createRng(8)));
    expect(Array.from(c.imputed.dense().data)).not.toEqual(Array.from(a.imputed.dense().data));
  });

  it('stops when cancelled and leaves no tensor behind', async () => {
    await tf.setBackend('cpu');
    const input = await goolamInput(100);
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const run = runScgnn(
      input,
      withParams(small),
      createContext(
        tf,
        createRng(1),
        (e) => {
          if (e.type === 'stage-start' && e.stage === 'feature-ae') controller.abort();
        },
        controller.signal,
      ),
    );
    await expect(run).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
