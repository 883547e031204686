/**
 * 10x Genomics inputs: a v3 folder (folder picker and its three files) and the matching .h5 file; the
 * expected dimensions come from the fixture's barcodes, features and matrix header.
 */
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { intOf, openPage, tenxExpectations, tenxV3Dir, tenxV3H5, waitForDataset } from './helpers.ts';

const expected = tenxExpectations(tenxV3Dir);

async function expectTenxSummary(page: Page, format: string): Promise<void> {
  const summary = page.getByTestId('dataset-summary');
  await expect(summary.getByTestId('format-code')).toHaveText(format);
  expect(await intOf(summary.getByTestId('n-cells'))).toBe(expected.nCells);
  expect(await intOf(summary.getByTestId('n-genes'))).toBe(expected.nGenes);
  expect(await intOf(summary.getByTestId('nnz'))).toBe(expected.nnz);
  await expect(summary.getByTestId('orientation')).toHaveCount(0);
  await expect(page.getByTestId('preprocess-summary').getByTestId('genes-selected')).toHaveText(/^[\d,]+$/);
}

test('load a 10x v3 folder through the folder picker and as three files', async ({ page }) => {
  await openPage(page);
  await page.getByTestId('folder-input').setInputFiles(tenxV3Dir);
  await waitForDataset(page, /filtered_feature_bc_matrix|matrix/);
  await expectTenxSummary(page, 'mtx-v3');
  await expect(page.getByTestId('source-files')).toContainText('barcodes.tsv.gz');

  const files = ['matrix.mtx.gz', 'features.tsv.gz', 'barcodes.tsv.gz'].map((f) => path.join(tenxV3Dir, f));
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('load-progress')).toHaveCount(0, { timeout: 90_000 });
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expectTenxSummary(page, 'mtx-v3');
});

test('load a 10x v3 .h5 file', async ({ page }) => {
  await openPage(page);
  await page.getByTestId('file-input').setInputFiles(tenxV3H5);
  await waitForDataset(page, /\.h5|filtered_feature_bc_matrix/);
  await expectTenxSummary(page, 'h5-10x-v3');
});
