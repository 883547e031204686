/**
 * Tests for the delimited (CSV/TSV) loader: every real dataset against an independent string-based parse,
 * a corpus of malformed files (error code, file name, line and detail), layout and encoding variants, and
 * chunk boundaries (the same bytes streamed in tiny pieces must give the same matrix).
 */
import { createRng } from '../core/rng.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { LoadedDataset } from '../core/dataset.ts';
import { csrGet, csrToDense, type CsrMatrix } from '../core/matrix/csr.ts';
import { detectOrientation, flipOrientation, loadDelimited } from './delimited.ts';
import { InputError, type InputErrorCode } from './errors.ts';
import { inputFileFromBytes, readChunks, type InputFile } from './input-file.ts';
import type { LoadOptions, LoadProgress } from './load-types.ts';
import { inputFileFromPath } from './node-input.ts';

const DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));
const hasData = existsSync(DATA);

/** A seeded generator, so spot checks are reproducible. */
const seeded = (seed: number): (() => number) => createRng(seed).next;

/** An InputFile whose blob streams in pieces of `size` bytes (Blob.stream yields one chunk per part). */
function chunkedFile(name: string, content: Uint8Array | string, size: number): InputFile {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.slice(i, i + size));
  return { name, relativePath: name, blob: new Blob(parts) };
}

function load(name: string, content: string | Uint8Array, opts?: LoadOptions): Promise<LoadedDataset> {
  return loadDelimited(inputFileFromBytes(name, content), opts);
}

/** Dense cells x genes view as nested arrays, for small matrices. */
function dense(m: CsrMatrix): number[][] {
  const d = csrToDense(m);
  return Array.from({ length: m.nRows }, (_, r) => Array.from(d.subarray(r * m.nCols, (r + 1) * m.nCols)));
}

function expectSameDataset(a: LoadedDataset, b: LoadedDataset): void {
  expect(a.matrix.cellIds).toEqual(b.matrix.cellIds);
  expect(a.matrix.geneIds).toEqual(b.matrix.geneIds);
  const x = a.matrix.counts;
  const y = b.matrix.counts;
  expect([x.nRows, x.nCols]).toEqual([y.nRows, y.nCols]);
  expect(Buffer.from(x.indptr.buffer).equals(Buffer.from(y.indptr.buffer))).toBe(true);
  expect(Buffer.from(x.indices.buffer).equals(Buffer.from(y.indices.buffer))).toBe(true);
  expect(Buffer.from(x.values.buffer).equals(Buffer.from(y.values.buffer))).toBe(true);
  expect(a.orientation).toEqual(b.orientation);
  expect(a.integerValued).toBe(b.integerValued);
}

