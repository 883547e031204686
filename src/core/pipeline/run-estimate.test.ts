/**
 * The run estimate: calibrated on the measured CLI runs (10,000 / 30,000 / 100,000 synthetic cells), monotone
 * in cells and genes, the refusal exactly at the limit, and the suggestions' figures.
 */
import { describe, expect, it } from 'vitest';
import { withParams } from './params.ts';
import {
  BROWSER_TAB_CAP_MB,
  CALIBRATION,
  DEFAULT_LIMIT_MB,
  estimateRun,
  estimateStageSeconds,
  formatDuration,
  formatMemory,
  memoryLimit,
  TENSOR_SPEEDUP,
} from './run-estimate.ts';

const defaults = withParams({});
/** The measured peaks vary by about 70 MB from run to run (docs/decisions/scale-memory.md): 5 % tolerance. */
const TOLERANCE = 0.05;

describe('the memory estimate', () => {
  it('is within 5 % of the measured peaks it is calibrated on (10,000, 30,000 and 100,000 cells)', () => {
    for (const { cells, genes, peakMb } of CALIBRATION.peaks) {
      const e = estimateRun({ cells, genes }, defaults);
      expect(Math.abs(e.peakMemoryMb - peakMb) / peakMb).toBeLessThan(TOLERANCE);
    }
  });

  it('is a fixed part plus 14 MB per 1,000 cells at 1,400 genes, as measured (14 MB: (1,883 - 910) / 70)', () => {
    const at = (cells: number) => estimateRun({ cells, genes: 1_377 }, defaults).peakMemoryMb;
    const perThousand = (at(100_000) - at(30_000)) / 70;
    expect(perThousand).toBeGreaterThan(13);
    expect(perThousand).toBeLessThan(15);
    // Flat per cell: the same slope between 10,000 and 30,000 cells.
    expect((at(30_000) - at(10_000)) / 20).toBeCloseTo(perThousand, 0);
    expect(at(0)).toBeGreaterThan(400);
    expect(at(0)).toBeLessThan(600);
  });

  it('grows with the cells, the genes and the non-zeros', () => {
    const sizes = [100, 1_000, 10_000, 30_000, 100_000, 300_000];
    const genes = [10, 500, 1_377, 2_000, 5_000];
    for (const g of genes) {
      const peaks = sizes.map((cells) => estimateRun({ cells, genes: g }, defaults).peakMemoryMb);
      for (let i = 1; i < peaks.length; i++) expect(peaks[i]).toBeGreaterThan(peaks[i - 1]!);
    }
    for (const cells of sizes) {
      const peaks = genes.map((g) => estimateRun({ cells, genes: g }, defaults).peakMemoryMb);
      for (let i = 1; i < peaks.length; i++) expect(peaks[i]).toBeGreaterThan(peaks[i - 1]!);
    }
    const sparse = estimateRun({ cells: 30_000, genes: 2_000, nnz: 30_000 * 100 }, defaults);
    const dense = estimateRun({ cells: 30_000, genes: 2_000, nnz: 30_000 * 1_000 }, defaults);
    expect(dense.peakMemoryMb).toBeGreaterThan(sparse.peakMemoryMb);
  });

  it('follows the parameters: no LTMG holds less, the imputation nothing per gene, a k growing with N more', () => {
    const size = { cells: 30_000, genes: 1_377 };
    const base = estimateRun(size, defaults).peakMemoryMb;
    expect(estimateRun(size, withParams({ ltmg: { enabled: false } })).peakMemoryMb).toBeLessThan(base);
    // The imputed matrix is never held whole (rows made on demand, tiles outside the heap).
    expect(estimateRun(size, withParams({ impute: { enabled: false } })).peakMemoryMb).toBe(base);
    // scGNN 2.0's k = 5 % of the cells: 1,500 neighbours per cell at 30,000 cells.
    const fraction = withParams({ graph: { kRule: 'fraction', kFraction: 0.05 } });
    expect(estimateRun(size, fraction).peakMemoryMb).toBeGreaterThan(base + 500);
  });
});

