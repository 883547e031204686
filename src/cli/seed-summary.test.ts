/**
 * `eval --seeds`: the seed list parser and the summary of several runs (medians by hand: the middle value of
 * an odd count, the mean of the two middle values of an even one), and the command line end to end on a small
 * real dataset (goolam, 100 genes, a short schedule, seeds 1-3).
 */
import { describe, expect, it } from 'vitest';
import { parseSeeds } from './args.ts';
import { summariseSeeds } from './seed-summary.ts';
import { evalReport } from './test-cli.ts';

describe('parseSeeds', () => {
  it('reads ranges and lists, keeps the order given and drops repeats', () => {
    expect(parseSeeds('1-5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeeds('3,1,7')).toEqual([3, 1, 7]);
    expect(parseSeeds('2')).toEqual([2]);
    expect(parseSeeds('1-3, 2-4')).toEqual([1, 2, 3, 4]);
  });

  it('refuses what is not a seed list', () => {
    expect(() => parseSeeds('5-1')).toThrow(/range/);
    expect(() => parseSeeds('a')).toThrow(/1-5 or 1,3,7/);
    expect(() => parseSeeds('1-500')).toThrow(/at most 100/);
    expect(() => parseSeeds('-1')).toThrow();
  });
});

describe('summariseSeeds', () => {
  const run = (seed: number, ari: number, nClusters: number, medianL1: number | null) => ({
    seed,
    report: { dataset: 'd', cells: 10, genes: 5, ari, nClusters, medianL1, silhouette: null },
  });

  it('gives the median and the min-max of each figure, and keeps every run with its seed', () => {
    const s = summariseSeeds([run(1, 0.9, 3, 0.2), run(2, 0.5, 4, 0.4), run(3, 0.7, 3, 0.3)]);
    expect(s).toMatchObject({ dataset: 'd', cells: 10, genes: 5, seeds: [1, 2, 3] });
    expect(s.ari).toBeCloseTo(0.7, 12);
    expect(s.nClusters).toBe(3);
    expect(s.medianL1).toBeCloseTo(0.3, 12);
    expect(s.spread).toEqual({ ari: [0.5, 0.9], nClusters: [3, 4], medianL1: [0.2, 0.4] });
    expect(s.silhouette).toBeUndefined(); // null in every run: no figure
    expect((s.runs as { seed: number; ari: number }[]).map((r) => [r.seed, r.ari])).toEqual([
      [1, 0.9],
      [2, 0.5],
      [3, 0.7],
    ]);
  });

  it('takes the mean of the two middle values for an even count, and skips runs without the figure', () => {
    const s = summariseSeeds([
      run(1, 0.2, 2, 0.1),
      run(2, 0.4, 5, null),
      run(3, 0.8, 3, 0.5),
      run(4, 1, 4, 0.3),
    ]);
    expect(s.ari).toBeCloseTo(0.6, 12);
    expect(s.nClusters).toBe(3.5);
    expect(s.medianL1).toBeCloseTo(0.3, 12); // three runs have it
    expect((s.spread as Record<string, number[]>).medianL1).toEqual([0.1, 0.5]);
  });
});

describe('summariseSeeds with the thinning protocol', () => {
  const thinRun = (seed: number, gene: number, none: number, magic: number | null, fs: number | null) => ({
    seed,
    report: {
      dataset: 'd',
      cells: 10,
      genes: 5,
      thin: 0.2,
      thinGeneCorr: gene,
      thinCellCorr: gene / 2,
      thinFalseSignal: fs,
      thinFalseEntries: 40,
      references: {
        none: { thinGeneCorr: none, thinCellCorr: none / 2, thinFalseSignal: 0 },
        magic: { thinGeneCorr: magic, thinCellCorr: 0.5, thinFalseSignal: fs },
      },
    },
  });

  it('gives medians and spreads of the nested reference figures in the same shape', () => {
    const s = summariseSeeds([
      thinRun(1, 0.6, 0.3, 0.5, 0.1),
      thinRun(2, 0.4, 0.1, null, 0.3),
      thinRun(3, 0.5, 0.2, 0.7, null),
    ]);
    expect(s.thin).toBe(0.2);
    expect(s.thinGeneCorr).toBeCloseTo(0.5, 12);
    expect(s.thinCellCorr).toBeCloseTo(0.25, 12);
    expect(s.thinFalseSignal).toBeCloseTo(0.2, 12); // two runs have it: mean of 0.1 and 0.3
    expect(s.thinFalseEntries).toBe(40);
    const refs = s.references as Record<string, Record<string, number>>;
    expect(refs.none!.thinGeneCorr).toBeCloseTo(0.2, 12);
    expect(refs.none!.thinCellCorr).toBeCloseTo(0.1, 12);
    expect(refs.none!.thinFalseSignal).toBe(0);
    expect(refs.magic!.thinGeneCorr).toBeCloseTo(0.6, 12); // runs 1 and 3
    expect(refs.magic!.thinCellCorr).toBe(0.5);
    const spread = s.spread as Record<string, unknown>;
    expect(spread.thinGeneCorr).toEqual([0.4, 0.6]);
    expect(spread.references).toEqual({
      none: { thinGeneCorr: [0.1, 0.3], thinCellCorr: [0.05, 0.15], thinFalseSignal: [0, 0] },
      magic: { thinGeneCorr: [0.5, 0.7], thinCellCorr: [0.5, 0.5], thinFalseSignal: [0.1, 0.3] },
    });
  });

  it('adds no references without them', () => {
    const s = summariseSeeds([{ seed: 1, report: { dataset: 'd', cells: 1, genes: 1, ari: 0.5 } }]);
    expect(s).not.toHaveProperty('references');
    expect(s).not.toHaveProperty('thin');
    expect(s.spread).toEqual({ ari: [0.5, 0.5] });
  });
});

describe('scgnn eval --seeds', () => {
  it('runs each seed and reports each run, the medians and the spread', () => {
    const data = '../shared/data/goolam_smartseq2_top2000';
    const { status, stderr, report } = evalReport([
      `${data}/counts.csv.gz`,
      '--labels',
      `${data}/labels.csv`,
      '--top-genes',
      '100',
      '--preset',
      'quick',
      '--no-ltmg',
      '--seeds',
      '1-3',
    ]);
    expect(status, stderr).toBe(0);
    if (!report) throw new Error('no JSON report');
    const runs = report.runs as { seed: number; ari: number; nEntries: number }[];
    expect(runs.map((r) => r.seed)).toEqual([1, 2, 3]);
    const aris = runs.map((r) => r.ari).sort((a, b) => a - b);
    expect(report.ari).toBe(aris[1]);
    expect((report.spread as Record<string, number[]>).ari).toEqual([aris[0], aris[2]]);
    expect(report.seconds).toMatchObject({ load: expect.any(Number), total: expect.any(Number) });
    // Each seed draws its own dropout of the same size.
    expect(new Set(runs.map((r) => r.nEntries)).size).toBe(1);
    expect(stderr).toMatch(
      /median over seeds 1, 2, 3 \(min to max\): ARI -?\d\.\d{3} \(-?\d\.\d{3} to -?\d\.\d{3}\)/,
    );
  }, 180_000);

  it('is for eval only, and not together with --seed', () => {
    const { status, stderr } = evalReport(['x.csv', '--seed', '1', '--seeds', '1-2']);
    expect(status).toBe(2);
    expect(stderr).toMatch(/--seed or --seeds/);
  });
});
