import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from 'h5wasm';
import * as h5wasm from 'h5wasm/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../core/pipeline/context.ts';
import { withParams, type ScgnnParamsOverride } from '../core/pipeline/params.ts';
import { mergeOverrides, presetByName } from '../core/pipeline/presets.ts';
import { runScgnn } from '../core/pipeline/run-pipeline.ts';
import { prepareInput } from '../core/pipeline/session.ts';
import { createRng } from '../core/rng.ts';
import { loadHdf5 } from '../io/hdf5.ts';
import { inputFileFromBytes } from '../io/input-file.ts';
import { inputFileFromPath } from '../io/node-input.ts';
import { stringSink, writeLabelsCsv, writeMatrixCsv } from '../io/writers/csv-writers.ts';
import { MARKERS_CSV_HEADER } from '../io/writers/markers-csv.ts';
import type { RunEvent } from './contract.ts';
import { createEngine, type Engine } from './engine.ts';
import { memoryStore } from './session-store.ts';

const goolam = '../shared/data/goolam_smartseq2_top2000';
const params: ScgnnParamsOverride = mergeOverrides(presetByName('quick')!.params, {
  preprocess: { nTopGenes: 150 },
  seed: 3,
});

async function loadGoolam(engine: Engine): Promise<void> {
  const files = [
    await inputFileFromPath(`${goolam}/counts.csv.gz`),
    await inputFileFromPath(`${goolam}/labels.csv`),
  ];
  const r = await engine.loadFiles(files, { orientation: 'auto' });
  expect(r.ok).toBe(true);
}