describe('the time estimate', () => {
  it('gives back the measured seconds per stage of the runs it is calibrated on (WASM)', () => {
    const { genes, points, training } = CALIBRATION.time;
    for (const { cells, ...seconds } of points) {
      const e = estimateRun({ cells, genes }, defaults, { backend: 'wasm' });
      for (const [stage, s] of Object.entries(seconds))
        expect(e.perStage[stage as keyof typeof seconds]).toBeCloseTo(s, 6);
    }
    const e = estimateRun({ cells: training.cells, genes }, defaults, { backend: 'wasm' });
    expect(e.perStage['feature-ae']).toBeCloseTo(training['feature-ae'], 6);
    expect(e.perStage['cluster-ae']).toBeCloseTo(training['cluster-ae'], 6);
    // The 100,000-cell run took 2,161 s in all (load 4 s, not estimated), 682 s of it clustering into 30
    // clusters; with the resolution cap the clustering took 226 s (the calibration's figure).
    const t100 = estimateRun({ cells: 99_999, genes }, defaults, { backend: 'wasm' }).seconds;
    const measured = 2_157 - 682 + 226;
    expect(Math.abs(t100 - measured) / measured).toBeLessThan(0.15);
  });

  it('keeps training about flat above 10,000 cells (the step budget); other stages follow the measured runs', () => {
    const at = (cells: number) => estimateStageSeconds({ cells, genes: 1_380 }, defaults);
    const t10 = at(10_000);
    const t100 = at(99_999);
    const fae10 = t10['feature-ae']!;
    expect(Math.abs(at(100_000)['feature-ae']! - fae10) / fae10).toBeLessThan(0.15);
    // Between two runs: log-log interpolation; beyond the last, that segment's power of the cells.
    const p = Math.log(226 / 74) / Math.log(99_999 / 30_000);
    expect(at(200_000).cluster! / t100.cluster!).toBeCloseTo((200_000 / 99_999) ** p, 6);
    expect(at(50_000).cluster!).toBeGreaterThan(at(30_000).cluster!);
    expect(at(50_000).cluster!).toBeLessThan(t100.cluster!);
    // Below the budget the training stages grow with the cells.
    expect(at(5_000)['feature-ae']!).toBeCloseTo(fae10 / 2, 6);
  });

  it('grows with the cells and the genes in total', () => {
    const total = (cells: number, genes: number) => estimateRun({ cells, genes }, defaults).seconds;
    const sizes = [100, 1_000, 10_000, 30_000, 100_000];
    for (let i = 1; i < sizes.length; i++)
      expect(total(sizes[i]!, 2_000)).toBeGreaterThan(total(sizes[i - 1]!, 2_000));
    expect(total(30_000, 2_000)).toBeGreaterThan(total(30_000, 1_000));
  });

  it('speeds the tensor stages up on a GPU by the stated factor, or by a measured one, never LTMG', () => {
    const size = { cells: 30_000, genes: 1_377 };
    const wasm = estimateRun(size, defaults, { backend: 'wasm' });
    const gpu = estimateRun(size, defaults, { backend: 'webgpu' });
    expect(gpu.speedBasis).toBe('assumed');
    expect(wasm.speedBasis).toBe('measured');
    expect(gpu.perStage['feature-ae']).toBeCloseTo(wasm.perStage['feature-ae']! / TENSOR_SPEEDUP.webgpu!, 6);
    expect(gpu.perStage.ltmg).toBe(wasm.perStage.ltmg);
    expect(gpu.peakMemoryMb).toBe(wasm.peakMemoryMb);
    const probed = estimateRun(size, defaults, { backend: 'webgpu', tensorSpeedup: 10 });
    expect(probed.speedBasis).toBe('measured');
    expect(probed.perStage.graph).toBeCloseTo(wasm.perStage.graph! / 10, 6);
    expect(estimateRun(size, defaults, { backend: 'cpu' }).seconds).toBeGreaterThan(10 * wasm.seconds);
  });

  it('skips the stages the run skips and names what it cannot count', () => {
    const p = withParams({
      ltmg: { enabled: false },
      clusterAe: { enabled: false },
      graphAe: { enabled: true },
    });
    const e = estimateRun({ cells: 1_000, genes: 500 }, p);
    expect(e.perStage.ltmg).toBeUndefined();
    expect(e.perStage['cluster-ae']).toBeUndefined();
    expect(e.notCounted).toEqual(['the graph autoencoder (not measured at scale)']);
  });
});

