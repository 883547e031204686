/**
 * The run estimate as the run controls show it: the line beside Run, the refusal with its figures and fixes,
 * and the estimate the page computes from the preflight, the settings and the backend (React-free).
 */
import { describe, expect, it, vi } from 'vitest';
import { estimateRun } from '../../core/pipeline/run-estimate.ts';
import { withParams } from '../../core/pipeline/params.ts';
import { preprocessDefaults, type PreprocessSummary } from '../../core/preprocess/preprocess.ts';
import type { BackendInfo } from '../../engine/contract.ts';
import { initialState } from '../store.ts';
import { estimateBasis, estimateLine, estimateRefusal } from './estimate-text.ts';
import { browserMemory, probeSpeedup, runEstimate } from './run-actions.ts';

function preflight(cells: number, genes: number, nnzPerCell = 140): PreprocessSummary {
  const shape = { nCells: cells, nGenes: genes, nnz: cells * nnzPerCell, sparsity: 1 - nnzPerCell / genes };
  return {
    params: preprocessDefaults,
    input: shape,
    genesPassingFilter: genes,
    minCellsPerGene: 1,
    cellsPassingFilter: cells,
    minGenesPerCell: 1,
    genesSelected: genes,
    varianceCutoff: 0,
    output: shape,
    topGenes: [],
  };
}

const backend = (name: BackendInfo['name'], probes: Record<string, number | null>): BackendInfo =>
  ({
    name,
    candidates: Object.entries(probes).map(([n, probeMs]) => ({ name: n, probeMs })),
  }) as unknown as BackendInfo;

describe('the estimate beside Run', () => {
  it('states memory and time on the backend in one line', () => {
    const e = estimateRun({ cells: 30_000, genes: 1_377 }, withParams({}), { backend: 'wasm' });
    expect(estimateLine(e)).toBe('About 910 MB of memory and 17 minutes on WASM.');
    const small = estimateRun({ cells: 124, genes: 2_000 }, withParams({}), { backend: 'wasm' });
    expect(estimateLine(small)).toBe('About 530 MB of memory and under a minute on WASM.');
  });

  it('says what it rests on, that a GPU time is a guess, and what to do about a long run', () => {
    const wasm = estimateRun({ cells: 30_000, genes: 1_377 }, withParams({}), { backend: 'wasm' });
    expect(estimateBasis(wasm)).toContain('Estimated for 30,000 cells and 1,377 genes from measured runs');
    expect(estimateBasis(wasm)).not.toContain('guess');
    expect(estimateBasis(wasm)).not.toContain('long run');
    const gpu = estimateRun({ cells: 30_000, genes: 1_377 }, withParams({}), { backend: 'webgpu' });
    expect(estimateBasis(gpu)).toContain('The WEBGPU time is a guess: no GPU was measured');
    // About 35 minutes: no note; above LONG_RUN_SECONDS (2 hours): the note.
    const hour = estimateRun({ cells: 100_000, genes: 2_000 }, withParams({}), { backend: 'wasm' });
    expect(estimateBasis(hour)).not.toContain('long run');
    const veryLong = estimateRun({ cells: 1_000_000, genes: 2_000 }, withParams({}), { backend: 'wasm' });
    expect(estimateBasis(veryLong)).toContain('This is a long run');
  });

  it('refuses a run that does not fit with the figures and each fix as a sentence', () => {
    const e = estimateRun({ cells: 100_000, genes: 2_000 }, withParams({}), {
      backend: 'wasm',
      limitMb: 1_536,
      limitBasis: 'this computer reports 3 GB of memory, and a page should use at most 50 % of it',
    });
    const refusal = estimateRefusal(e);
    expect(refusal?.reason).toBe(
      'a run on 100,000 cells and 2,000 genes needs about 1.9 GB of memory, more than the 1.5 GB it may use ' +
        'here (this computer reports 3 GB of memory, and a page should use at most 50 % of it).',
    );
    // Fewer genes cannot help here (the memory is in the cells' non-zeros): a subset, or the command line.
    expect(refusal?.fixes).toHaveLength(2);
    expect(refusal?.fixes[0]).toMatch(/^Load a subset of at most \d\d,\d{3} of the 100,000 cells\.$/);
    expect(refusal?.fixes[1]).toContain('npm run scgnn -- run <input> --out <folder>');
    expect(estimateRefusal({ ...e, fits: true })).toBeNull();
  });
});

describe("the page's estimate", () => {
  it('is null before the preflight, and follows the kept cells and genes, the settings and the backend', () => {
    const state = { ...initialState, preflight: preflight(30_000, 1_377) };
    expect(runEstimate({ ...state, preflight: null }, {})).toBeNull();
    const e = runEstimate(state, { deviceMemoryGb: 8 })!;
    expect([e.cells, e.genes, e.backend, e.limitMb, e.fits]).toEqual([30_000, 1_377, 'wasm', 4_096, true]);
    const noLtmg = runEstimate({ ...state, settings: { ...state.settings, ltmg: 'off' } }, {})!;
    expect(noLtmg.perStage.ltmg).toBeUndefined();
    expect(noLtmg.peakMemoryMb).toBeLessThan(e.peakMemoryMb);
    const gpu = runEstimate({ ...state, backend: backend('webgpu', { wasm: 800, webgpu: 100 }) }, {})!;
    expect(gpu.speedBasis).toBe('measured');
    expect(gpu.perStage.graph).toBeCloseTo(e.perStage.graph! / 8, 6);
  });

  it('refuses 150,000 cells x 2,000 genes where the computer reports 4 GB, and not where it reports 8', () => {
    const state = { ...initialState, preflight: preflight(150_000, 2_000) };
    expect(runEstimate(state, { deviceMemoryGb: 4 })!.fits).toBe(false);
    expect(runEstimate(state, { deviceMemoryGb: 8 })!.fits).toBe(true);
  });

  it('takes the speed of a GPU from the probe where both it and WASM were timed', () => {
    expect(probeSpeedup(backend('webgpu', { wasm: 900, webgpu: 300 }))).toBe(3);
    expect(probeSpeedup(backend('webgpu', { wasm: null, webgpu: 300 }))).toBeNull();
    expect(probeSpeedup(backend('wasm', { wasm: 900 }))).toBeNull();
  });

  it("reads the browser's device memory and Chromium's heap limit, null where they are absent", () => {
    try {
      vi.stubGlobal('navigator', { deviceMemory: 4 });
      Object.defineProperty(performance, 'memory', {
        value: { jsHeapSizeLimit: 2 ** 31 },
        configurable: true,
      });
      expect(browserMemory()).toEqual({ deviceMemoryGb: 4, jsHeapSizeLimitBytes: 2 ** 31 });
      vi.stubGlobal('navigator', {});
      Reflect.deleteProperty(performance, 'memory');
      expect(browserMemory()).toEqual({ deviceMemoryGb: null, jsHeapSizeLimitBytes: null });
    } finally {
      vi.unstubAllGlobals();
      Reflect.deleteProperty(performance, 'memory');
    }
  });
});