const csvRows = async (blob: Blob): Promise<string[][]> =>
  (await blob.text())
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('engine runs (worker API in Node, CPU backend)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('runs the method with progress, per-iteration snapshots, evaluation and every export', async () => {
    const store = memoryStore();
    const engine = createEngine(tf, { store });
    await engine.init('cpu');
    expect((await engine.run({ params })).ok).toBe(false); // no dataset yet
    await loadGoolam(engine);
    const before = tf.memory().numTensors;
    const events: RunEvent[] = [];
    const result = await engine.run({ params }, (e) => events.push(e));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const s = result.value;
    expect([s.nCells, s.nGenes]).toEqual([124, 150]);
    expect(s.history.map((h) => h.iteration)).toEqual([1, 2]);
    expect(s.clusterSizes.reduce((a, b) => a + b, 0)).toBe(124);
    expect(s.evaluation!.labelledCells).toBe(124);
    expect(s.evaluation!.ari).toBeGreaterThan(-0.5);
    expect(s.truth!.classes).toHaveLength(5);
    expect(s.truth!.codes).toHaveLength(124);
    expect(s.params.seed).toBe(3);
    expect(s.seconds.total).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);

    // Events: stages in order, losses with their epoch counts, one iteration event and snapshot per iteration.
    const starts = events.filter((e) => e.type === 'stage-start').map((e) => e.stage);
    expect(starts.slice(0, 3)).toEqual(['preprocess', 'feature-ae', 'graph']);
    const losses = events.filter((e) => e.type === 'loss');
    expect(losses.length).toBeGreaterThan(0);
    expect(losses.every((e) => e.type === 'loss' && e.epochs! > e.epoch)).toBe(true);
    const snaps = events.filter((e) => e.type === 'snapshot');
    expect(snaps.map((e) => e.iteration)).toEqual([1, 2]);
    for (const e of snaps) {
      expect(e.nCells).toBe(124);
      expect(e.embedding).toHaveLength(124 * e.dims);
      expect(e.unitLength).toBe(true); // the default clustering compares directions; the layout follows it
      expect(e.labels).toHaveLength(124);
      expect(e.cellIds[0]).toBe('2cell_1_A');
      const n = e.edges.from.length;
      expect(n).toBeGreaterThan(124);
      for (let i = 0; i < n; i++) expect(e.edges.from[i]!).toBeLessThan(e.edges.to[i]!);
    }
    expect(events.filter((e) => e.type === 'iteration')).toHaveLength(2);

    const results = (await engine.results())!;
    expect(results.iterationLabels).toHaveLength(2);
    expect(Array.from(results.snapshot.labels)).toEqual(Array.from(snaps.at(-1)!.labels));

    // Exports.
    const imputed = await engine.exportFile('imputed');
    expect(imputed.ok).toBe(true);
    if (!imputed.ok) return;
    expect(imputed.value.name).toBe('imputed.csv');
    const rows = await csvRows(imputed.value.blob);
    expect(rows).toHaveLength(151);
    expect(rows[0]).toHaveLength(125);
    expect(rows[0]![1]).toBe('2cell_1_A');
    const cellsByGenes = await engine.exportFile('imputed', { layout: 'cells-x-genes' });
    if (!cellsByGenes.ok) throw new Error(cellsByGenes.error.message);
    expect(await csvRows(cellsByGenes.value.blob)).toHaveLength(125);
    const labels = await engine.exportFile('labels');
    if (!labels.ok) throw new Error(labels.error.message);
    const labelRows = await csvRows(labels.value.blob);
    expect(labelRows[0]).toEqual(['cell', 'cluster']);
    expect(labelRows.slice(1).map((r) => Number(r[1]))).toEqual(Array.from(results.snapshot.labels));
    const graph = await engine.exportFile('graph');
    if (!graph.ok) throw new Error(graph.error.message);
    expect((await csvRows(graph.value.blob)).length - 1).toBe(results.snapshot.edges.from.length);
    const embedding = await engine.exportFile('embedding');
    if (!embedding.ok) throw new Error(embedding.error.message);
    expect((await csvRows(embedding.value.blob))[1]).toHaveLength(results.snapshot.dims + 1);
    const manifest = await engine.exportFile('manifest');
    if (!manifest.ok) throw new Error(manifest.error.message);
    const m = JSON.parse(await manifest.value.blob.text()) as Record<string, unknown>;
    expect(m.seed).toBe(3);
    expect((m.result as { iterations: number }).iterations).toBe(2);
    expect((m.environment as { backend: string }).backend).toBe('cpu');

    // Marker genes and the heatmap (computed on request), and their CSV.
    const fractions: number[] = [];
    const analysis = await engine.analysis((f) => fractions.push(f));
    if (!analysis.ok) throw new Error(analysis.error.message);
    expect(analysis.value.raw).toHaveLength(s.nClusters);
    expect(analysis.value.imputed).toHaveLength(s.nClusters);
    expect(analysis.value.raw[0]!.markers.length).toBeGreaterThan(0);
    expect(fractions.at(-1)).toBeCloseTo(1, 5);
    const hm = analysis.value.heatmap;
    expect(hm.genes.length).toBeGreaterThan(0);
    expect(hm.cellIndices).toHaveLength(124);
    expect(hm.before).toHaveLength(hm.genes.length * 124);
    const markers = await engine.exportFile('markers');
    if (!markers.ok) throw new Error(markers.error.message);
    const markerRows = await csvRows(markers.value.blob);
    expect(markerRows[0]!.join(',')).toBe(MARKERS_CSV_HEADER);
    expect(new Set(markerRows.slice(1).map((r) => r.at(-1)))).toEqual(new Set(['raw', 'imputed']));

    // The UMAP file needs the page's layout first.
    const noUmap = await engine.exportFile('umap');
    expect(noUmap.ok).toBe(false);
    expect((await engine.setLayout(new Float32Array(10))).ok).toBe(false);
    const layout = Float32Array.from({ length: 248 }, (_, i) => i / 10);
    expect((await engine.setLayout(layout)).ok).toBe(true);
    const umap = await engine.exportFile('umap');
    if (!umap.ok) throw new Error(umap.error.message);
    const umapRows = await csvRows(umap.value.blob);
    expect(umapRows[0]).toEqual(['cell', 'umap1', 'umap2']);
    expect(umapRows[2]).toEqual(['2cell_1_B', '0.2', '0.3']);

    // The AnnData file: every output in one, X imputed (default) or the raw counts; the page's layout in obsm.
    const h5ad = await engine.exportFile('h5ad');
    if (!h5ad.ok) throw new Error(h5ad.error.message);
    expect(h5ad.value.name).toBe('results.h5ad');
    const h5adBytes = new Uint8Array(await h5ad.value.blob.arrayBuffer());
    const adata = await loadHdf5(inputFileFromBytes('results.h5ad', h5adBytes));
    expect(adata.matrix.cellIds).toEqual(s.cellIds);
    expect(adata.matrix.geneIds).toEqual(rows.slice(1).map((r) => r[0]));
    const x = adata.matrix.counts;
    const dense = new Float32Array(x.nRows * x.nCols);
    for (let i = 0; i < x.nRows; i++)
      for (let k = x.indptr[i]!; k < x.indptr[i + 1]!; k++) dense[i * x.nCols + x.indices[k]!] = x.values[k]!;
    for (const [g, c] of [
      [1, 1],
      [7, 40],
      [150, 124],
    ] as const)
      expect(dense[(c - 1) * 150 + (g - 1)]!).toBeCloseTo(Number(rows[g]![c]), 3);
    await h5wasm.ready;
    const tmp = mkdtempSync(join(tmpdir(), 'scgnn-engine-h5ad-'));
    const path = join(tmp, 'results.h5ad');
    writeFileSync(path, h5adBytes);
    const f = new h5wasm.File(path, 'r');
    try {
      const value = (p: string): unknown => (f.get(p) as Dataset).value;
      expect(Array.from(value('obs/cluster/codes') as Int8Array)).toEqual(
        Array.from(results.snapshot.labels),
      );
      expect(value('obs/label/categories')).toEqual(s.truth!.classes);
      expect(Array.from(value('obs/label/codes') as Int8Array)).toEqual(Array.from(s.truth!.codes));
      expect(value('obsm/X_umap')).toEqual(layout);
      expect(value('obsm/X_scgnn')).toEqual(results.snapshot.embedding);
      expect((value('obsp/connectivities/indptr') as Int32Array).at(-1)).toBe(
        2 * results.snapshot.edges.from.length,
      );
    } finally {
      f.close();
      rmSync(tmp, { recursive: true, force: true });
    }
    const rawH5ad = await engine.exportFile('h5ad', { x: 'raw' });
    if (!rawH5ad.ok) throw new Error(rawH5ad.error.message);
    const rawData = await loadHdf5(
      inputFileFromBytes('raw.h5ad', new Uint8Array(await rawH5ad.value.blob.arrayBuffer())),
    );
    const selected = prepareInput(engine.dataset()!, withParams(params)).selected.matrix;
    expect(Array.from(rawData.matrix.counts.indptr)).toEqual(Array.from(selected.indptr));
    expect(Array.from(rawData.matrix.counts.values)).toEqual(Array.from(selected.values));
    expect(rawData.matrix.counts.values.every((v) => Number.isInteger(v))).toBe(true);

    // A fresh engine on the same store (a page reload) brings everything back.
    const reloaded = createEngine(tf, { store });
    await reloaded.init('cpu');
    const restored = await reloaded.restore();
    expect(restored?.ok).toBe(true);
    if (!restored?.ok) return;
    expect(restored.value.dataset.nCells).toBe(124);
    expect(restored.value.params).toEqual(params);
    expect(Array.from(restored.value.results!.snapshot.labels)).toEqual(Array.from(results.snapshot.labels));
    expect(restored.value.results!.layout).toEqual(layout);
    const again = await reloaded.exportFile('imputed');
    if (!again.ok) throw new Error(again.error.message);
    expect(await again.value.blob.text()).toBe(await imputed.value.blob.text());

    // Forget: nothing left, nothing restored.
    await reloaded.forget();
    expect(await reloaded.currentDataset()).toBeNull();
    expect(store.size()).toBe(0);
    expect(await createEngine(tf, { store }).restore()).toBeNull();
  }, 120_000);

  it('writes the same files as the CLI path (same preparation, pipeline and writers) for the same seed', async () => {
    const engine = createEngine(tf);
    await engine.init('cpu');
    await loadGoolam(engine);
    const r = await engine.run({ params });
    expect(r.ok).toBe(true);
    const full = withParams(params);
    const prepared = prepareInput(engine.dataset()!, full);
    const direct = await runScgnn(prepared.input, full, createContext(tf, createRng(full.seed)));
    const expectLabels = stringSink();
    await writeLabelsCsv(expectLabels, direct.labels, prepared.input.cellIds);
    const expectImputed = stringSink();
    await writeMatrixCsv(
      expectImputed,
      direct.imputed.dense(),
      prepared.input.cellIds,
      prepared.input.geneIds,
    );
    const labels = await engine.exportFile('labels');
    const imputed = await engine.exportFile('imputed');
    if (!labels.ok || !imputed.ok) throw new Error('export failed');
    expect(await labels.value.blob.text()).toBe(expectLabels.text());
    expect(await imputed.value.blob.text()).toBe(expectImputed.text());
  }, 120_000);

  it('cancels a run promptly without leaking tensors, refuses a second run meanwhile, then runs again', async () => {
    const engine = createEngine(tf);
    await engine.init('cpu');
    await loadGoolam(engine);
    const before = tf.memory().numTensors;
    let sawLoss = false;
    let cancelledAt = 0;
    const running = engine.run({ params }, (e) => {
      if (e.type === 'loss' && !sawLoss) {
        sawLoss = true;
        cancelledAt = performance.now();
        void engine.cancel();
      }
    });
    const busy = await engine.run({ params });
    expect(busy.ok ? null : busy.error.code).toBe('busy');
    const r = await running;
    expect(r.ok ? null : r.error.code).toBe('cancelled');
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    expect(tf.memory().numTensors).toBe(before);
    expect(await engine.results()).toBeNull();
    const second = await engine.run({ params });
    expect(second.ok).toBe(true);
  }, 120_000);

  it('never replaces a dataset the user loaded with the saved one', async () => {
    const store = memoryStore();
    const first = createEngine(tf, { store });
    await loadGoolam(first);
    const saved = await store.get('dataset');
    const second = createEngine(tf, { store });
    const r = await second.loadFiles([inputFileFromBytes('mine.csv', 'gene,a,b,c\ng1,1,0,2\ng2,0,3,1\n')], {
      orientation: 'auto',
    });
    expect(r.ok).toBe(true);
    // The store still holds the earlier visit's dataset (e.g. the restore was slower than the user).
    await store.set('dataset', saved);
    expect(await second.restore()).toBeNull();
    expect((await second.currentDataset())?.name).toBe('mine.csv');
  });

  it('reports parameters that cannot be used as bad-params', async () => {
    const engine = createEngine(tf);
    await engine.init('cpu');
    await loadGoolam(engine);
    const r = await engine.run({ params: { ...params, graph: { k: 0 } } });
    expect(r.ok ? null : r.error.code).toBe('bad-params');
  });
});
