/**
 * The whole analysis in the browser on the WebGPU path (forced with ?backend=webgpu; SwiftShader, a software
 * GPU, on a machine without one): load the example with its labels, run the
 * "Quick look" preset on 200 genes with seed 1, cancel mid-run, run again, watch two iterations arrive, check
 * the graph drawing, download every output (the .h5ad read back with h5wasm) and compare it with the CLI's
 * files for the same input, parameters and seed, check that the page never blocked for more than 100 ms during
 * the run, reload and find the results again.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { Dataset } from 'h5wasm';
import * as h5wasm from 'h5wasm/node';
import {
  ari,
  dataRoot,
  download,
  expectNoAxeViolations,
  openPage,
  parseCsv,
  waitForDataset,
} from './helpers.ts';

const GENES = 200;
const SEED = 1;

/** The CLI's outputs for the same input and settings (CPU backend). */
function cliOutputs(): {
  labels: string;
  imputed: string;
  graph: string;
  embedding: string;
  manifest: string;
} {
  const out = mkdtempSync(path.join(tmpdir(), 'scgnn-cli-'));
  execFileSync(
    'npx',
    [
      'tsx',
      'src/cli/scgnn.ts',
      'run',
      path.join(dataRoot, 'goolam_smartseq2_top2000/counts.csv.gz'),
      '--out',
      out,
      '--preset',
      'quick',
      '--top-genes',
      String(GENES),
      '--seed',
      String(SEED),
      '--backend',
      'cpu',
      '--quiet',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 },
  );
  const read = (f: string) => readFileSync(path.join(out, f), 'utf8');
  return {
    labels: read('labels.csv'),
    imputed: read('imputed.csv'),
    graph: read('graph_edges.csv'),
    embedding: read('embedding.csv'),
    manifest: read('manifest.json'),
  };
}

