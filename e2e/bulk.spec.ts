/**
 * Bulk RNA-seq in the page (issue 13): load the embedded example, add a pseudo-bulk file made here (the
 * example's counts summed over random cells, 2,000 genes x 3 samples), check the overlap it reports, run the
 * "Quick look" preset on 200 genes, watch the deconvolution's loss curves, check the proportions chart (3
 * samples, each bar 100 %) and the downloaded bulk_proportions.csv (each sample sums to 1). A second test adds
 * bad bulk files and expects a readable error, with the page still usable.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import {
  download,
  exampleCounts,
  expectNoAxeViolations,
  openPage,
  parseCsv,
  waitForDataset,
} from './helpers.ts';

const GENES = 200;
const SAMPLES = 3;

/** Genes x samples: each sample sums the counts of 40 cells drawn with a fixed linear congruential sequence. */
function pseudoBulkFile(): string {
  const rows = gunzipSync(readFileSync(exampleCounts)).toString('utf8').trim().split('\n');
  const nCells = rows[0]!.split(',').length - 1;
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  const picks = Array.from({ length: SAMPLES }, () => Array.from({ length: 40 }, () => next() % nCells));
  const lines = [['gene', ...picks.map((_, s) => `bulk${s + 1}`)].join(',')];
  for (const row of rows.slice(1)) {
    const f = row.split(',');
    lines.push([f[0], ...picks.map((p) => p.reduce((a, c) => a + Number(f[c + 1]), 0))].join(','));
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'scgnn-bulk-e2e-')), 'pseudo-bulk.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function loadExample(page: Page): Promise<void> {
  await openPage(page, '?backend=wasm');
  await page.getByRole('button', { name: 'Load the example dataset' }).click();
  await waitForDataset(page, 'goolam');
}

test('bulk RNA-seq: overlap, live loss curves, proportions chart and download', async ({ page }) => {
  test.setTimeout(600_000);
  const bulkFile = pseudoBulkFile();
  await loadExample(page);

  await page.getByTestId('bulk-input').setInputFiles(bulkFile);
  const overlap = page.getByTestId('bulk-overlap');
  await expect(overlap).toContainText('pseudo-bulk.csv', { timeout: 30_000 });
  await expect(overlap).toContainText('3 samples (bulk1, bulk2, bulk3) x 2,000 genes');
  await expect(page.getByTestId('bulk-matched')).toHaveText("2,000 of the dataset's 2,000 genes matched");

  await page.getByLabel('Number of top variable genes').fill(String(GENES));
  await page.getByLabel('Quick look').check();
  await page.getByRole('button', { name: 'Run', exact: true }).click();

  // The deconvolution's curves arrive while the run goes on (the first one after iteration 1's clusters).
  const curves = page.getByRole('figure', { name: /Bulk deconvolution/ });
  await expect(curves).toBeVisible({ timeout: 300_000 });
  await expect(curves.getByRole('listitem')).toContainText(['bulk proportions']);
  await expect(page.getByText('Finished.')).toBeVisible({ timeout: 300_000 });
  await expect(curves.getByRole('listitem')).toHaveText([
    'bulk proportions',
    'bulk profiles',
    'bulk gene scale',
  ]);
  await expect(page.locator('.stage-label', { hasText: 'Bulk deconvolution' }).first()).toBeVisible();

  // The proportions chart: one bar per sample, its segments adding up to the whole bar (100 %).
  await expect(page.getByTestId('bulk-run-overlap')).toContainText(
    `${GENES} of the run's ${GENES} genes matched`,
  );
  const nClusters = Number(await page.getByTestId('n-clusters').textContent());
  const bars = page.getByTestId('bulk-bar');
  await expect(bars).toHaveCount(SAMPLES);
  expect(await bars.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-sample')))).toEqual([
    'bulk1',
    'bulk2',
    'bulk3',
  ]);
  const barSums = await bars.evaluateAll((gs) =>
    gs.map((g) => {
      const rects = [...g.querySelectorAll('rect')];
      return {
        segments: rects.length,
        fraction: rects.reduce((a, r) => a + Number(r.getAttribute('data-fraction')), 0),
        width: rects.reduce((a, r) => a + Number(r.getAttribute('width')), 0),
      };
    }),
  );
  for (const b of barSums) {
    expect(b.segments).toBe(nClusters);
    expect(b.fraction).toBeCloseTo(1, 6);
    expect(b.width).toBeCloseTo(360, 3);
  }

  // The download: header, every sample and cluster, each sample summing to 1.
  const file = await download(page, 'bulk-proportions');
  expect(file.name).toBe('bulk_proportions.csv');
  const rows = parseCsv(file.text);
  expect(rows[0]).toEqual(['sample', 'cluster', 'proportion']);
  expect(rows).toHaveLength(1 + SAMPLES * nClusters);
  const sums = new Map<string, number>();
  for (const [sample, cluster, p] of rows.slice(1)) {
    expect(Number(cluster)).toBeLessThan(nClusters);
    expect(Number(p)).toBeGreaterThanOrEqual(0);
    sums.set(sample!, (sums.get(sample!) ?? 0) + Number(p));
  }
  expect([...sums.keys()]).toEqual(['bulk1', 'bulk2', 'bulk3']);
  for (const s of sums.values()) expect(s).toBeCloseTo(1, 4);

  const profiles = await download(page, 'bulk-profiles');
  expect(profiles.name).toBe('bulk_profiles.csv');
  expect(parseCsv(profiles.text)).toHaveLength(GENES + 1);
  const manifest = JSON.parse((await download(page, 'manifest')).text) as {
    bulk: { file: string; samples: number; matchedGenes: number };
    outputs: Record<string, string>;
  };
  expect(manifest.bulk).toMatchObject({ file: 'pseudo-bulk.csv', samples: SAMPLES, matchedGenes: GENES });
  expect(manifest.outputs.bulkProportions).toBe('bulk_proportions.csv');

  // The new views are labelled and have text alternatives, like the rest of the page.
  await page.getByText('Proportions as a table').click();
  await expect(page.getByTestId('bulk-table').getByRole('row')).toHaveCount(SAMPLES + 1);
  await expectNoAxeViolations(page);
});

test('a bad bulk file shows a readable error and the page stays usable', async ({ page }) => {
  await loadExample(page);
  const input = page.getByTestId('bulk-input');
  const error = page.getByTestId('bulk-error');

  await input.setInputFiles({
    name: 'broken.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('gene,s1,s2\nENSMUSG00000098178,12,n/a\n'),
  });
  await expect(error).toContainText('broken.csv (line 2)');
  await expect(error).toContainText('"n/a" is not a number');

  await input.setInputFiles({
    name: 'human.tsv',
    mimeType: 'text/tab-separated-values',
    buffer: Buffer.from('gene\ts1\nACTB\t10\nGAPDH\t20\n'),
  });
  await expect(error).toContainText('human.tsv: only 0 of the 2000 single-cell genes');
  await expect(page.getByTestId('bulk-overlap')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Add bulk RNA-seq (optional)…' })).toBeEnabled();
});
