/**
 * A malformed file: the engine's message (file and line) is shown in an alert, the previous dataset stays
 * loaded and shown, and the next good load clears the alert. The same for an all-zero matrix, text named
 * .h5/.h5ad and a binary labels file; a dataset too small after preprocessing disables Run with the reason.
 */
import { expect, test } from '@playwright/test';
import { openPage, waitForDataset } from './helpers.ts';

const csv = (text: string, name: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

const GOOD_A = 'gene,c1,c2,c3,c4\ng1,1,0,2,5\ng2,0,3,1,0\ng3,4,4,0,1\n';
const GOOD_B = 'gene,d1,d2,d3\ng1,1,0,2\ng2,0,3,1\ng3,4,4,0\ng4,2,0,0\ng5,0,1,7\n';
const BAD = 'gene,c1,c2,c3\ng1,1,0,2\ng2,0,x3,1\ng3,1,1,1\n';

test('a malformed CSV shows the error and keeps the previous dataset', async ({ page }) => {
  await openPage(page);
  const input = page.getByTestId('file-input');

  await input.setInputFiles(csv(GOOD_A, 'good-a.csv'));
  await waitForDataset(page, 'good-a');
  const summary = page.getByTestId('dataset-summary');
  const nnzA = await summary.getByTestId('nnz').textContent();
  expect(nnzA).toBe('8');

  await input.setInputFiles(csv(BAD, 'bad.csv'));
  const alert = page.getByRole('alert').filter({ hasText: 'could not be loaded' });
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('load-error')).toBeVisible();
  const message = (await page.getByTestId('load-error-message').textContent()) ?? '';
  console.log(`error message: ${message}`);
  expect(message).toContain('bad.csv');
  expect(message).toMatch(/line 3\b/);
  await expect(alert).toContainText('The previously loaded dataset (good-a');
  await expect(alert).toContainText('is still loaded.');
  await expect(page.getByTestId('dataset-name')).toContainText('good-a');
  await expect(summary.getByTestId('nnz')).toHaveText('8');

  await input.setInputFiles(csv(GOOD_B, 'good-b.csv'));
  await waitForDataset(page, 'good-b');
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expect(summary.getByTestId('nnz')).toHaveText('9');
  const dims = [
    await summary.getByTestId('n-cells').textContent(),
    await summary.getByTestId('n-genes').textContent(),
  ];
  expect(dims.sort()).toEqual(['3', '5']);
});

const bytes = (data: number[] | string, name: string, mimeType = 'application/octet-stream') => ({
  name,
  mimeType,
  buffer: typeof data === 'string' ? Buffer.from(data) : Buffer.from(Uint8Array.from(data)),
});

test('an all-zero matrix, text named .h5 or .h5ad, and a binary labels file each get a specific message', async ({
  page,
}) => {
  await openPage(page);
  const input = page.getByTestId('file-input');
  await input.setInputFiles(csv(GOOD_A, 'good-a.csv'));
  await waitForDataset(page, 'good-a');

  const cases = [
    {
      files: [csv('gene,c1,c2,c3\ng1,0,0,0\ng2,0,0,0\n', 'zeros.csv')],
      parts: ['zeros.csv', 'every count is zero'],
    },
    {
      files: [bytes(GOOD_A, 'counts.h5')],
      parts: ['counts.h5', 'not an HDF5 file', 'rename it to end in .csv'],
    },
    { files: [bytes('not AnnData at all\n', 'adata.h5ad')], parts: ['adata.h5ad', 'not an HDF5 file'] },
    {
      files: [
        csv(GOOD_B, 'good-b.csv'),
        bytes([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0xff, 0xfe], 'labels.csv'),
      ],
      parts: ['labels.csv', 'not a text file'],
    },
  ];
  for (const { files, parts } of cases) {
    await input.setInputFiles(files);
    const message = page.getByTestId('load-error-message');
    await expect(message).toContainText(parts[0]!, { timeout: 60_000 });
    for (const part of parts) await expect(message).toContainText(part);
    await expect(message).not.toContainText('Unexpected error');
    await expect(page.getByTestId('load-error')).toContainText('The previously loaded dataset (good-a');
    await expect(page.getByTestId('dataset-name')).toContainText('good-a');
  }
});

test('too few cells after preprocessing: the reason beside the preprocessing summary, and Run disabled', async ({
  page,
}) => {
  await openPage(page);
  await page.getByTestId('file-input').setInputFiles(csv(GOOD_A, 'good-a.csv'));
  await waitForDataset(page, 'good-a');
  const tooFew = page.getByTestId('preflight-too-few');
  await expect(tooFew).toBeVisible({ timeout: 30_000 });
  await expect(tooFew).toContainText(/good-a\.csv: preprocessing keeps [34] cells/);
  await expect(tooFew).toContainText('at least 11 cells');
  await expect(page.getByTestId('preprocess-summary')).toContainText('at least 11 cells');
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await expect(run).toBeDisabled();
  await expect(page.getByTestId('run-blocked')).toContainText('Run is disabled: good-a.csv');
  await expect(page.getByTestId('load-error')).toHaveCount(0);

  // A dataset large enough clears both.
  await page.getByRole('button', { name: 'Load the example dataset' }).click();
  await waitForDataset(page, 'goolam');
  await expect(tooFew).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('run-blocked')).toHaveCount(0);
  await expect(run).toBeEnabled();
});
