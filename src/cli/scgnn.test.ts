/**
 * The command line end to end (as a user runs it, through tsx): `run` writes every output with the right
 * shape and headers (results.h5ad read back with the project's loader and h5wasm), `eval` prints the JSON
 * report, `ltmg` writes the state matrix, bad input exits 2 with
 * the loader's message. Small epochs keep it quick; the outputs' structure does not depend on them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as h5wasm from 'h5wasm/node';
import type { Dataset } from 'h5wasm';
import { describe, expect, it } from 'vitest';
import { loadHdf5 } from '../io/hdf5.ts';
import { inputFileFromPath } from '../io/node-input.ts';

const DATA = '../shared/data/goolam_smartseq2_top2000';
const tiny = {
  preprocess: { nTopGenes: 300 },
  featureAe: { pretrain: { epochs: 4 }, iteration: { epochs: 2 } },
  graphAe: { epochs: 4 },
  clusterAe: { epochs: 2 },
  iterations: { max: 2 },
};

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/scgnn.ts', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scgnn command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scgnn-cli-'));
  const params = join(dir, 'tiny.json');
  writeFileSync(params, JSON.stringify(tiny));

  it('run writes the imputed matrix, embedding, graph, labels, manifest and results.h5ad', async () => {
    const out = join(dir, 'out');
    const r = cli([
      'run',
      `${DATA}/counts.csv.gz`,
      '--labels',
      `${DATA}/labels.csv`,
      '--out',
      out,
      '--params',
      params,
      '--seed',
      '3',
    ]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toContain('[feature-ae]');

    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.seed).toBe(3);
    expect(manifest.params.preprocess.nTopGenes).toBe(300);
    expect(manifest.environment.backend).toBe('wasm');
    expect(manifest.input).toMatchObject({
      cells: 124,
      genes: 2000,
      format: 'csv',
      orientation: 'genes-x-cells',
    });
    expect(manifest.result.history.length).toBe(manifest.result.iterations);
    expect(manifest.seconds.total).toBeGreaterThan(0);
    const nCells = manifest.preprocessing.output.nCells as number;
    const nGenes = manifest.preprocessing.output.nGenes as number;
    expect(nGenes).toBe(300);

    const imputed = readFileSync(join(out, 'imputed.csv'), 'utf8').trim().split('\n');
    expect(imputed.length).toBe(nGenes + 1); // genes x cells, header row of cell ids
    expect(imputed[0]!.split(',').length).toBe(nCells + 1);
    expect(imputed[0]!.split(',')[1]).toBe('2cell_1_A');
    const values = imputed.slice(1).flatMap((l) => l.split(',').slice(1).map(Number));
    expect(values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);

    const embedding = readFileSync(join(out, 'embedding.csv'), 'utf8').trim().split('\n');
    expect(embedding.length).toBe(nCells + 1);
    expect(embedding[0]!.startsWith(',embedding0,')).toBe(true);

    const labels = readFileSync(join(out, 'labels.csv'), 'utf8').trim().split('\n');
    expect(labels[0]).toBe('cell,cluster');
    expect(labels.length).toBe(nCells + 1);
    const clusters = new Set(labels.slice(1).map((l) => Number(l.split(',')[1])));
    expect(clusters.size).toBe(manifest.result.nClusters);

    const edges = readFileSync(join(out, 'graph_edges.csv'), 'utf8').trim().split('\n');
    expect(edges[0]).toBe('NodeA,NodeB,Weight');
    expect(edges.length).toBeGreaterThan(nCells);
    const cellIds = new Set(labels.slice(1).map((l) => l.split(',')[0]));
    for (const e of edges.slice(1, 50)) {
      const [a, b, w] = e.split(',');
      expect(cellIds.has(a) && cellIds.has(b)).toBe(true);
      expect(Number(w)).toBeGreaterThan(0);
    }

    // results.h5ad: the same run in one AnnData file.
    const h5adPath = join(out, 'results.h5ad');
    const ds = await loadHdf5(await inputFileFromPath(h5adPath));
    expect([ds.matrix.counts.nRows, ds.matrix.counts.nCols]).toEqual([nCells, nGenes]);
    expect(ds.matrix.cellIds).toEqual(labels.slice(1).map((l) => l.split(',')[0]));
    expect(ds.matrix.geneIds).toEqual(imputed.slice(1).map((l) => l.split(',')[0]));
    await h5wasm.ready;
    const f = new h5wasm.File(h5adPath, 'r');
    try {
      const value = (path: string): unknown => (f.get(path) as Dataset).value;
      expect(f.get_attribute('encoding-type', false)).toBe('anndata');
      expect((f.get('X') as Dataset).shape).toEqual([nCells, nGenes]);
      const codes = Array.from(value('obs/cluster/codes') as Int8Array);
      expect(codes).toEqual(labels.slice(1).map((l) => Number(l.split(',')[1])));
      expect(value('obs/label/categories')).toHaveLength(5);
      expect((f.get('obsm/X_scgnn') as Dataset).shape).toEqual([nCells, embedding[0]!.split(',').length - 1]);
      expect(f.get('obsm/X_umap')).toBeNull(); // no layout on the command line
      expect((value('obsp/connectivities/indptr') as Int32Array).at(-1)).toBe(2 * (edges.length - 1));
      expect(JSON.parse(value('uns/scgnn_manifest') as string)).toEqual(manifest);
    } finally {
      f.close();
    }
  });

  it('eval prints the published-protocol report as JSON on the last line', () => {
    const r = cli([
      'eval',
      `${DATA}/counts.csv.gz`,
      '--labels',
      `${DATA}/labels.csv`,
      '--params',
      params,
      '--quiet',
    ]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!);
    for (const key of [
      'ari',
      'nmi',
      'silhouette',
      'nClusters',
      'medianL1',
      'meanL1',
      'cosine',
      'rmse',
      'seconds',
      'peakRssMb',
    ]) {
      expect(report, key).toHaveProperty(key);
    }
    expect(report.ari).toBeGreaterThanOrEqual(-1);
    expect(report.ari).toBeLessThanOrEqual(1);
    expect(report.nEntries).toBeGreaterThan(0);
    expect(report.medianL1).toBeGreaterThan(0);
    expect(report.labelledCells).toBe(124);
    const clusteringOnly = cli([
      'eval',
      `${DATA}/counts.csv.gz`,
      '--labels',
      `${DATA}/labels.csv`,
      '--params',
      params,
      '--dropout',
      '0',
      '--quiet',
    ]);
    const r0 = JSON.parse(clusteringOnly.stdout.trim().split('\n').pop()!);
    expect(r0).not.toHaveProperty('medianL1');
  });

  it('ltmg writes a genes x cells state matrix; bad input exits 2 with the loader message', () => {
    const out = join(dir, 'ltmg.tsv');
    const r = cli(['ltmg', `${DATA}/counts.csv.gz`, '--out', out, '--quiet']);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(rows.length).toBe(2001);
    expect(rows[0]!.split('\t').length).toBe(125);
    const states = rows.slice(1).flatMap((l) => l.split('\t').slice(1).map(Number));
    expect(states.every((s) => Number.isInteger(s) && s >= 0)).toBe(true);
    expect(new Set(states).size).toBeGreaterThan(1);

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, ',c1,c2\nActb,1,oops\n');
    const e = cli(['run', bad, '--out', join(dir, 'never')]);
    expect(e.status).toBe(2);
    expect(e.stderr).toContain('bad.csv (line 2');
    // An unknown parameter value is refused before anything is loaded, with what is allowed.
    const p = cli(['run', bad, '--out', join(dir, 'never'), '--cluster', 'leiden']);
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('cluster.method must be one of louvainK, louvain, kmeans (got "leiden")');
    expect(() =>
      execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/scgnn.ts', 'frobnicate'], {
        stdio: 'pipe',
      }),
    ).toThrow();
  });
});