async function expectInputError(
  promise: Promise<unknown>,
  code: InputErrorCode,
  parts: (string | RegExp)[],
): Promise<InputError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected an InputError '${code}'`).toBeInstanceOf(InputError);
  const err = caught as InputError;
  expect(err.code, err.message).toBe(code);
  for (const part of parts) {
    if (typeof part === 'string') expect(err.message).toContain(part);
    else expect(err.message).toMatch(part);
  }
  return err;
}

// README table: cells and genes per dataset.
const README_DIMS: Record<string, [cells: number, genes: number]> = {
  goolam_smartseq2_top2000: [124, 2000],
  cellbench_dropseq_3cl: [225, 15127],
  pollen_simlr_lognorm: [249, 6982],
  cellbench_celseq2_3cl: [274, 28204],
  chung_breast_top2000: [317, 2000],
  klein2015_subset1000_top900: [1000, 900],
  shalek2014_bmdc_top2000: [1059, 2000],
  mouse_bladder_han2018_top2000: [2746, 2003],
  ifnb_kang2018_2800: [2800, 14053],
  worm_neuron_cao2017: [4186, 13488],
  pbmc4k_10x_top2000: [4271, 2000],
  mouse_brain_10x_10k_subset_unlabeled: [10000, 1000],
};
const NON_COUNT = new Set(['pollen_simlr_lognorm', 'chung_breast_top2000']);

const datasets = hasData
  ? readdirSync(DATA)
      .filter((d) => existsSync(join(DATA, d, 'counts.csv.gz')))
      .sort()
  : [];

describe.skipIf(!hasData)('real datasets (../shared/data)', () => {
  it('finds every dataset of the README', () => {
    expect(datasets).toEqual(Object.keys(README_DIMS).sort());
  });

  it.each(datasets)('%s loads with the right shape, ids and values', async (name) => {
    const path = join(DATA, name, 'counts.csv.gz');
    const ds = await loadDelimited(await inputFileFromPath(path));

    // Independent parse: plain string splitting of the gunzipped text.
    const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
    while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
    const header = lines[0]!.split(',');
    const cells = header.slice(1);
    const genes = lines.slice(1).map((l) => l.slice(0, l.indexOf(',')));

    const [readmeCells, readmeGenes] = README_DIMS[name]!;
    expect(cells.length).toBe(readmeCells);
    expect(genes.length).toBe(readmeGenes);

    const m = ds.matrix;
    expect(ds.format).toBe('csv');
    expect(ds.name).toBe('counts.csv.gz');
    expect(ds.orientation?.chosen).toBe('genes-x-cells');
    expect(m.counts.nRows).toBe(readmeCells);
    expect(m.counts.nCols).toBe(readmeGenes);
    expect(m.cellIds.length).toBe(readmeCells);
    expect(m.geneIds.length).toBe(readmeGenes);
    expect([m.cellIds[0], m.cellIds.at(-1)]).toEqual([cells[0], cells.at(-1)]);
    expect([m.geneIds[0], m.geneIds.at(-1)]).toEqual([genes[0], genes.at(-1)]);
    expect(ds.integerValued).toBe(!NON_COUNT.has(name));
    expect(ds.warnings.some((w) => w.includes('not all integers'))).toBe(NON_COUNT.has(name));

    const rand = seeded(name.length * 7919 + 17);
    // 20 random entries.
    for (let k = 0; k < 20; k++) {
      const g = Math.floor(rand() * genes.length);
      const c = Math.floor(rand() * cells.length);
      const fields = lines[g + 1]!.split(',');
      expect(csrGet(m.counts, c, g), `${genes[g]} x ${cells[c]}`).toBe(Math.fround(Number(fields[c + 1])));
    }
    // Whole rows of 3 random genes (each a column of the cells x genes matrix), zeros included.
    for (let k = 0; k < 3; k++) {
      const g = Math.floor(rand() * genes.length);
      const fields = lines[g + 1]!.split(',');
      const expected = fields.slice(1).map((f) => Math.fround(Number(f)));
      const got = Array.from({ length: cells.length }, (_, c) => csrGet(m.counts, c, g));
      expect(got).toEqual(expected);
    }
  });

  it('detectOrientation reads the real names both ways round', async () => {
    for (const name of datasets) {
      const text = gunzipSync(readFileSync(join(DATA, name, 'counts.csv.gz'))).toString('utf8');
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      const cells = lines[0]!.split(',').slice(1);
      const genes = lines.slice(1).map((l) => l.slice(0, l.indexOf(',')));
      expect(detectOrientation(genes, cells).chosen, name).toBe('genes-x-cells');
      expect(detectOrientation(cells, genes).chosen, name).toBe('cells-x-genes');
    }
  });

  it('gzip and plain text give identical results, also streamed in small chunks', async () => {
    const gz = readFileSync(join(DATA, 'goolam_smartseq2_top2000', 'counts.csv.gz'));
    const plain = gunzipSync(gz);
    const fromGz = await loadDelimited(
      await inputFileFromPath(join(DATA, 'goolam_smartseq2_top2000', 'counts.csv.gz')),
    );
    const fromPlain = await load('counts.csv', plain);
    expectSameDataset(fromGz, fromPlain);
    expectSameDataset(fromGz, await loadDelimited(chunkedFile('counts.csv', plain, 97)));
    expectSameDataset(fromGz, await loadDelimited(chunkedFile('counts.csv.gz', gz, 61)));
    expect(fromGz.sourceFiles).toEqual(['counts.csv.gz']);
  });

  it('reports progress at most ~10 times a second, ending at 1', async () => {
    const events: LoadProgress[] = [];
    const t0 = Date.now();
    const file = await inputFileFromPath(join(DATA, 'cellbench_dropseq_3cl', 'counts.csv.gz'));
    await loadDelimited(file, { onProgress: (p) => events.push(p) });
    const seconds = (Date.now() - t0) / 1000;
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    expect(events.at(-1)!.fraction).toBe(1);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.fraction).toBeGreaterThanOrEqual(events[i - 1]!.fraction);
    expect(events.every((e) => e.file === 'counts.csv.gz' && e.fraction > 0 && e.fraction <= 1)).toBe(true);
  });
});

describe('malformed input', () => {
  const ok = ',c1,c2\ng1,1,2\n';

  it('empty file (0 bytes)', async () => {
    await expectInputError(load('empty.csv', ''), 'empty-file', ['empty.csv', '0 bytes']);
  });

  it('whitespace-only file', async () => {
    await expectInputError(load('blank.csv', '  \n\n \t\r\n'), 'empty-file', [
      'blank.csv',
      'whitespace',
      '3 lines',
    ]);
  });

  it('header only, no data rows', async () => {
    await expectInputError(load('header.csv', ',c1,c2\n\n'), 'empty-file', [
      'header.csv',
      'line 1',
      'no data rows',
    ]);
  });

  it('non-numeric value', async () => {
    const err = await expectInputError(load('bad.csv', `${ok}g2,3,abc\n`), 'non-numeric', [
      'bad.csv',
      'line 3',
      '"abc"',
      '"c2"',
    ]);
    expect(err.location).toEqual({ line: 3, field: 'c2' });
  });

  it('long non-numeric token is truncated', async () => {
    const token = 'x'.repeat(200);
    const err = await expectInputError(load('long.csv', `${ok}g2,${token},1\n`), 'non-numeric', [
      'long.csv',
      'line 3',
    ]);
    expect(err.message.length).toBeLessThan(200);
  });

  it('NaN', async () => {
    await expectInputError(load('nan.csv', `${ok}g2,NaN,1\n`), 'non-finite', [
      'nan.csv',
      'line 3',
      '"NaN"',
      '"c1"',
    ]);
    await expectInputError(load('nan2.csv', `${ok}g2,1,nan\n`), 'non-finite', [
      'nan2.csv',
      'line 3',
      '"nan"',
    ]);
  });

  it('Inf and a value too large for float32', async () => {
    await expectInputError(load('inf.csv', `${ok}g2,Inf,1\n`), 'non-finite', ['inf.csv', 'line 3', '"Inf"']);
    await expectInputError(load('inf2.csv', `${ok}g2,1,-infinity\n`), 'non-finite', [
      'inf2.csv',
      '"-infinity"',
    ]);
    await expectInputError(load('big.csv', `${ok}g2,1,1e39\n`), 'non-finite', [
      'big.csv',
      'line 3',
      '"1e39"',
    ]);
  });

  it('NA is a missing value, not a number', async () => {
    await expectInputError(load('na.csv', `${ok}g2,NA,1\n`), 'non-numeric', [
      'na.csv',
      'line 3',
      '"NA"',
      'missing',
    ]);
    await expectInputError(load('gap.csv', `${ok}g2,,1\n`), 'non-numeric', [
      'gap.csv',
      'line 3',
      'empty',
      '"c1"',
    ]);
  });

  it('negative value', async () => {
    await expectInputError(load('neg.csv', `${ok}g2,1,-3\n`), 'negative-value', [
      'neg.csv',
      'line 3',
      '"-3"',
      'negative',
    ]);
  });

  it('ragged rows: too few and too many fields', async () => {
    await expectInputError(load('short.csv', `${ok}g2,1,2\ng3,1\n`), 'ragged-row', [
      'short.csv',
      'line 4',
      'expected 3 fields',
      'found 2',
    ]);
    await expectInputError(load('long.csv', `${ok}g2,1,2,3\n`), 'ragged-row', [
      'long.csv',
      'line 3',
      'expected 3',
      'found 4',
    ]);
    await expectInputError(load('trail.csv', `${ok}g2,1,2,\n`), 'ragged-row', [
      'trail.csv',
      'line 3',
      'ends with a delimiter',
    ]);
    await expectInputError(load('long.tsv', '\tc1\tc2\nActb\t1\t2\t3\n'), 'ragged-row', [
      'long.tsv',
      'line 2',
      'found 4',
    ]);
    // The first data row fits neither header layout.
    await expectInputError(load('first.csv', ',c1,c2\ng1,1,2,3,4\n'), 'ragged-row', [
      'first.csv',
      'line 2',
      'header',
    ]);
  });

  it('duplicate cell (column) id', async () => {
    await expectInputError(
      load('dupcol.csv', ',AAACCTGAGATAGGAG-1,x,AAACCTGAGATAGGAG-1\ng1,1,2,3\n'),
      'duplicate-id',
      ['dupcol.csv', 'line 1', '"AAACCTGAGATAGGAG-1"', 'columns 2 and 4'],
    );
  });

  it('duplicate gene (row) id', async () => {
    await expectInputError(load('duprow.csv', `${ok}Actb,1,2\ng1,3,4\n`), 'duplicate-id', [
      'duprow.csv',
      'line 4',
      '"g1"',
      'line 2 and line 4',
    ]);
  });

  it('binary garbage and non-UTF-8 text', async () => {
    const garbage = new Uint8Array(2048);
    const rand = seeded(3);
    for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(rand() * 256);
    garbage[0] = 0x50; // not the gzip magic
    garbage[1] = 0;
    await expectInputError(load('garbage.csv', garbage), 'unknown-format', [
      'garbage.csv',
      'line 1',
      'binary',
    ]);
    const latin1 = new Uint8Array([...new TextEncoder().encode(',c1\nMyg'), 0xe9, 0x2c, 0x31, 0x0a]);
    await expectInputError(load('latin1.csv', latin1), 'unknown-format', ['latin1.csv', 'line 2', 'UTF-8']);
    const hdf5 = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    await expectInputError(load('matrix.csv', hdf5), 'unknown-format', ['matrix.csv', 'not text']);
  });

  it('truncated gzip', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `g${i},${i % 7},${i % 3}`).join('\n');
    const gz = gzipSync(Buffer.from(`,c1,c2\n${rows}\n`));
    await expectInputError(load('cut.csv.gz', gz.subarray(0, Math.floor(gz.length / 2))), 'corrupt-file', [
      'cut.csv.gz',
      'truncated',
      /line \d+/,
    ]);
  });

  it('damaged gzip wins over the broken text it produced', async () => {
    // Repeating the header makes line 3 a row without a name.
    const gz = gzipSync(Buffer.from(',c1\nActb,1\n'.repeat(2000)));
    await expectInputError(load('cut2.csv.gz', gz.subarray(0, gz.length - 20)), 'corrupt-file', [
      'cut2.csv.gz',
      'truncated',
      'broken at line 3',
    ]);
    // Intact gzip: the content error itself is reported.
    await expectInputError(load('ok.csv.gz', gz), 'bad-header', ['ok.csv.gz', 'line 3', 'empty']);
  });

  it('memory budget exceeded', async () => {
    await expectInputError(load('huge.csv', `${ok}g2,1,2\n`, { memoryBudgetBytes: 1000 }), 'too-large', [
      'huge.csv',
      'line 2',
      '1000 B',
      'KB',
    ]);
  });

  it('unterminated quotes in the header and in a row name', async () => {
    await expectInputError(load('q1.csv', ',"c1,c2\ng1,1,2\n'), 'bad-header', ['q1.csv', 'line 1', 'quote']);
    await expectInputError(load('q2.csv', ',c1,c2\n"g1,1,2\n'), 'ragged-row', ['q2.csv', 'line 2']);
    await expectInputError(load('q3.csv', ',c1,c2\n"g1"x,1,2\n'), 'bad-header', [
      'q3.csv',
      'line 2',
      'quote',
    ]);
  });

  it('empty names', async () => {
    await expectInputError(load('noname.csv', `${ok},1,2\n`), 'bad-header', [
      'noname.csv',
      'line 3',
      'empty',
    ]);
    await expectInputError(load('nocol.csv', ',c1,,c3\ng1,1,2,3\n'), 'bad-header', [
      'nocol.csv',
      'line 1',
      'column 3',
    ]);
  });

  it('cancellation', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await expectInputError(load('stop.csv', `${ok}g2,1,2\n`, { signal: ctrl.signal }), 'cancelled', [
      'stop.csv',
    ]);
    // Aborted while reading: the first progress report cancels a file streamed in many pieces.
    const rows = Array.from({ length: 2000 }, (_, i) => `g${i},${i},1`).join('\n');
    const mid = new AbortController();
    let reports = 0;
    await expectInputError(
      loadDelimited(chunkedFile('mid.csv', `,c1,c2\n${rows}\n`, 100), {
        signal: mid.signal,
        onProgress: () => {
          reports++;
          mid.abort();
        },
      }),
      'cancelled',
      ['mid.csv', 'cancelled'],
    );
    expect(reports).toBe(1);
  });
});

describe('numbers', () => {
  it('parses integer, decimal and exponent syntax exactly like Number()', async () => {
    const tokens = [
      '0',
      '7',
      '+7',
      '007',
      '1.5',
      '.5',
      '5.',
      '3.0',
      '0.1',
      '1e-3',
      '2.5E+04',
      '1E5',
      '6.02214076e23',
      ' 8 ',
      '"9"',
      '" 10 "',
      '-0',
      '1234567890123456789',
      '0.000000000000000000000000001234',
      '1.00000000000000000001',
      '123456.789e-2',
      '3.4e38',
    ];
    const header = ['', ...tokens.map((_, i) => `c${i}`)].join(',');
    const ds = await load('nums.csv', `${header}\ncell_1,${tokens.join(',')}\n`, {
      orientation: 'cells-x-genes',
    });
    const row = dense(ds.matrix.counts)[0]!;
    const expected = tokens.map((t) => Math.fround(Number(t.replaceAll('"', '').trim())));
    expect(row).toEqual(expected.map((v) => (Object.is(v, -0) ? 0 : v)));
    expect(ds.integerValued).toBe(false);
  });

  it('agrees with Number() on 3000 seeded random decimals', async () => {
    const rand = seeded(42);
    const tokens: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const intPart = Math.floor(rand() * 10 ** Math.floor(rand() * 8)).toString();
      const frac = rand() < 0.6 ? `.${Math.floor(rand() * 10 ** Math.floor(1 + rand() * 9))}` : '';
      const exp =
        rand() < 0.3
          ? `${rand() < 0.5 ? 'e' : 'E'}${rand() < 0.5 ? '-' : '+'}${Math.floor(rand() * 30)}`
          : '';
      tokens.push(`${intPart}${frac}${exp}`);
    }
    const header = ['', ...tokens.map((_, i) => `c${i}`)].join(',');
    const ds = await load('rand.csv', `${header}\nx,${tokens.join(',')}\n`, { orientation: 'cells-x-genes' });
    const m = ds.matrix.counts;
    for (let i = 0; i < tokens.length; i++)
      expect(csrGet(m, 0, i), tokens[i]).toBe(Math.fround(Number(tokens[i])));
  });

  it('does not store zeros and flags integer data', async () => {
    const ds = await load('z.csv', ',c1,c2,c3\ng1,0,0.0,3\ng2,0e5,4,0\n');
    expect(ds.matrix.counts.values.length).toBe(2);
    expect(ds.integerValued).toBe(true);
    expect(ds.warnings).toEqual([]);
  });
});

describe('layout and encoding', () => {
  const expectedDense = [
    [1, 0],
    [2, 5],
    [0, 6],
  ]; // cells x genes for the genes x cells table g1: 1,2,0 / g2: 0,5,6

  it('reads the scGNN layout as genes x cells and transposes it', async () => {
    const ds = await load('t.csv', ',c1,c2,c3\ng1,1,2,0\ng2,0,5,6\n', { orientation: 'genes-x-cells' });
    expect(ds.matrix.cellIds).toEqual(['c1', 'c2', 'c3']);
    expect(ds.matrix.geneIds).toEqual(['g1', 'g2']);
    expect(dense(ds.matrix.counts)).toEqual(expectedDense);
    expect(ds.orientation?.reason).toContain('set by the user');
  });

  it('accepts a corner label, a header one field short, and quoted names with "" escapes', async () => {
    const variants = [
      'gene,c1,c2,c3\ng1,1,2,0\ng2,0,5,6\n',
      '"",c1,c2,c3\ng1,1,2,0\ng2,0,5,6\n',
      'c1,c2,c3\ng1,1,2,0\ng2,0,5,6\n',
      '"c1","c2","c3"\n"g1",1,2,0\n"g2",0,5,6\n',
    ];
    for (const text of variants) {
      const ds = await load('v.csv', text, { orientation: 'genes-x-cells' });
      expect(ds.matrix.cellIds, text).toEqual(['c1', 'c2', 'c3']);
      expect(ds.matrix.geneIds, text).toEqual(['g1', 'g2']);
      expect(dense(ds.matrix.counts), text).toEqual(expectedDense);
    }
    const quoted = await load('q.csv', ',"cell ""A"", 1","c,2"\n"gene ""x""",1,2\n"y,z",3,4\n', {
      orientation: 'genes-x-cells',
    });
    expect(quoted.matrix.cellIds).toEqual(['cell "A", 1', 'c,2']);
    expect(quoted.matrix.geneIds).toEqual(['gene "x"', 'y,z']);
    expect(dense(quoted.matrix.counts)).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it('handles CRLF, a UTF-8 BOM, no final newline and blank trailing lines', async () => {
    const base = await load('a.csv', ',c1,c2,c3\ng1,1,2,0\ng2,0,5,6\n');
    for (const text of [
      '\ufeff,c1,c2,c3\r\ng1,1,2,0\r\ng2,0,5,6\r\n',
      ',c1,c2,c3\ng1,1,2,0\ng2,0,5,6',
      ',c1,c2,c3\r\ng1,1,2,0\r\ng2,0,5,6',
      ',c1,c2,c3\ng1,1,2,0\ng2,0,5,6\n\n  \n\r\n',
    ]) {
      expectSameDataset(await load('a.csv', text), base);
    }
  });

  it('picks the delimiter from the extension or the first line', async () => {
    const tsv = ',c1,c2,c3\ng1,1,2,0\ng2,0,5,6\n'.replaceAll(',', '\t');
    for (const name of ['t.tsv', 't.tab', 't.txt', 'T.TSV', 'table']) {
      const ds = await load(name, tsv, { orientation: 'genes-x-cells' });
      expect(ds.format, name).toBe('tsv');
      expect(dense(ds.matrix.counts), name).toEqual(expectedDense);
    }
    const csvTxt = await load('t.txt', ',c1,c2,c3\ng1,1,2,0\ng2,0,5,6\n', { orientation: 'genes-x-cells' });
    expect(csvTxt.format).toBe('csv');
    expect(dense(csvTxt.matrix.counts)).toEqual(expectedDense);
    const gz = await loadDelimited(inputFileFromBytes('t.tsv.gz', gzipSync(Buffer.from(tsv))), {
      orientation: 'genes-x-cells',
    });
    expect(gz.format).toBe('tsv');
    expect(dense(gz.matrix.counts)).toEqual(expectedDense);
  });

  it('detects a cells x genes table and keeps its rows as cells', async () => {
    const text = [
      ',Actb,Gapdh,CD3E,MT-CO1,RP11-34P13.7',
      'AAACCTGAGATAGGAG-1,1,0,3,0,0',
      'AAACCTGAGCGGCTTC-1,0,2,0,0,9',
      'AAACCTGAGGAATCGC-1,4,0,0,1,0',
    ].join('\n');
    const ds = await load('cells.csv', text);
    expect(ds.orientation?.chosen).toBe('cells-x-genes');
    expect(ds.orientation?.reason).toContain('cell barcodes');
    expect(ds.orientation?.reason).toContain('gene symbols');
    expect(ds.matrix.cellIds).toEqual(['AAACCTGAGATAGGAG-1', 'AAACCTGAGCGGCTTC-1', 'AAACCTGAGGAATCGC-1']);
    expect(ds.matrix.geneIds[0]).toBe('Actb');
    expect(dense(ds.matrix.counts)).toEqual([
      [1, 0, 3, 0, 0],
      [0, 2, 0, 0, 9],
      [4, 0, 0, 1, 0],
    ]);

    // The same table forced the other way round, with a warning that the names disagree.
    const forced = await load('cells.csv', text, { orientation: 'genes-x-cells' });
    expect(forced.orientation).toEqual({
      chosen: 'genes-x-cells',
      reason: 'set by the user: genes x cells (rows are genes)',
    });
    expect(forced.matrix.cellIds[0]).toBe('Actb');
    expect(forced.warnings.join(' ')).toContain('cell barcodes');
    expect(dense(forced.matrix.counts)[1]).toEqual([0, 2, 0]);
  });

  it('flipOrientation transposes, swaps ids, says so, and round-trips', async () => {
    const ds = await load('t.csv', ',cell_1,cell_2,cell_3\nActb,1,2,0\nGapdh,0,5,6\n');
    expect(ds.orientation?.chosen).toBe('genes-x-cells');
    const flipped = flipOrientation(ds);
    expect(flipped.orientation?.chosen).toBe('cells-x-genes');
    expect(flipped.orientation?.reason).toContain('flipped by the user');
    expect(flipped.orientation?.reason).toContain(ds.orientation!.reason);
    expect(flipped.matrix.cellIds).toEqual(['Actb', 'Gapdh']);
    expect(flipped.matrix.geneIds).toEqual(['cell_1', 'cell_2', 'cell_3']);
    expect(dense(flipped.matrix.counts)).toEqual([
      [1, 2, 0],
      [0, 5, 6],
    ]);
    const back = flipOrientation(flipped);
    expect(back.orientation?.chosen).toBe('genes-x-cells');
    expect(back.orientation?.reason).toContain(ds.orientation!.reason);
    expect(back.matrix).toEqual(ds.matrix);
    expect(() => flipOrientation({ ...ds, orientation: null })).toThrow();
  });

  it('warns about values float32 cannot hold exactly', async () => {
    const ds = await load('w.csv', ',c1,c2\ng1,16777217,1\n');
    expect(ds.integerValued).toBe(true);
    expect(ds.warnings.join(' ')).toContain('16,777,216');
  });
});

describe('detectOrientation', () => {
  const symbols = ['Actb', 'Gapdh', 'CD3E', 'MT-CO1', 'RP11-34P13.7', 'Malat1', 'HLA-DRA'];
  const cases: [string, string[], string[], 'genes-x-cells' | 'cells-x-genes', string][] = [
    [
      'symbols x barcodes',
      symbols,
      ['AAACCTGAGATAGGAG-1', 'TTTGTCATCTTGCAAG-1'],
      'genes-x-cells',
      'gene symbols',
    ],
    [
      'Ensembl x numbers',
      ['ENSG00000141510', 'ENSG00000012048'],
      ['1', '2', '3'],
      'genes-x-cells',
      'Ensembl',
    ],
    [
      'worm genes x wells',
      ['WBGene00000001', 'WBGene00000002'],
      ['A1', 'B12', 'H7'],
      'genes-x-cells',
      'gene ids',
    ],
    [
      'cells x Ensembl',
      ['Plate1_A01', 'Plate1_A02'],
      ['ENSMUSG00000051951', 'ENSMUSG00000025900'],
      'cells-x-genes',
      'Ensembl',
    ],
    ['cell names x symbols', ['cell1', 'cell2', 'cell3'], symbols, 'cells-x-genes', 'cell names'],
  ];
  it.each(cases)('%s', (_, rows, cols, chosen, phrase) => {
    const r = detectOrientation(rows, cols);
    expect(r.chosen).toBe(chosen);
    expect(r.reason).toContain(phrase);
  });

  it('falls back to genes x cells and explains the shape', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `x${i}q`);
    const cols = Array.from({ length: 124 }, (_, i) => `v${i}w`);
    const r = detectOrientation(rows, cols);
    expect(r.chosen).toBe('genes-x-cells');
    expect(r.reason).toContain('scGNN convention');
    expect(r.reason).toContain('more rows (2000) than columns (124)');
    const wide = detectOrientation(cols, rows);
    expect(wide.chosen).toBe('genes-x-cells');
    expect(wide.reason).toContain('flip');
  });
});

describe('chunk boundaries', () => {
  it('Blob parts really stream as small chunks', async () => {
    const sizes: number[] = [];
    for await (const c of readChunks(chunkedFile('x.csv', 'abcdefghij'.repeat(10), 3))) sizes.push(c.length);
    expect(sizes.length).toBeGreaterThanOrEqual(30);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
  });

  it('gives identical output for any chunk size', async () => {
    const text =
      '\ufeff"",c1,"c ""2""",c3,c4\r\n' +
      'Actb,1,2.5,0,1e-3\r\n' +
      '"Gap,dh", 3 ,"4",0,2.5E+04\r\n' +
      'Cd3e,0,0,0,0\r\n' +
      'Mt-co1,123456789,0.000123,7,+8\r\n' +
      '\r\n';
    const whole = await load('c.csv', text);
    expect(whole.matrix.geneIds).toEqual(['Actb', 'Gap,dh', 'Cd3e', 'Mt-co1']);
    expect(whole.matrix.cellIds).toEqual(['c1', 'c "2"', 'c3', 'c4']);
    for (const size of [1, 2, 3, 5, 7, 16, 64]) {
      expectSameDataset(await loadDelimited(chunkedFile('c.csv', text, size)), whole);
    }
    const gz = gzipSync(Buffer.from(text));
    for (const size of [1, 4, 13])
      expectSameDataset(await loadDelimited(chunkedFile('c.csv.gz', gz, size)), whole);
  });

  it('reports errors with the right line number across chunk boundaries', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `g${i},${i},${i + 1}`);
    rows[37] = 'g37,1,oops';
    const text = `,c1,c2\n${rows.join('\n')}\n`;
    for (const size of [1, 3, 11]) {
      await expectInputError(loadDelimited(chunkedFile('lines.csv', text, size)), 'non-numeric', [
        'lines.csv',
        'line 39',
        '"oops"',
      ]);
    }
  });
});
