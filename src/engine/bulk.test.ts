/**
 * Bulk RNA-seq through the worker API (issue 13), in Node on the CPU backend: adding a bulk file reports its
 * overlap with the dataset (or a 'bad-bulk' error that leaves the previous one), a run deconvolves it and
 * reports the proportions, the downloads include them, and a reload brings the bulk file back.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeOverrides, presetByName } from '../core/pipeline/presets.ts';
import type { ScgnnParamsOverride } from '../core/pipeline/params.ts';
import { inputFileFromBytes } from '../io/input-file.ts';
import { inputFileFromPath } from '../io/node-input.ts';
import type { RunEvent } from './contract.ts';
import { createEngine, type Engine } from './engine.ts';
import { memoryStore } from './session-store.ts';

const goolam = '../shared/data/goolam_smartseq2_top2000';
const params: ScgnnParamsOverride = mergeOverrides(presetByName('quick')!.params, {
  preprocess: { nTopGenes: 150 },
  seed: 3,
  bulk: { proportions: { maxSteps: 300 }, profiles: { maxSteps: 60 }, geneScale: { maxSteps: 10 } },
});

async function loadGoolam(engine: Engine): Promise<string[]> {
  const r = await engine.loadFiles([await inputFileFromPath(`${goolam}/counts.csv.gz`)], {
    orientation: 'auto',
  });
  if (!r.ok) throw new Error(r.error.message);
  return engine.dataset()!.matrix.geneIds;
}

/** A genes x 2 samples bulk table over `genes` (value = a gene's position + the sample). */
function bulkCsv(genes: readonly string[]): string {
  return ['gene,a,b', ...genes.map((g, i) => `${g},${(i % 50) + 1},${(i % 7) + 2}`)].join('\n') + '\n';
}

