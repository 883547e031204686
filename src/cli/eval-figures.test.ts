/**
 * The figures of `scgnn eval` on a small real dataset, through the CLI as a user runs it: Goolam et al.
 * (Smart-seq2, 124 mouse embryo cells, 5 labelled stages), default preset with 300 variable genes, seed 2,
 * the published protocol (10 % dropout). Node runs tfjs-backend-wasm single-threaded, so the run is
 * deterministic on any machine.
 *
 * Measured (this commit, two runs, identical): ARI 0.8397, NMI 0.8116, 3 clusters, 3 iterations, median L1
 * 0.2711 on 3,690 corrupted entries. (Seed 1 gives ARI 0.268 with 2 clusters at this size: the clustering of
 * goolam is seed-sensitive, which is why the seed is fixed and the bands are tied to it.) The bands: ARI and
 * NMI at least measured - 0.1; median L1 at most measured + 0.02 (a worse imputation) and at least
 * measured - 0.05 (a suspiciously better one means the metric or the corruption changed). The dropout entry
 * count is exact: floor(0.1 x the selected matrix's non-zeros). About 10-16 s on two busy cores.
 */
import { describe, expect, it } from 'vitest';
import { evalReport } from './test-cli.ts';

const DATA = '../shared/data/goolam_smartseq2_top2000';

describe('scgnn eval figures on goolam (300 genes, seed 2)', () => {
  it('clusters the embryo stages (ARI >= 0.74) and imputes with median L1 in [0.221, 0.291]', () => {
    const { status, stderr, report } = evalReport([
      `${DATA}/counts.csv.gz`,
      '--labels',
      `${DATA}/labels.csv`,
      '--top-genes',
      '300',
      '--seed',
      '2',
    ]);
    expect(status, stderr).toBe(0);
    if (!report) throw new Error('no JSON report');
    expect(report).toMatchObject({ cells: 124, genes: 300, labelledCells: 124, nEntries: 3690 });
    expect(report.ari).toBeGreaterThanOrEqual(0.8397 - 0.1);
    expect(report.nmi).toBeGreaterThanOrEqual(0.8116 - 0.1);
    expect(report.nClusters).toBeGreaterThanOrEqual(3);
    expect(report.nClusters).toBeLessThanOrEqual(5);
    expect(report.medianL1).toBeLessThanOrEqual(0.2711 + 0.02);
    expect(report.medianL1).toBeGreaterThanOrEqual(0.2711 - 0.05);
  }, 120_000);
});
