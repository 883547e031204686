/**
 * A malformed file: the engine's message (file and line) is shown in an alert, the previous dataset stays
 * loaded and shown, and the next good load clears the alert.
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