describe('engine with bulk RNA-seq (worker API in Node, CPU backend)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reports the overlap of a bulk file, or what is wrong with it, keeping the one added before', async () => {
    const saved = memoryStore();
    const engine = createEngine(tf, { store: saved });
    const early = await engine.loadBulk(inputFileFromBytes('b.csv', 'gene,a\nX,1\n'));
    expect(!early.ok && early.error.code).toBe('no-dataset');
    const genes = await loadGoolam(engine);

    // Ensembl ids without their version in the dataset, with one in the bulk: loose matches.
    const versioned = genes.map((g, i) => (i < 10 ? `${g}.3` : g));
    const added = await engine.loadBulk(inputFileFromBytes('bulk.csv', bulkCsv(versioned.slice(0, 1500))));
    if (!added.ok) throw new Error(added.error.message);
    expect(added.value).toEqual({
      fileName: 'bulk.csv',
      nSamples: 2,
      sampleIdsPreview: ['a', 'b'],
      nBulkGenes: 1500,
      nDatasetGenes: 2000,
      matchedGenes: 1500,
      looseMatches: 10,
    });

    const bad = await engine.loadBulk(inputFileFromBytes('bad.tsv', 'gene\ta\nX\t-1\n'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('bad-bulk');
      expect(bad.error.message).toMatch(/^bad\.tsv \(line 2\): .*negative/);
    }
    const other = await engine.loadBulk(inputFileFromBytes('human.csv', bulkCsv(['ACTB', 'GAPDH', 'CD3E'])));
    expect(!other.ok && other.error.message).toMatch(/^human\.csv: only 0 of the 2000 single-cell genes/);
    // The good one stays added (and saved for the next visit).
    expect((await saved.get<{ bulk?: { name: string } }>('dataset'))?.bulk?.name).toBe('bulk.csv');

    // Flipping the orientation makes the genes the other axis: the bulk matrix is dropped (and not saved).
    const store = memoryStore();
    const flip = createEngine(tf, { store });
    const names = Array.from({ length: 60 }, (_, g) => `G${g}`);
    const table = [',c1,c2,c3', ...names.map((g, i) => `${g},${i},${i + 1},${2 * i}`)].join('\n');
    await flip.loadFiles([inputFileFromBytes('t.csv', table)], { orientation: 'genes-x-cells' });
    expect((await flip.loadBulk(inputFileFromBytes('tb.csv', bulkCsv(names)))).ok).toBe(true);
    expect((await store.get<{ bulk?: unknown }>('dataset'))?.bulk).toBeDefined();
    expect((await flip.setOrientation('cells-x-genes')).ok).toBe(true);
    expect((await store.get<{ bulk?: unknown }>('dataset'))?.bulk).toBeUndefined();
  });

  it('runs with the bulk matrix: proportions in the summary, loss curves, downloads, manifest, reload', async () => {
    const store = memoryStore();
    const engine = createEngine(tf, { store });
    await engine.init('cpu');
    const genes = await loadGoolam(engine);
    const bulk = await engine.loadBulk(inputFileFromBytes('bulk.csv', bulkCsv(genes)));
    expect(bulk.ok).toBe(true);
    const events: RunEvent[] = [];
    const before = tf.memory().numTensors;
    const result = await engine.run({ params }, (e) => events.push(e));
    if (!result.ok) throw new Error(result.error.message);
    expect(tf.memory().numTensors).toBe(before);
    const b = result.value.bulk!;
    expect(b).toMatchObject({ fileName: 'bulk.csv', sampleIds: ['a', 'b'], nGenes: 150, matchedGenes: 150 });
    expect(b.nClusters).toBe(result.value.nClusters);
    for (let s = 0; s < 2; s++) {
      const row = Array.from(b.proportions.subarray(s * b.nClusters, (s + 1) * b.nClusters));
      expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
    }
    expect(result.value.seconds.bulk).toBeGreaterThan(0);
    expect(
      events.some((e) => e.type === 'loss' && e.stage === 'bulk' && e.model === 'bulk proportions'),
    ).toBe(true);

    const csv = async (kind: 'bulk-proportions' | 'bulk-profiles' | 'bulk-weights' | 'manifest') => {
      const r = await engine.exportFile(kind);
      if (!r.ok) throw new Error(r.error.message);
      return { name: r.value.name, text: await r.value.blob.text() };
    };
    const proportions = await csv('bulk-proportions');
    expect(proportions.name).toBe('bulk_proportions.csv');
    const lines = proportions.text.trim().split('\n');
    expect(lines[0]).toBe('sample,cluster,proportion');
    expect(lines).toHaveLength(1 + 2 * b.nClusters);
    const profiles = await csv('bulk-profiles');
    expect(profiles.name).toBe('bulk_profiles.csv');
    expect(profiles.text.trim().split('\n')).toHaveLength(151);
    const weights = await csv('bulk-weights');
    expect(weights.text.startsWith('gene,single_cell_weight\n')).toBe(true);
    const manifest = JSON.parse((await csv('manifest')).text) as Record<string, Record<string, unknown>>;
    expect(manifest.bulk).toMatchObject({ file: 'bulk.csv', samples: 2, matchedGenes: 150 });
    expect(manifest.outputs!.bulkProportions).toBe('bulk_proportions.csv');

    // A new visit: the dataset, its bulk file and the run come back.
    const again = createEngine(tf, { store });
    const restored = await again.restore();
    if (!restored?.ok) throw new Error('not restored');
    expect(restored.value.bulk).toMatchObject({ fileName: 'bulk.csv', matchedGenes: 2000 });
    expect(restored.value.results?.summary.bulk?.sampleIds).toEqual(['a', 'b']);
    expect((await again.exportFile('bulk-proportions')).ok).toBe(true);

    // Removed: the next run has no bulk part, and its downloads say so.
    await engine.clearBulk();
    const plain = await engine.run({ params });
    if (!plain.ok) throw new Error(plain.error.message);
    expect(plain.value.bulk).toBeNull();
    const none = await engine.exportFile('bulk-proportions');
    expect(!none.ok && none.error.message).toMatch(/not given a bulk/);
  }, 300_000);
});
