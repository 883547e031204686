/**
 * Drag and drop: the three files of a 10x v3 folder dropped on the drop zone load as one dataset. (Playwright
 * cannot drop real folders; the folder walk uses the same loader path as the folder picker, tested in
 * tenx.spec.ts.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { intOf, openPage, tenxExpectations, tenxV3Dir, waitForDataset } from './helpers.ts';

test('drop the three files of a 10x folder on the drop zone', async ({ page }) => {
  const expected = tenxExpectations(tenxV3Dir);
  await openPage(page);
  const files = ['barcodes.tsv.gz', 'features.tsv.gz', 'matrix.mtx.gz'].map((name) => ({
    name,
    bytes: [...readFileSync(path.join(tenxV3Dir, name))],
  }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
    return dt;
  }, files);
  const zone = page.getByTestId('dropzone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await waitForDataset(page, /\w/);
  const summary = page.getByTestId('dataset-summary');
  await expect(summary.getByTestId('format-code')).toHaveText('mtx-v3');
  expect(await intOf(summary.getByTestId('n-cells'))).toBe(expected.nCells);
  expect(await intOf(summary.getByTestId('n-genes'))).toBe(expected.nGenes);
});
