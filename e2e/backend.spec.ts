/**
 * The compute backend. With the default ('auto') the worker checks and times the backends and uses the
 * fastest correct one: WebAssembly on a machine without a GPU (this one: WebGPU and WebGL exist only on
 * SwiftShader, a software GPU, which counts as CPU-class), on all its cores when the page is cross-origin
 * isolated. `?backend=` forces one.
 */
import { expect, test } from '@playwright/test';
import { openPage } from './helpers.ts';

test('the page chooses the backend by probe and says why', async ({ page }) => {
  await openPage(page);
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-backend', /.+/, { timeout: 90_000 });
  const text = (await badge.textContent()) ?? '';
  console.log(`backend badge: ${text}`);
  const candidates = page.getByTestId('backend-candidates').locator('li');
  const outcomes = await candidates.evaluateAll((ls) =>
    ls.map((l) => [l.getAttribute('data-candidate'), l.getAttribute('data-outcome')]),
  );
  // Every backend of the build is listed, exactly one is chosen.
  expect(outcomes.map((o) => o[0]).sort()).toEqual(['cpu', 'wasm', 'webgl', 'webgpu']);
  expect(outcomes.filter((o) => o[1] === 'chosen')).toHaveLength(1);
  const chosen = (await badge.getAttribute('data-backend'))!;
  expect(outcomes.find((o) => o[1] === 'chosen')![0]).toBe(chosen);
  expect(text).toMatch(/probe \d+(\.\d)? (ms|s)/);
  const software = /swiftshader|llvmpipe/i.test(text);
  if (software) {
    // No hardware GPU here: WebAssembly on every core (the page is cross-origin isolated).
    expect(chosen).toBe('wasm');
    await expect(badge).toHaveAttribute('data-compute-class', 'cpu');
    // One thread per core, up to tfjs-backend-wasm's pool of 8.
    const threads = Math.min(8, await page.evaluate(() => navigator.hardwareConcurrency));
    expect(text).toContain(`${threads} thread${threads === 1 ? '' : 's'}`);
    await expect(candidates.filter({ hasText: 'WebGPU' })).toContainText(/software|CPU-class/);
  } else {
    console.log('note: this machine has a hardware GPU adapter');
  }
});

test('the backend can be forced in the URL', async ({ page }) => {
  await openPage(page, '?backend=cpu');
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-backend', 'cpu', { timeout: 90_000 });
  await expect(badge).toContainText('CPU');
  await expect(badge).toContainText('asked for (?backend=cpu)');
});