test('run scGNN in the browser: live progress, cancel, exports matching the CLI, reload', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const cli = cliOutputs();

  // Long tasks on the main thread, recorded from the start.
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await openPage(page, '?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgpu', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Load the example dataset' }).click();
  await waitForDataset(page, 'goolam');
  await page.getByLabel('Number of top variable genes').fill(String(GENES));
  await page.getByLabel('Quick look').check();
  await expect(page.getByLabel('Seed')).toHaveValue(String(SEED));

  // Run, cancel once training is under way, then run again.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('figure', { name: /Training loss/ })).toBeVisible({ timeout: 120_000 });
  const cancelAt = Date.now();
  await page.getByRole('button', { name: 'Cancel' }).click();
  // Stopped within a second: either the run ended at a checkpoint, or its worker was terminated (a long GPU
  // step on SwiftShader can outlast the grace period) and a fresh one reloads the dataset.
  await expect(page.getByText(/Cancelled\.|restarting the engine/)).toBeVisible({ timeout: 3_000 });
  const stoppedSeconds = (Date.now() - cancelAt) / 1000;
  await expect(page.getByText('Cancelled.')).toBeVisible({ timeout: 30_000 });
  console.log(
    `cancel: stopped after ${stoppedSeconds} s, ready again after ${(Date.now() - cancelAt) / 1000} s`,
  );

  await page.getByRole('button', { name: 'Run again' }).click();
  const rows = page.getByTestId('iteration-row');
  await expect(rows.first()).toBeVisible({ timeout: 240_000 });
  await expect(page.getByText('Finished.')).toBeVisible({ timeout: 240_000 });
  // The run's own start and end on the page's clock (set by the page when it started and finished it).
  const runStart = Number(await page.getByTestId('run-status').getAttribute('data-started-at'));
  const runEnd = Number(await page.getByTestId('run-status').getAttribute('data-finished-at'));
  expect(runEnd).toBeGreaterThan(runStart);
  await expect(rows).toHaveCount(2);

  // The cell graph: one node per cell, the kNN edges.
  const graph = page.getByTestId('graph-view');
  await expect(graph).toHaveAttribute('data-drawn-nodes', '124');
  const drawnEdges = Number(await graph.getAttribute('data-drawn-edges'));
  await expect(page.getByTestId('graph-status')).not.toContainText(/pending|converging/i, {
    timeout: 60_000,
  });

  // Main-thread responsiveness while the run was in progress.
  const longTasks = await page.evaluate(
    ([a, b]) =>
      (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter(
        (t) => t.start >= a! && t.start <= b!,
      ),
    [runStart, runEnd],
  );
  console.log(
    'long tasks during the run (ms):',
    longTasks.map((t) => Math.round(t.duration)).join(' ') || 'none',
  );
  expect(longTasks.every((t) => t.duration <= 100)).toBe(true);

  // Evaluation against the uploaded labels is shown.
  await expect(page.getByTestId('ari')).toHaveText(/^-?\d\.\d{3}$/);

  // Exports, against the CLI's files.
  const labels = await download(page, 'labels');
  expect(labels.name).toBe('labels.csv');
  const bl = parseCsv(labels.text);
  const cl = parseCsv(cli.labels);
  expect(bl[0]).toEqual(['cell', 'cluster']);
  expect(bl.map((r) => r[0])).toEqual(cl.map((r) => r[0]));
  const labelAgreement = ari(
    bl.slice(1).map((r) => Number(r[1])),
    cl.slice(1).map((r) => Number(r[1])),
  );

  const imputed = await download(page, 'imputed');
  const bi = parseCsv(imputed.text);
  const ci = parseCsv(cli.imputed);
  expect(bi.length).toBe(GENES + 1);
  expect(bi[0]!.length).toBe(125);
  expect(bi[0]).toEqual(ci[0]);
  expect(bi.map((r) => r[0])).toEqual(ci.map((r) => r[0]));
  const diffs: number[] = [];
  for (let r = 1; r < bi.length; r++)
    for (let c = 1; c < bi[r]!.length; c++) diffs.push(Math.abs(Number(bi[r]![c]) - Number(ci[r]![c])));
  diffs.sort((a, b) => a - b);
  const medianDiff = diffs[diffs.length >> 1]!;
  const p99Diff = diffs[Math.floor(diffs.length * 0.99)]!;

  const edges = await download(page, 'graph');
  const be = parseCsv(edges.text);
  const ce = parseCsv(cli.graph);
  expect(be[0]).toEqual(['NodeA', 'NodeB', 'Weight']);
  expect(be.length - 1).toBe(drawnEdges);
  const edgeKey = (r: string[]) => `${r[0]}|${r[1]}`;
  const cliEdges = new Set(ce.slice(1).map(edgeKey));
  const sharedEdges =
    be.slice(1).filter((r) => cliEdges.has(edgeKey(r))).length / Math.max(be.length - 1, ce.length - 1);

  const embedding = await download(page, 'embedding');
  const bm = parseCsv(embedding.text);
  expect(bm.length).toBe(125);
  expect(bm[0]).toEqual(parseCsv(cli.embedding)[0]);

  const umap = await download(page, 'umap');
  const bu = parseCsv(umap.text);
  expect(bu[0]).toEqual(['cell', 'umap1', 'umap2']);
  expect(bu.length).toBe(125);
  expect(bu.slice(1).every((r) => Number.isFinite(Number(r[1])) && Number.isFinite(Number(r[2])))).toBe(true);

  const markers = await download(page, 'markers');
  const bk = parseCsv(markers.text);
  expect(bk[0]!.join(',')).toBe(
    'cluster,rank,gene,log2FoldChange,z,pValue,pAdj,fractionIn,fractionOut,source',
  );
  expect(bk.length).toBeGreaterThan(2);

  const manifest = await download(page, 'manifest');
  const bj = JSON.parse(manifest.text) as { seed: number; params: unknown; environment: { backend: string } };
  const cj = JSON.parse(cli.manifest) as { seed: number; params: unknown };
  expect(bj.seed).toBe(SEED);
  expect(bj.environment.backend).toBe('webgpu');
  expect(bj.params).toEqual(cj.params);

  // The AnnData file: an HDF5 file with every cell and gene, the clusters and the page's UMAP layout.
  const h5adWait = page.waitForEvent('download');
  await page.locator('button[data-export="h5ad"]').click();
  const h5adDownload = await h5adWait;
  expect(h5adDownload.suggestedFilename()).toBe('results.h5ad');
  const h5adPath = (await h5adDownload.path())!;
  const h5Signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  expect([...readFileSync(h5adPath).subarray(0, 8)]).toEqual(h5Signature);
  await h5wasm.ready;
  const h5ad = new h5wasm.File(h5adPath, 'r');
  try {
    expect((h5ad.get('X') as Dataset).shape).toEqual([124, GENES]);
    expect((h5ad.get('obs/_index') as Dataset).value).toEqual(bl.slice(1).map((r) => r[0]));
    const codes = Array.from((h5ad.get('obs/cluster/codes') as Dataset).value as Int8Array);
    expect(codes).toEqual(bl.slice(1).map((r) => Number(r[1])));
    expect((h5ad.get('obsm/X_umap') as Dataset).shape).toEqual([124, 2]);
  } finally {
    h5ad.close();
  }

  console.log(
    `browser (WebGPU) vs CLI (CPU): cluster ARI ${labelAgreement.toFixed(3)}, imputed |diff| median ${medianDiff}, p99 ${p99Diff}, shared edges ${sharedEdges.toFixed(3)}`,
  );
  expect(labelAgreement).toBeGreaterThanOrEqual(0.95);
  expect(medianDiff).toBeLessThanOrEqual(0.005);
  expect(p99Diff).toBeLessThanOrEqual(0.05);
  expect(sharedEdges).toBeGreaterThanOrEqual(0.95);

  // The PNG of the graph view.
  const pngWait = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download PNG' }).click();
  const png = await pngWait;
  expect(png.suggestedFilename()).toBe('cell-graph.png');
  const pngBytes = readFileSync((await png.path())!);
  expect([...pngBytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  expect(pngBytes.length).toBeGreaterThan(5000);

  // Reload: dataset, settings and results come back from this browser's storage.
  await page.reload();
  await waitForDataset(page, 'goolam');
  await expect(page.getByText('Finished.')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('iteration-row')).toHaveCount(2);
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-drawn-nodes', '124');
  const again = await download(page, 'labels');
  expect(again.text).toBe(labels.text);
  const umapAgain = await download(page, 'umap');
  expect(umapAgain.text).toBe(umap.text);
  // Every result view is on the page now: all labelled, all with text alternatives.
  await expect(page.getByRole('table', { name: /Marker genes/ })).toBeVisible({ timeout: 60_000 });
  await expectNoAxeViolations(page);

  // Forget: nothing left after another reload.
  await page.getByRole('button', { name: 'Forget this dataset' }).click();
  await expect(page.getByTestId('dataset-name')).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Load the example dataset' })).toBeVisible();
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('dataset-name')).toHaveCount(0);
});
