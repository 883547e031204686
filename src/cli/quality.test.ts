/**
 * Quality guard: the default pipeline, through the CLI exactly as a user runs it, clusters a small real
 * dataset with gold-standard labels (CellBench CEL-seq2: 274 cells from 3 lung cancer cell lines, identified by
 * SNPs) well above a stated threshold, and imputes within the published target. The figures in the README
 * come from `npm run bench:eval`; this test only guards against regressions.
 */
import { describe, expect, it } from 'vitest';
import { evalReport } from './test-cli.ts';

const DATA = '../shared/data/cellbench_celseq2_3cl';

describe('default pipeline quality on a real dataset', () => {
  it('recovers the 3 cell lines of CellBench CEL-seq2 (ARI > 0.9) and imputes with median L1 < 0.424', () => {
    const { status, stderr, report } = evalReport([
      `${DATA}/counts.csv.gz`,
      '--labels',
      `${DATA}/labels.csv`,
      '--seed',
      '1',
    ]);
    expect(status, stderr).toBe(0);
    if (!report) throw new Error('no JSON report');
    expect(report.cells).toBe(274);
    expect(report.ari).toBeGreaterThan(0.9);
    expect(report.nClusters).toBe(3);
    expect(report.medianL1).toBeLessThan(0.424);
  }, 300_000);
});
