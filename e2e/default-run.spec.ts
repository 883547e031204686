/**
 * The real path: the default preset (LTMG, the feature autoencoder, up to 3 iterations of clustering with
 * cluster autoencoders, graph imputation: not "Quick look") on the embedded example, all 2,000 genes, to
 * completion on the backend the page chooses by itself. Every stage must have run and reported progress, the
 * results and downloads must be complete, and they must be the CLI's for the same input, preset and seed
 * (same engine; the CLI runs WebAssembly on one thread).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ari, download, exampleCounts, openPage, parseCsv, waitForDataset } from './helpers.ts';

const SEED = 1;

function cliRun(): { labels: string; imputed: string; manifest: string } {
  const out = mkdtempSync(path.join(tmpdir(), 'scgnn-cli-default-'));
  execFileSync(
    'npx',
    ['tsx', 'src/cli/scgnn.ts', 'run', exampleCounts, '--out', out, '--seed', String(SEED), '--quiet'],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 },
  );
  const read = (f: string) => readFileSync(path.join(out, f), 'utf8');
  return { labels: read('labels.csv'), imputed: read('imputed.csv'), manifest: read('manifest.json') };
}

test('the default preset runs to completion on the automatically chosen backend', async ({ page }) => {
  test.setTimeout(600_000);
  const cli = cliRun();
  await openPage(page);
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-backend', /.+/, { timeout: 90_000 });
  const backend = (await badge.getAttribute('data-backend'))!;
  await page.getByRole('button', { name: 'Load the example dataset' }).click();
  await waitForDataset(page, 'goolam');
  await expect(page.getByLabel('scGNN Web defaults')).toBeChecked();
  await expect(page.getByLabel('Seed')).toHaveValue(String(SEED));

  const t0 = Date.now();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByText('Finished.')).toBeVisible({ timeout: 540_000 });
  console.log(`default preset on ${backend}: ${((Date.now() - t0) / 1000).toFixed(1)} s from Run to results`);

  // Every stage of the default method ran, and each finished bar is full.
  const stages = await page
    .locator('ol.stages > li')
    .evaluateAll((ls) =>
      ls.map((l) => [
        l.querySelector('.stage-label')?.textContent ?? '',
        l.querySelector('progress')?.getAttribute('value'),
      ]),
    );
  const labels = stages.map((s) => s[0]!);
  for (const name of [
    'LTMG',
    'Feature autoencoder',
    'Cell graph',
    'Clustering',
    'Cluster autoencoders',
    'Imputation',
  ])
    expect(
      labels.some((l) => l.startsWith(name)),
      name,
    ).toBe(true);
  expect(stages.every((s) => s[1] === '100')).toBe(true);
  const nClusters = Number(await page.getByTestId('n-clusters').textContent());
  expect(nClusters).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('ari')).toHaveText(/^-?\d\.\d{3}$/);
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-drawn-nodes', '124');

  // Downloads: complete, and the CLI's for the same preset and seed.
  const got = await download(page, 'labels');
  const bl = parseCsv(got.text);
  const cl = parseCsv(cli.labels);
  expect(bl.length).toBe(125);
  expect(new Set(bl.slice(1).map((r) => r[1])).size).toBe(nClusters);
  expect(bl.map((r) => r[0])).toEqual(cl.map((r) => r[0]));
  const agreement = ari(
    bl.slice(1).map((r) => Number(r[1])),
    cl.slice(1).map((r) => Number(r[1])),
  );

  const imputed = parseCsv((await download(page, 'imputed')).text);
  const ci = parseCsv(cli.imputed);
  expect(imputed.length).toBe(2001);
  expect(imputed[0]!.length).toBe(125);
  expect(imputed[0]).toEqual(ci[0]);
  const diffs: number[] = [];
  let bad = 0;
  for (let r = 1; r < imputed.length; r++)
    for (let c = 1; c < 125; c++) {
      const v = Number(imputed[r]![c]);
      if (!(Number.isFinite(v) && v >= 0)) bad++;
      diffs.push(Math.abs(v - Number(ci[r]![c])));
    }
  expect(bad).toBe(0);
  diffs.sort((a, b) => a - b);
  const medianDiff = diffs[diffs.length >> 1]!;

  const manifest = JSON.parse((await download(page, 'manifest')).text) as {
    environment: { backend: string };
    params: { featureAe: { pretrain: { epochs: number } }; ltmg: { enabled: boolean } };
    seconds: Record<string, number>;
  };
  const cliManifest = JSON.parse(cli.manifest) as { params: unknown };
  expect(manifest.environment.backend).toBe(backend);
  expect(manifest.params.ltmg.enabled).toBe(true);
  expect(manifest.params.featureAe.pretrain.epochs).toBe(40);
  expect(manifest.params).toEqual(cliManifest.params);
  for (const stage of ['ltmg', 'feature-ae', 'graph', 'cluster', 'cluster-ae', 'impute'])
    expect(manifest.seconds[stage], stage).toBeGreaterThan(0);

  console.log(
    `page (${backend}) vs CLI: cluster ARI ${agreement.toFixed(3)}, imputed |diff| median ${medianDiff}`,
  );
  expect(agreement).toBeGreaterThanOrEqual(0.95);
  expect(medianDiff).toBeLessThanOrEqual(0.005);
});
