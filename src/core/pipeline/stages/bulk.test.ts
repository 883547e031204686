import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDelimited } from '../../../io/delimited.ts';
import { inputFileFromPath } from '../../../io/node-input.ts';
import { BulkInputError, type BulkMatrix } from '../../bulk/types.ts';
import type { LoadedDataset } from '../../dataset.ts';
import type { CsrMatrix } from '../../matrix/csr.ts';
import { denseRows, rowRange } from '../../matrix/rows.ts';
import { denseMatrix } from '../../matrix/dense.ts';
import { unscaleLog1pRow } from '../../preprocess/normalise.ts';
import { createRng } from '../../rng.ts';
import { createContext, type ProgressEvent } from '../context.ts';
import { withParams, type ScgnnParamsOverride } from '../params.ts';
import { runScgnn } from '../run-pipeline.ts';
import { bulkManifest, bulkOverlapText, prepareInput, withBulk } from '../session.ts';
import { hostRows, matchBulkInput, scaleLog1pRow } from './bulk.ts';

/** Every stage, small and short; the deconvolution's optimisers cut short too. */
const small: ScgnnParamsOverride = {
  preprocess: { nTopGenes: 120 },
  featureAe: {
    hidden: 32,
    latent: 12,
    pretrain: { epochs: 4, batchSize: 64 },
    iteration: { epochs: 2, batchSize: 64 },
  },
  clusterAe: { epochs: 2, batchSize: 64 },
  iterations: { max: 2 },
  bulk: {
    proportions: { maxSteps: 300 },
    profiles: { maxSteps: 60 },
    geneScale: { maxSteps: 10 },
  },
};

/** Genes x samples sums of the counts of `cells` random cells per sample (seeded). */
function pseudoBulk(
  counts: CsrMatrix,
  geneIds: readonly string[],
  samples: number,
  cells: number,
): BulkMatrix {
  const rng = createRng(11);
  const values = new Float64Array(geneIds.length * samples);
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < cells; k++) {
      const c = rng.int(counts.nRows);
      for (let p = counts.indptr[c]!; p < counts.indptr[c + 1]!; p++)
        values[counts.indices[p]! * samples + s]! += counts.values[p]!;
    }
  }
  return {
    name: 'pseudo.csv',
    geneIds: [...geneIds],
    sampleIds: Array.from({ length: samples }, (_, s) => `bulk${s + 1}`),
    values,
  };
}

let ds: LoadedDataset;
let bulk: BulkMatrix;

