/**
 * Orientation of delimited text: the example counts (without labels) dropped as a .csv.gz are read as
 * genes x cells; flipping re-reads them as cells x genes and the preprocessing preview follows.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { exampleCounts, intsOf, openPage, waitForDataset } from './helpers.ts';

test('flip the orientation of a CSV and back', async ({ page }) => {
  await openPage(page);
  await page.getByTestId('file-input').setInputFiles({
    name: 'goolam-counts.csv.gz',
    mimeType: 'application/gzip',
    buffer: readFileSync(exampleCounts),
  });
  await waitForDataset(page, 'goolam-counts');
  const summary = page.getByTestId('dataset-summary');
  const pre = page.getByTestId('preprocess-summary');
  await expect(summary.getByTestId('orientation')).toHaveAttribute('data-orientation', 'genes-x-cells');
  await expect(summary.getByTestId('orientation-reason')).toContainText(/\w+/);
  await expect(summary.getByTestId('n-cells')).toHaveText('124');
  await expect(pre.getByTestId('genes-passing')).toContainText('of 2,000');

  await page.getByRole('button', { name: 'Flip: treat rows as cells' }).click();
  await expect(summary.getByTestId('orientation')).toHaveAttribute('data-orientation', 'cells-x-genes');
  await expect(summary.getByTestId('n-cells')).toHaveText('2,000');
  await expect(summary.getByTestId('n-genes')).toHaveText('124');
  await expect(summary.getByTestId('cell-ids')).toContainText('ENSMUSG00000098178');
  await expect(pre.getByTestId('genes-passing')).toContainText('of 124');
  expect((await intsOf(pre.getByTestId('cells-passing')))[1]).toBe(2000);

  await page.getByRole('button', { name: 'Flip: treat rows as genes' }).click();
  await expect(summary.getByTestId('orientation')).toHaveAttribute('data-orientation', 'genes-x-cells');
  await expect(summary.getByTestId('n-cells')).toHaveText('124');
  await expect(pre.getByTestId('genes-passing')).toContainText('of 2,000');
  await expect(page.getByTestId('load-error')).toHaveCount(0);
});
