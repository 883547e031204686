/**
 * Shared helpers for the browser tests: paths to the shared fixtures, reading the page's numbers, and
 * expectations computed independently from the fixture files (node:zlib, no app code).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

export const dataRoot = path.resolve(process.cwd(), '../shared/data');
export const tenxV3Dir = path.join(
  dataRoot,
  'tenx_format_fixtures_unlabeled/original/10x_data/3.0.0/filtered_feature_bc_matrix',
);
export const tenxV3H5 = `${tenxV3Dir}.h5`;
export const exampleCounts = path.resolve(process.cwd(), 'public/example/goolam-counts.csv.gzip');
export const exampleLabels = path.resolve(process.cwd(), 'public/example/goolam-labels.csv');

/** The first integer in an element's text ("2,000 of 2,000" → 2000). */
export async function intOf(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? '';
  const m = /-?[\d,]+/.exec(text);
  if (!m) throw new Error(`no number in "${text}"`);
  return Number(m[0].replace(/,/g, ''));
}

/** All integers in an element's text. */
export async function intsOf(locator: Locator): Promise<number[]> {
  const text = (await locator.textContent()) ?? '';
  return [...text.matchAll(/\d[\d,]*/g)].map((m) => Number(m[0].replace(/,/g, '')));
}

/** Open the page and wait until the app is mounted. */
export async function openPage(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByRole('heading', { level: 1, name: 'scGNN Web' })).toBeVisible();
}

/** Wait until a dataset whose name contains `name` is shown and no load is running. */
export async function waitForDataset(page: Page, name: string | RegExp): Promise<void> {
  await expect(page.getByTestId('dataset-name')).toContainText(name, { timeout: 90_000 });
  await expect(page.getByTestId('load-progress')).toHaveCount(0);
}

function lines(buf: Buffer): string[] {
  return buf
    .toString('utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
}

function maybeGunzip(file: string): Buffer {
  const raw = readFileSync(file);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

/** Dimensions of a 10x MTX folder: cells = barcodes, genes = features, nnz from the MTX header. */
export function tenxExpectations(dir: string): { nCells: number; nGenes: number; nnz: number } {
  const nCells = lines(maybeGunzip(path.join(dir, 'barcodes.tsv.gz'))).length;
  const nGenes = lines(maybeGunzip(path.join(dir, 'features.tsv.gz'))).length;
  const header = lines(maybeGunzip(path.join(dir, 'matrix.mtx.gz'))).find((l) => !l.startsWith('%'));
  const [rows, cols, nnz] = (header ?? '').trim().split(/\s+/).map(Number);
  if (rows !== nGenes || cols !== nCells || nnz === undefined) throw new Error('unexpected 10x fixture');
  return { nCells, nGenes, nnz };
}

export interface PreprocessExpectation {
  nCells: number;
  nGenes: number;
  nnz: number;
  genesPassing: number;
  cellsPassing: number;
  genesSelected: number;
  outputNnz: number;
}

/**
 * The scGNN preprocessing filters applied to a genes x cells CSV, written independently of the app: genes
 * detected in >= minCellFraction of cells, then cells detecting >= minGeneFraction of the kept genes, then
 * the nTopGenes most variable kept genes (variance over the kept cells, ddof = 1).
 */
export function preprocessExpectations(
  csvGz: string,
  p = { minCellFraction: 0.01, minGeneFraction: 0.01, nTopGenes: 2000 },
): PreprocessExpectation {
  const rows = lines(maybeGunzip(csvGz)).slice(1);
  const genes = rows.map((r) => r.split(',').slice(1).map(Number));
  const nGenes = genes.length;
  const nCells = genes[0]?.length ?? 0;
  let nnz = 0;
  const geneKept = genes.map((g) => {
    const nz = g.filter((v) => v !== 0).length;
    nnz += nz;
    return nz / nCells >= p.minCellFraction;
  });
  const kept = genes.filter((_, i) => geneKept[i]);
  const cellsKept: number[] = [];
  for (let c = 0; c < nCells; c++) {
    const nz = kept.filter((g) => g[c] !== 0).length;
    if (kept.length > 0 && nz / kept.length >= p.minGeneFraction) cellsKept.push(c);
  }
  const variance = kept.map((g) => {
    const vals = cellsKept.map((c) => g[c]!);
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    return vals.reduce((a, v) => a + (v - mean) ** 2, 0) / (vals.length - 1);
  });
  const order = kept.map((_, i) => i).sort((a, b) => variance[b]! - variance[a]! || a - b);
  const chosen = order.slice(0, Math.min(p.nTopGenes, kept.length));
  let outputNnz = 0;
  for (const gi of chosen) for (const c of cellsKept) if (kept[gi]![c] !== 0) outputNnz++;
  return {
    nCells,
    nGenes,
    nnz,
    genesPassing: kept.length,
    cellsPassing: cellsKept.length,
    genesSelected: chosen.length,
    outputNnz,
  };
}

/** Cell labels file: number of rows and distinct classes. */
export function labelsExpectations(file: string): { nRows: number; nClasses: number } {
  const rows = lines(readFileSync(file)).slice(1);
  return { nRows: rows.length, nClasses: new Set(rows.map((r) => r.split(',')[1])).size };
}

/** No WCAG 2.1 A/AA violations (axe-core): labels, names, text alternatives, contrast, structure. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.length}) e.g. ${v.nodes[0]?.target.join(' ')}`,
  );
  expect(summary).toEqual([]);
}

/** Rows of a small CSV (no quoted fields). */
export function parseCsv(text: string): string[][] {
  return text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));
}

/** ARI between two labelings (the test's own, independent of the app's metrics code). */
export function ari(a: number[], b: number[]): number {
  const n = a.length;
  const table = new Map<string, number>();
  const ra = new Map<number, number>();
  const rb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const k = `${a[i]},${b[i]}`;
    table.set(k, (table.get(k) ?? 0) + 1);
    ra.set(a[i]!, (ra.get(a[i]!) ?? 0) + 1);
    rb.set(b[i]!, (rb.get(b[i]!) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let sij = 0;
  for (const v of table.values()) sij += c2(v);
  let sa = 0;
  for (const v of ra.values()) sa += c2(v);
  let sb = 0;
  for (const v of rb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (sij - expected) / (max - expected);
}

/** Click an export button and read the file it downloads. */
export async function download(page: Page, button: string): Promise<{ name: string; text: string }> {
  const wait = page.waitForEvent('download');
  await page.locator(`button[data-export="${button}"]`).click();
  const d = await wait;
  const file = await d.path();
  if (!file) throw new Error(`the download of ${button} failed`);
  return { name: d.suggestedFilename(), text: readFileSync(file, 'utf8') };
}
