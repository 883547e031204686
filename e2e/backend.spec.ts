/**
 * The compute backend: with the default ('auto') the worker picks WebGPU (SwiftShader on this machine).
 */
import { expect, test } from '@playwright/test';
import { openPage } from './helpers.ts';

test('the page reports the WebGPU backend', async ({ page }) => {
  await openPage(page);
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-backend', /.+/, { timeout: 90_000 });
  const text = (await badge.textContent()) ?? '';
  console.log(`backend badge: ${text}`);
  await expect(badge).toHaveAttribute('data-backend', 'webgpu');
  expect(text.toLowerCase()).toContain('webgpu');
  expect(text).toMatch(/warm-up \d+ ms/);
  if (!/swiftshader/i.test(text)) console.log('note: the adapter is not SwiftShader on this machine');
});

test('the backend can be chosen in the URL', async ({ page }) => {
  await openPage(page, '?backend=cpu');
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-backend', 'cpu', { timeout: 90_000 });
  await expect(badge).toContainText('CPU');
});
