import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { preprocessDefaults } from '../core/preprocess/preprocess.ts';
import { inputFileFromBytes } from '../io/input-file.ts';
import { inputFileFromPath } from '../io/node-input.ts';
import { createEngine } from './engine.ts';

const goolam = '../shared/data/goolam_smartseq2_top2000';

describe('engine (the worker API, run in Node)', () => {
  it('picks a working backend by probe and reports why others were not used', async () => {
    const engine = createEngine(tf);
    const auto = await engine.init('auto');
    expect(auto.name).toBe('cpu');
    expect(auto.computeClass).toBe('cpu');
    expect(auto.candidates.map((c) => [c.name, c.outcome])).toEqual([
      ['wasm', 'unavailable'],
      ['cpu', 'chosen'],
      ['webgpu', 'unavailable'],
      ['webgl', 'unavailable'],
    ]);
    expect(auto.candidates[1]!.probeMs).toBeGreaterThan(0);
    expect(auto.probeGenes).toBe(2000);
    const forced = await engine.init('webgpu');
    expect(forced.requested).toBe('webgpu');
    expect(forced.name).toBe('cpu');
    expect(forced.candidates[0]).toMatchObject({ name: 'webgpu', outcome: 'unavailable' });
    expect(forced.reason).toMatch(/WebGPU was asked for but/);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('loads a dataset with labels, summarises it and its preprocessing', async () => {
    const engine = createEngine(tf);
    const files = [
      await inputFileFromPath(`${goolam}/counts.csv.gz`),
      await inputFileFromPath(`${goolam}/labels.csv`),
    ];
    const progress: number[] = [];
    const result = await engine.loadFiles(files, { orientation: 'auto' }, (p) => progress.push(p.fraction));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const s = result.value;
    expect([s.nCells, s.nGenes, s.format]).toEqual([124, 2000, 'csv']);
    expect(s.orientation?.chosen).toBe('genes-x-cells');
    expect(s.cellIdsPreview[0]).toBe('2cell_1_A');
    expect(s.labels).toEqual({
      fileName: 'labels.csv',
      nMatched: 124,
      nUnmatched: 0,
      classes: ['0', '1', '2', '3', '4'],
    });
    expect(s.sparsity).toBeGreaterThan(0);
    expect(s.sparsity).toBeLessThan(1);
    expect(s.nnz).toBe(Math.round((1 - s.sparsity) * 124 * 2000));
    const pre = await engine.preflight({ ...preprocessDefaults, nTopGenes: 100 });
    expect(pre.ok && pre.value.output.nGenes).toBe(100);
  });

  it('keeps the loaded dataset when a later load fails, and flips orientation on request', async () => {
    const engine = createEngine(tf);
    const good = inputFileFromBytes('good.csv', ',c1,c2,c3\nActb,1,0,2\nGapdh,0,3,4\n');
    expect((await engine.loadFiles([good], { orientation: 'auto' })).ok).toBe(true);
    const bad = inputFileFromBytes('bad.csv', ',c1,c2,c3\nActb,1,x,2\n');
    const failed = await engine.loadFiles([bad], { orientation: 'auto' });
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error.code).toBe('non-numeric');
      expect(failed.error.message).toContain('bad.csv');
      expect(failed.error.message).toContain('line 2');
    }
    const still = await engine.currentDataset();
    expect([still?.name, still?.nCells, still?.nGenes]).toEqual(['good.csv', 3, 2]);
    const flipped = await engine.setOrientation('cells-x-genes');
    expect(flipped.ok && [flipped.value.nCells, flipped.value.nGenes]).toEqual([2, 3]);
    expect(flipped.ok && flipped.value.cellIdsPreview).toEqual(['Actb', 'Gapdh']);
  });

  it('flips a dataset that has labels: the labels are set aside, then restored when flipped back', async () => {
    const engine = createEngine(tf);
    const counts = inputFileFromBytes('counts.csv', ',c1,c2,c3\nActb,1,0,2\nGapdh,0,3,4\n');
    const labels = inputFileFromBytes('labels.csv', 'cell,label\nc1,A\nc2,B\nc3,A\n');
    const loaded = await engine.loadFiles([counts, labels], { orientation: 'auto' });
    expect(loaded.ok && loaded.value.labels?.nMatched).toBe(3);
    const flipped = await engine.setOrientation('cells-x-genes');
    expect(flipped.ok).toBe(true);
    if (!flipped.ok) return;
    expect(flipped.value.labels).toBeNull();
    expect(flipped.value.warnings.join(' ')).toContain('labels.csv names none of the cells');
    const back = await engine.setOrientation('genes-x-cells');
    expect(back.ok && back.value.labels?.nMatched).toBe(3);
    expect(back.ok && back.value.warnings.some((w) => w.includes('labels.csv'))).toBe(false);
  });
});
