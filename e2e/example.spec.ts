/**
 * The embedded example: loading it through the worker, the dataset and preprocessing summaries (checked
 * against numbers computed here from the same files) and a parameter change.
 */
import { mkdirSync, statSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import {
  exampleCounts,
  exampleLabels,
  intOf,
  intsOf,
  labelsExpectations,
  openPage,
  preprocessExpectations,
  waitForDataset,
} from './helpers.ts';

test('load the example dataset and preview preprocessing', async ({ page }) => {
  const expected = preprocessExpectations(exampleCounts);
  const labels = labelsExpectations(exampleLabels);
  expect(expected.nCells).toBe(124);
  expect(expected.nGenes).toBe(2000);

  await openPage(page);
  await page.getByRole('button', { name: 'Load the example dataset' }).click();
  await waitForDataset(page, 'goolam');

  const summary = page.getByTestId('dataset-summary');
  await expect(summary.getByTestId('n-cells')).toHaveText('124');
  await expect(summary.getByTestId('n-genes')).toHaveText('2,000');
  expect(await intOf(summary.getByTestId('nnz'))).toBe(expected.nnz);
  const sparsity = 1 - expected.nnz / (expected.nCells * expected.nGenes);
  await expect(summary.getByTestId('sparsity')).toHaveText(`${(sparsity * 100).toFixed(2)} %`);
  await expect(summary.getByTestId('format-code')).toHaveText('csv');
  await expect(summary.getByTestId('integer-valued')).toHaveText('integer counts');
  await expect(summary.getByTestId('orientation')).toHaveAttribute('data-orientation', 'genes-x-cells');
  await expect(summary.getByTestId('cell-ids')).toContainText('2cell_1_A');
  await expect(summary.getByTestId('gene-ids')).toContainText('ENSMUSG00000098178');
  expect(await intsOf(summary.getByTestId('labels-matched'))).toEqual([labels.nRows, 124]);
  await expect(summary.getByTestId('labels-matched')).toHaveText('124 of 124');
  await expect(summary.getByTestId('labels-unmatched')).toHaveText('0');
  await expect(summary.getByTestId('labels-classes')).toHaveText(String(labels.nClasses));
  await expect(summary.getByTestId('labels-classes')).toHaveText('5');

  const pre = page.getByTestId('preprocess-summary');
  await expect(pre.getByTestId('genes-passing')).toContainText(/\d/);
  expect(await intsOf(pre.getByTestId('genes-passing'))).toEqual([expected.genesPassing, 2000, 2]);
  expect((await intsOf(pre.getByTestId('cells-passing'))).slice(0, 2)).toEqual([expected.cellsPassing, 124]);
  expect(await intOf(pre.getByTestId('genes-selected'))).toBe(expected.genesSelected);
  expect(await intsOf(pre.getByTestId('output-shape'))).toEqual([
    expected.cellsPassing,
    expected.genesSelected,
  ]);
  const outSparsity = 1 - expected.outputNnz / (expected.cellsPassing * expected.genesSelected);
  await expect(pre.getByTestId('output-sparsity')).toHaveText(`${(outSparsity * 100).toFixed(2)} %`);
  expect(expected.cellsPassing).toBeLessThanOrEqual(124);
  expect(expected.genesSelected).toBeGreaterThan(0);
  await expect(pre.getByTestId('top-genes')).toContainText('ENSMUSG');

  mkdirSync('docs/screenshots', { recursive: true });
  await page.screenshot({ path: 'docs/screenshots/foundation.png', fullPage: true });

  // A parameter change recomputes the preview (debounced).
  const top = page.getByLabel('Number of top variable genes');
  await top.fill('500');
  const expected500 = preprocessExpectations(exampleCounts, {
    minCellFraction: 0.01,
    minGeneFraction: 0.01,
    nTopGenes: 500,
  });
  await expect(pre.getByTestId('genes-selected')).toHaveText('500');
  expect(await intsOf(pre.getByTestId('output-shape'))).toEqual([expected500.cellsPassing, 500]);
  const outSparsity500 = 1 - expected500.outputNnz / (expected500.cellsPassing * 500);
  await expect(pre.getByTestId('output-sparsity')).toHaveText(`${(outSparsity500 * 100).toFixed(2)} %`);
});

test('the page receives the example as the stored gzip bytes', async ({ page, request }) => {
  // Not served with Content-Encoding: gzip (which would make the browser inflate it)...
  const head = await request.head('/example/goolam-counts.csv.gzip');
  expect(head.status()).toBe(200);
  expect(head.headers()['content-encoding']).toBeUndefined();
  // ...so fetch() in the page sees the gzip file itself (the preview server may still compress it in transit).
  await openPage(page);
  const bytes = await page.evaluate(async () => {
    const buf = new Uint8Array(await (await fetch('/example/goolam-counts.csv.gzip')).arrayBuffer());
    return { size: buf.byteLength, magic: [buf[0], buf[1]] };
  });
  expect(bytes.magic).toEqual([0x1f, 0x8b]);
  expect(bytes.size).toBe(statSync(exampleCounts).size);
});