describe('the bulk stage', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    ds = await loadDelimited(
      await inputFileFromPath('../shared/data/goolam_smartseq2_top2000/counts.csv.gz'),
    );
    bulk = pseudoBulk(ds.matrix.counts, ds.matrix.geneIds, 3, 40);
  });

  it('matches by gene id, or by symbol where symbols match more, and refuses too small an overlap', () => {
    const params = withParams({ bulk: { minGenes: 2, minGeneFraction: 0.5 } });
    const table: BulkMatrix = {
      name: 'b.csv',
      geneIds: ['Actb', 'Gapdh', 'Sox2'],
      sampleIds: ['s'],
      values: Float64Array.of(1, 2, 3),
    };
    const ids = ['ENSMUSG1', 'ENSMUSG2', 'ENSMUSG3'];
    const bySymbol = matchBulkInput(table, { ids, symbols: ['Gapdh', 'Sox2', undefined] }, params);
    expect(Array.from(bySymbol.match.scIndex)).toEqual([0, 1]);
    expect(Array.from(bySymbol.match.bulkIndex)).toEqual([1, 2]);
    const byId = matchBulkInput(table, { ids: ['Actb', 'x', 'Sox2'], symbols: ['Actb', 'y', 'z'] }, params);
    expect(Array.from(byId.match.scIndex)).toEqual([0, 2]);
    expect(() => matchBulkInput(table, { ids }, params)).toThrow(BulkInputError);
  });

  it('reads backend rows on the host, and scales ln(1 + x) rows to ln(1 + s·x) and back', () => {
    const m = denseMatrix(3, 2, Float32Array.of(0, 1, 2, 3, 4, 5));
    const backend = {
      rows: 3,
      cols: 2,
      batch: (idx: Int32Array) => tf.tensor2d(denseRows(m).read(idx), [idx.length, 2]),
    };
    const before = tf.memory().numTensors;
    expect(Array.from(hostRows(backend, tf).read([2, 0]))).toEqual([4, 5, 0, 1]);
    expect(tf.memory().numTensors).toBe(before);
    const row = Float32Array.of(0, 0.5, 3);
    scaleLog1pRow(row, 2.5);
    expect(row[1]).toBeCloseTo(Math.log1p(Math.expm1(0.5) * 2.5), 6);
    unscaleLog1pRow(row, 2.5);
    expect(Array.from(row).map((v) => +v.toFixed(5))).toEqual([0, 0.5, 3]);
  });

  it('runs the deconvolution in each continuing iteration and after the final clustering', async () => {
    const params = withParams(small);
    const prepared = withBulk(prepareInput(ds, params), ds, bulk, params);
    const input = prepared.input;
    expect(input.bulk!.match.scIndex.length).toBe(120);
    expect(bulkOverlapText(input.bulk!)).toBe('120 of 120 genes matched, 3 samples');
    const events: ProgressEvent[] = [];
    const before = tf.memory().numTensors;
    const a = await runScgnn(
      input,
      params,
      createContext(tf, createRng(5), (e) => events.push(e)),
    );
    expect(tf.memory().numTensors).toBe(before);

    const b = a.bulk!;
    expect(b.geneIds).toEqual(input.geneIds);
    expect(b.weights).toHaveLength(120);
    expect(b.weights.every((w) => w >= 0 && w <= 1)).toBe(true);
    const d = b.deconvolution;
    expect(d.sampleIds).toEqual(['bulk1', 'bulk2', 'bulk3']);
    expect(d.nClusters).toBe(a.nClusters);
    for (let s = 0; s < 3; s++) {
      const row = Array.from(d.proportions.subarray(s * d.nClusters, (s + 1) * d.nClusters));
      expect(row.every((p) => p >= 0)).toBe(true);
      expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
    }
    expect(d.profiles).toHaveLength(d.nClusters * 120);

    // Stage 'bulk' in iteration 1 (which continues) and once more for the final clusters, with loss curves.
    const bulkStarts = events.filter((e) => e.type === 'stage-start' && e.stage === 'bulk');
    expect(bulkStarts.map((e) => (e.type === 'stage-start' ? (e.iteration ?? 'final') : null))).toEqual([
      1,
      'final',
    ]);
    expect(a.stageSeconds.bulk).toBeGreaterThan(0);
    const models = new Set(events.flatMap((e) => (e.type === 'loss' && e.stage === 'bulk' ? [e.model] : [])));
    expect([...models].sort()).toEqual(['bulk gene scale', 'bulk profiles', 'bulk proportions']);
    expect(a.training.some((t) => t.stage === 'bulk')).toBe(true);

    // The imputed output is the blend, on the output's scale (ln(1 + count)), finite and non-negative.
    const imputed = a.imputed.dense();
    expect([imputed.rows, imputed.cols]).toEqual([input.raw.nRows, 120]);
    expect(imputed.data.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(Array.from(a.imputed.read(rowRange(3, 5)))).toEqual(
      Array.from(imputed.data.subarray(3 * 120, 5 * 120)),
    );

    const m = bulkManifest(input.bulk!, b, params);
    expect(m).toMatchObject({
      file: 'pseudo.csv',
      samples: 3,
      sampleIds: ['bulk1', 'bulk2', 'bulk3'],
      bulkGenes: 2000,
      genes: 120,
      matchedGenes: 120,
      looseMatches: 0,
      feedback: true,
    });
    expect(m.steps.proportions).toBeGreaterThan(0);
    expect(m.meanSingleCellWeight).toBeGreaterThanOrEqual(0);
    expect(m.meanSingleCellWeight).toBeLessThanOrEqual(1);

    // Without feedback: the iterations are those of a run without bulk; only the final deconvolution runs.
    const noFeedback = withParams({ ...small, bulk: { ...small.bulk, feedback: false } });
    const events2: ProgressEvent[] = [];
    const c = await runScgnn(
      withBulk(prepareInput(ds, noFeedback), ds, bulk, noFeedback).input,
      noFeedback,
      createContext(tf, createRng(5), (e) => events2.push(e)),
    );
    const plain = await runScgnn(
      prepareInput(ds, noFeedback).input,
      noFeedback,
      createContext(tf, createRng(5)),
    );
    expect(events2.filter((e) => e.type === 'stage-start' && e.stage === 'bulk')).toHaveLength(1);
    expect(Array.from(c.labels)).toEqual(Array.from(plain.labels));
    expect(plain.bulk).toBeUndefined();
  }, 240_000);
});
