/**
 * Screenshots of the main views for the README (`npm run docs:screenshots`): builds nothing itself, serves
 * dist/ with `vite preview`, drives headless Chromium (WebGPU on SwiftShader) through the embedded example with
 * the "Quick look" preset on 500 genes, and writes PNGs to docs/screenshots/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium, type Locator } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../e2e/chromium.ts';

const port = 4179;
const out = 'docs/screenshots';
mkdirSync(out, { recursive: true });
const server = spawn(
  'npx',
  ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
  {
    stdio: 'ignore',
  },
);
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  for (let i = 0; ; i++) {
    try {
      await page.goto(`http://127.0.0.1:${port}/`);
      break;
    } catch (e) {
      if (i > 30) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const shot = async (locator: Locator, name: string) => {
    await locator.scrollIntoViewIfNeeded();
    await locator.screenshot({ path: `${out}/${name}.png` });
    console.log(`wrote ${out}/${name}.png`);
  };
  await page.getByRole('button', { name: 'Load the example dataset' }).click();
  await page.getByTestId('dataset-name').waitFor({ timeout: 60_000 });
  await page.getByLabel('Number of top variable genes').fill('500');
  await page.getByLabel('Quick look').check();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByTestId('iteration-row').first().waitFor({ timeout: 600_000 });
  await page.getByTestId('graph-preview').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(3000);
  await shot(page.locator('section[aria-labelledby="progress-title"]'), 'run-progress');
  await shot(page.locator('section[aria-labelledby="graph-title"]'), 'run-live-graph');
  await page.getByText('Finished.').waitFor({ timeout: 600_000 });
  await page.getByTestId('graph-view').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(8000);
  await shot(page.locator('section[aria-labelledby="run-title"]'), 'run-controls');
  await shot(page.locator('section[aria-labelledby="graph-title"]'), 'cell-graph');
  await page.getByRole('table', { name: /Marker genes/ }).waitFor({ timeout: 120_000 });
  await shot(page.locator('section[aria-labelledby="results-title"]'), 'results');
  await shot(page.locator('section[aria-labelledby="export-title"]'), 'downloads');
} finally {
  await browser.close();
  server.kill();
}