describe('fits or refuses', () => {
  it('fits exactly up to the limit and refuses 1 MB below the estimate', () => {
    const size = { cells: 150_000, genes: 2_000 };
    const peak = estimateRun(size, defaults).peakMemoryMb;
    const at = (limitMb: number) => estimateRun(size, defaults, { backend: 'wasm', limitMb });
    expect(at(peak).fits).toBe(true);
    expect(at(peak).reasons).toEqual([]);
    expect(at(peak).suggestions).toEqual([]);
    expect(at(peak - 1).fits).toBe(false);
    // Without a limit: the conservative default.
    expect(estimateRun(size, defaults).limitMb).toBe(DEFAULT_LIMIT_MB);
    expect(estimateRun({ cells: 30_000, genes: 1_377 }, defaults).fits).toBe(true);
    expect(estimateRun(size, defaults).fits).toBe(false);
  });

  it('says why with the figures, and suggests the most cells that fit, and the command line', () => {
    const e = estimateRun(
      { cells: 100_000, genes: 2_000, nnz: 14_000_000, loadedNnz: 14_000_000 },
      defaults,
      {
        backend: 'wasm',
        limitMb: 1_536,
        limitBasis: 'this computer reports 3 GB of memory',
      },
    );
    expect(e.fits).toBe(false);
    expect(e.reasons).toEqual([
      `a run on 100,000 cells and 2,000 genes needs about ${formatMemory(e.peakMemoryMb)} of memory, more than ` +
        'the 1.5 GB it may use here (this computer reports 3 GB of memory)',
    ]);
    expect(formatMemory(e.peakMemoryMb)).toBe('1.9 GB');
    // The largest sizes that fit: one more does not.
    const fitsWith = (cells: number, genes: number) =>
      estimateRun({ cells, genes, nnz: 140 * cells, loadedNnz: 140 * cells }, defaults, {
        backend: 'wasm',
        limitMb: 1_536,
      }).fits;
    expect(fitsWith(e.maxCells, 2_000)).toBe(true);
    expect(fitsWith(e.maxCells + 1, 2_000)).toBe(false);
    // The memory is in the cells' non-zeros, not the genes: cutting genes (same non-zeros per cell) cannot help.
    expect(e.maxGenes).toBe(0);
    expect(e.suggestions).toEqual([
      `load a subset of at most ${e.maxCells.toLocaleString('en-US')} of the 100,000 cells`,
      'run it with the command line on a computer with more memory (npm run scgnn -- run <input> --out ' +
        '<folder> in a copy of this project: the same method and results, without the browser limit)',
    ]);
    expect(e.maxCells).toBeGreaterThan(50_000);
    expect(e.maxCells).toBeLessThan(100_000);
  });

  it('suggests the most genes that fit where the genes are the cost (the models: genes x hidden units)', () => {
    const size = { cells: 2_000, genes: 60_000 };
    const e = estimateRun(size, defaults, { backend: 'wasm', limitMb: 2_048 });
    expect(e.fits).toBe(false);
    expect(e.maxGenes).toBeGreaterThan(500);
    expect(e.maxGenes).toBeLessThan(60_000);
    expect(
      estimateRun({ cells: 2_000, genes: e.maxGenes }, defaults, { limitMb: 2_048, backend: 'wasm' }).fits,
    ).toBe(true);
    expect(e.suggestions[0]).toBe(
      `keep at most ${e.maxGenes.toLocaleString('en-US')} genes (now 60,000: "Number of top variable genes" in ` +
        'Preprocessing)',
    );
  });

  it('leaves out a fix that cannot help', () => {
    // At 1,000,000 cells even the fewest genes do not fit in 2 GB.
    const e = estimateRun({ cells: 1_000_000, genes: 2_000 }, defaults, { backend: 'wasm', limitMb: 2_048 });
    expect(e.maxGenes).toBe(0);
    expect(e.suggestions.some((s) => s.includes('genes'))).toBe(false);
    expect(e.suggestions.some((s) => s.includes('subset'))).toBe(true);
  });
});

describe("this browser's limit", () => {
  it('is the conservative default where the browser reports nothing', () => {
    expect(memoryLimit({})).toEqual({
      limitMb: DEFAULT_LIMIT_MB,
      basis: 'this browser does not report its memory, so a page is assumed to get 2 GB',
    });
    expect(memoryLimit({ deviceMemoryGb: null, jsHeapSizeLimitBytes: Number.NaN }).limitMb).toBe(
      DEFAULT_LIMIT_MB,
    );
  });

  it('is the smallest of the tab cap, half the device memory and the JS heap limit', () => {
    expect(memoryLimit({ deviceMemoryGb: 8 })).toEqual({
      limitMb: 4096,
      basis: 'a browser tab gets at most about 4 GB',
    });
    expect(memoryLimit({ deviceMemoryGb: 4 })).toEqual({
      limitMb: 2048,
      basis: 'this computer reports 4 GB of memory, and a page should use at most 50 % of it',
    });
    expect(memoryLimit({ deviceMemoryGb: 8, jsHeapSizeLimitBytes: 2 * 1024 ** 3 }).limitMb).toBe(2048);
    expect(memoryLimit({ deviceMemoryGb: 2, jsHeapSizeLimitBytes: 4 * 1024 ** 3 }).limitMb).toBe(1024);
    expect(memoryLimit({ jsHeapSizeLimitBytes: 16 * 1024 ** 3 }).limitMb).toBe(BROWSER_TAB_CAP_MB);
  });
});

describe('figures for a reader', () => {
  it('gives memory in MB below 1,000 MB and in GB above', () => {
    expect(formatMemory(714)).toBe('710 MB');
    expect(formatMemory(3)).toBe('10 MB');
    expect(formatMemory(1_069)).toBe('1 GB');
    expect(formatMemory(1_130)).toBe('1.1 GB');
    expect(formatMemory(2_312)).toBe('2.3 GB');
  });

  it('gives durations in minutes, then hours and minutes, then hours', () => {
    expect(formatDuration(15)).toBe('under a minute');
    expect(formatDuration(61)).toBe('1 minute');
    expect(formatDuration(1_188)).toBe('20 minutes');
    expect(formatDuration(6_000)).toBe('1 hour 40 minutes');
    expect(formatDuration(3_667)).toBe('1 hour');
    expect(formatDuration(30_000)).toBe('8 hours');
  });
});
