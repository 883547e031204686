/**
 * The command line with bulk RNA-seq (issue 13), as a user runs it: `run --bulk` reports the gene overlap and
 * writes the proportions, profiles and blending weights beside the usual outputs (all in the manifest);
 * `eval --bulk --bulk-truth` adds the proportion error to its JSON report. The bulk samples are pseudo-bulk:
 * sums of the example's counts over random cells, whose label fractions are the truth.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';

const DATA = '../shared/data/goolam_smartseq2_top2000';
const tiny = {
  preprocess: { nTopGenes: 300 },
  featureAe: { pretrain: { epochs: 4 }, iteration: { epochs: 2 } },
  clusterAe: { epochs: 2 },
  iterations: { max: 2 },
  bulk: { proportions: { maxSteps: 300 }, profiles: { maxSteps: 60 }, geneScale: { maxSteps: 10 } },
};
const SAMPLES = 3;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/scgnn.ts', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Pseudo-bulk CSV (genes x samples, sums over 40 random cells each) and the samples' label fractions. */
function pseudoBulk(): { bulk: string; truth: string } {
  const rows = gunzipSync(readFileSync(`${DATA}/counts.csv.gz`))
    .toString('utf8')
    .trim()
    .split('\n');
  const cells = rows[0]!.split(',').slice(1);
  const labelOf = new Map(
    readFileSync(`${DATA}/labels.csv`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',') as [string, string]),
  );
  const rng = createRng(4);
  const picks = Array.from({ length: SAMPLES }, () =>
    Array.from({ length: 40 }, () => rng.int(cells.length)),
  );
  const bulk = [`gene,${picks.map((_, s) => `sample${s + 1}`).join(',')}`];
  for (const row of rows.slice(1)) {
    const f = row.split(',');
    bulk.push([f[0], ...picks.map((p) => p.reduce((a, c) => a + Number(f[c + 1]), 0))].join(','));
  }
  const truth = ['sample,label,proportion'];
  picks.forEach((p, s) => {
    const n = new Map<string, number>();
    for (const c of p) n.set(labelOf.get(cells[c]!)!, (n.get(labelOf.get(cells[c]!)!) ?? 0) + 1);
    for (const [label, k] of n) truth.push(`sample${s + 1},${label},${k / p.length}`);
  });
  return { bulk: bulk.join('\n') + '\n', truth: truth.join('\n') + '\n' };
}

describe('scgnn command line with --bulk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scgnn-bulk-'));
  const params = join(dir, 'tiny.json');
  writeFileSync(params, JSON.stringify(tiny));
  const { bulk: bulkText, truth: truthText } = pseudoBulk();
  const bulk = join(dir, 'pseudo-bulk.csv');
  const truth = join(dir, 'truth.csv');
  writeFileSync(bulk, bulkText);
  writeFileSync(truth, truthText);

  it('run reports the overlap and writes the proportions, profiles and weights, all in the manifest', () => {
    const out = join(dir, 'out');
    const r = cli(['run', `${DATA}/counts.csv.gz`, '--out', out, '--params', params, '--bulk', bulk]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toContain('bulk: 300 of 300 genes matched, 3 samples (pseudo-bulk.csv)');
    expect(r.stderr).toContain('[bulk] iteration 1: Bulk deconvolution');

    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const nClusters = manifest.result.nClusters as number;
    expect(manifest.outputs).toMatchObject({
      bulkProportions: 'bulk_proportions.csv',
      bulkProfiles: 'bulk_profiles.csv',
      bulkWeights: 'bulk_weights.csv',
    });
    expect(manifest.bulk).toMatchObject({
      file: 'pseudo-bulk.csv',
      samples: 3,
      sampleIds: ['sample1', 'sample2', 'sample3'],
      bulkGenes: 2000,
      genes: 300,
      matchedGenes: 300,
      looseMatches: 0,
      feedback: true,
    });
    expect(manifest.bulk.steps.proportions).toBeGreaterThan(0);
    expect(manifest.seconds.bulk).toBeGreaterThan(0);

    const proportions = readFileSync(join(out, 'bulk_proportions.csv'), 'utf8').trim().split('\n');
    expect(proportions[0]).toBe('sample,cluster,proportion');
    expect(proportions.length).toBe(1 + 3 * nClusters);
    const sums = new Map<string, number>();
    for (const line of proportions.slice(1)) {
      const [sample, cluster, p] = line.split(',');
      expect(Number(cluster)).toBeLessThan(nClusters);
      sums.set(sample!, (sums.get(sample!) ?? 0) + Number(p));
    }
    expect([...sums.keys()]).toEqual(['sample1', 'sample2', 'sample3']);
    for (const s of sums.values()) expect(s).toBeCloseTo(1, 4);

    const profiles = readFileSync(join(out, 'bulk_profiles.csv'), 'utf8').trim().split('\n');
    expect(profiles[0]).toBe(
      ['gene', ...Array.from({ length: nClusters }, (_, c) => `cluster${c}`)].join(','),
    );
    const imputed = readFileSync(join(out, 'imputed.csv'), 'utf8').trim().split('\n');
    expect(profiles.slice(1).map((l) => l.split(',')[0])).toEqual(
      imputed.slice(1).map((l) => l.split(',')[0]),
    );
    const weights = readFileSync(join(out, 'bulk_weights.csv'), 'utf8').trim().split('\n');
    expect(weights[0]).toBe('gene,single_cell_weight');
    const w = weights.slice(1).map((l) => Number(l.split(',')[1]));
    expect(w).toHaveLength(300);
    expect(w.every((v) => v >= 0 && v <= 1)).toBe(true);
  }, 300_000);

  it('eval adds the bulk overlap and, with --bulk-truth, the proportion error to its report', () => {
    const r = cli([
      'eval',
      `${DATA}/counts.csv.gz`,
      '--labels',
      `${DATA}/labels.csv`,
      '--params',
      params,
      '--dropout',
      '0',
      '--bulk',
      bulk,
      '--bulk-truth',
      truth,
    ]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toMatch(/bulk: proportion error \(mean absolute\) \d\.\d{4} over 3 samples/);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(report).toMatchObject({ bulkSamples: 3, bulkGenesMatched: 300, bulkLooseMatches: 0 });
    expect(report.bulkProportionMae).toBeGreaterThanOrEqual(0);
    expect(report.bulkProportionMae).toBeLessThanOrEqual(1);
  }, 300_000);
});
