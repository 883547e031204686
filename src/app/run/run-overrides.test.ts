import { describe, expect, it } from 'vitest';
import { withParams } from '../../core/pipeline/params.ts';
import { preprocessDefaults, type PreprocessSummary } from '../../core/preprocess/preprocess.ts';
import { runBlocker, runOverrides } from './run-actions.ts';
import type { DatasetSummary } from '../../engine/contract.ts';
import { initialState } from '../store.ts';

describe('the parameters a page run uses', () => {
  it('keeps the preset where the page says "preset"', () => {
    const p = withParams(
      runOverrides({ ...initialState.settings, preset: 'scgnn2', seed: 7 }, preprocessDefaults),
    );
    expect(p.seed).toBe(7);
    expect(p.graphAe.enabled).toBe(true);
    expect(p.graphAe.model).toBe('gat');
    expect(p.impute.mode).toBe('closed-loop');
    expect(p.graph.kRule).toBe('fraction');
    expect(p.preprocess).toEqual(preprocessDefaults);
  });

  it('lets the page override the preset field by field, deep fields of the preset kept', () => {
    const settings = {
      ...initialState.settings,
      preset: 'quick' as const,
      maxIterations: 4,
      k: 15,
      graphAe: 'gcn' as const,
      impute: 'none' as const,
      cluster: 'louvain' as const,
      ltmg: 'on' as const,
    };
    const p = withParams(runOverrides(settings, { ...preprocessDefaults, nTopGenes: 300 }));
    expect(p.iterations.max).toBe(4);
    expect(p.graph.k).toBe(15);
    expect(p.graph.kRule).toBe('fixed');
    expect([p.graphAe.enabled, p.graphAe.model]).toEqual([true, 'gcn']);
    expect(p.impute.enabled).toBe(false);
    expect(p.cluster.method).toBe('louvain');
    expect(p.ltmg.enabled).toBe(true);
    expect(p.preprocess.nTopGenes).toBe(300);
    // The quick preset's epochs survive the page's overrides.
    expect(p.featureAe.pretrain.epochs).toBe(10);
    expect(p.featureAe.pretrain.batchSize).toBe(32);
  });

  it('disables Run, naming the dataset, when preprocessing keeps fewer cells than the k neighbours need', () => {
    const shape = { nCells: 8, nGenes: 40, nnz: 100, sparsity: 0.7 };
    const preflight = {
      params: preprocessDefaults,
      input: shape,
      output: shape,
      cellsPassingFilter: 8,
      genesSelected: 40,
    } as unknown as PreprocessSummary;
    const dataset = { name: 'tiny.csv' } as DatasetSummary;
    const state = { ...initialState, dataset, preflight };
    expect(runBlocker({ ...state, preflight: null })).toBeNull();
    const reason = runBlocker(state);
    expect(reason).toMatch(
      /^tiny\.csv: preprocessing keeps 8 cells and 40 genes, but scGNN needs at least 11 cells/,
    );
    expect(reason).toContain('load a matrix with more cells (it has 8)');
    // With k = 7, two clusters of at least 5 cells set the minimum.
    expect(runBlocker({ ...state, settings: { ...state.settings, k: 7 } })).toContain('at least 10 cells');
  });
});
