/**
 * The malformed-input corpus, through the same entry point the page uses (loadDataset): every kind of bad
 * input the loaders must explain, each checked for its error code, the file name, the line or field, and the
 * key detail of the message. (Each loader's own tests have further cases.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isInputError } from './errors.ts';
import { inputFileFromBytes, type InputFile } from './input-file.ts';
import { loadDataset } from './load.ts';
import type { LoadOptions } from './load-types.ts';
import { inputFileFromPath } from './node-input.ts';

const text = (name: string, content: string): InputFile => inputFileFromBytes(name, content);
const gz = (name: string, content: string): InputFile => inputFileFromBytes(name, gzipSync(content));
const inFolder = (folder: string, name: string, content: string | Uint8Array): InputFile =>
  inputFileFromBytes(name, content, `${folder}/${name}`);

const MTX_HEADER = '%%MatrixMarket matrix coordinate integer general\n%metadata_json: {}\n';
const features3 = 'ENSG1\tA1\tGene Expression\nENSG2\tB2\tGene Expression\nENSG3\tC3\tGene Expression\n';
const barcodes2 = 'AAAC-1\nAAAG-1\n';

interface Case {
  name: string;
  files: () => Promise<InputFile[]> | InputFile[];
  code: string;
  parts: string[];
  options?: LoadOptions;
}

async function unsupportedH5(): Promise<InputFile> {
  const h5wasm = await import('h5wasm/node');
  await h5wasm.ready;
  const dir = mkdtempSync(join(tmpdir(), 'scgnn-h5-'));
  const path = join(dir, 'weird.h5');
  const f = new h5wasm.File(path, 'w');
  f.create_group('experiment');
  f.create_dataset({ name: 'temperatures', data: new Float32Array([20.5, 21, 19.8]) });
  f.close();
  return inputFileFromPath(path);
}

/** A real (if unsupported) HDF5 file cut in half, as an interrupted download leaves it. */
async function truncatedH5(name: string): Promise<InputFile> {
  const whole = await (await unsupportedH5()).blob.arrayBuffer();
  return inputFileFromBytes(name, new Uint8Array(whole).subarray(0, whole.byteLength >> 1));
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

const cases: Case[] = [
  { name: 'empty file', files: () => [text('empty.csv', '')], code: 'empty-file', parts: ['empty.csv'] },
  {
    name: 'only blank lines',
    files: () => [text('blank.csv', '\n \n\n')],
    code: 'empty-file',
    parts: ['blank.csv'],
  },
  {
    name: 'header but no rows',
    files: () => [text('header.csv', ',c1,c2\n')],
    code: 'empty-file',
    parts: ['header.csv'],
  },
  {
    name: 'non-numeric value',
    files: () => [text('words.csv', ',c1,c2\nActb,1,2\nGapdh,3,lots\n')],
    code: 'non-numeric',
    parts: ['words.csv', 'line 3', 'lots'],
  },
  {
    name: 'row with too few fields',
    files: () => [text('short.csv', ',c1,c2,c3\nActb,1,2,3\nGapdh,3,4\n')],
    code: 'ragged-row',
    parts: ['short.csv', 'line 3'],
  },
  {
    name: 'row with too many fields (TSV)',
    files: () => [text('long.tsv', '\tc1\tc2\nActb\t1\t2\t3\nGapdh\t3\t4\n')],
    code: 'ragged-row',
    parts: ['long.tsv', 'line 2'],
  },
  {
    name: 'duplicate cell id',
    files: () => [text('dupcell.csv', ',c1,c2,c1\nActb,1,2,3\nGapdh,3,4,5\n')],
    code: 'duplicate-id',
    parts: ['dupcell.csv', 'c1'],
  },
  {
    name: 'duplicate gene id',
    files: () => [text('dupgene.csv', ',c1,c2\nActb,1,2\nGapdh,3,4\nActb,5,6\n')],
    code: 'duplicate-id',
    parts: ['dupgene.csv', 'Actb', 'line 4'],
  },
  {
    name: 'negative value',
    files: () => [text('neg.csv', ',c1,c2\nActb,1,-2\n')],
    code: 'negative-value',
    parts: ['neg.csv', 'line 2', '-2'],
  },
  {
    name: 'NaN value',
    files: () => [text('nan.csv', ',c1,c2\nActb,1,2\nGapdh,NaN,4\n')],
    code: 'non-finite',
    parts: ['nan.csv', 'line 3'],
  },
  {
    name: 'infinite value (gzipped)',
    files: () => [gz('inf.csv.gz', ',c1,c2\nActb,1,2\nGapdh,4,Inf\n')],
    code: 'non-finite',
    parts: ['inf.csv.gz', 'line 3'],
  },
  {
    name: 'truncated gzip',
    files: () => {
      const whole = gzipSync(`,c1\n${Array.from({ length: 3000 }, (_, i) => `g${i},${i}`).join('\n')}\n`);
      return [inputFileFromBytes('cut.csv.gz', whole.subarray(0, whole.length >> 1))];
    },
    code: 'corrupt-file',
    parts: ['cut.csv.gz', 'gzip'],
  },
  {
    name: '10x folder without barcodes',
    files: () => [
      inFolder('sample', 'matrix.mtx', `${MTX_HEADER}3 2 1\n1 1 5\n`),
      inFolder('sample', 'features.tsv', features3),
    ],
    code: 'missing-10x-file',
    parts: ['sample/', 'barcodes'],
  },
  {
    name: '10x folder without features',
    files: () => [
      inFolder('sample', 'matrix.mtx.gz', gzipSync(`${MTX_HEADER}3 2 1\n1 1 5\n`)),
      inFolder('sample', 'barcodes.tsv.gz', gzipSync(barcodes2)),
    ],
    code: 'missing-10x-file',
    parts: ['sample/', 'features.tsv'],
  },
  {
    name: 'MatrixMarket header disagrees with barcodes',
    files: () => [
      inFolder('s', 'matrix.mtx', `${MTX_HEADER}3 5 1\n1 1 5\n`),
      inFolder('s', 'features.tsv', features3),
      inFolder('s', 'barcodes.tsv', barcodes2),
    ],
    code: 'dimension-mismatch',
    parts: ['5', '2'],
  },
  {
    name: 'MatrixMarket header disagrees with features',
    files: () => [
      inFolder('s', 'matrix.mtx', `${MTX_HEADER}4 2 1\n1 1 5\n`),
      inFolder('s', 'features.tsv', features3),
      inFolder('s', 'barcodes.tsv', barcodes2),
    ],
    code: 'dimension-mismatch',
    parts: ['4', '3'],
  },
  {
    name: 'MatrixMarket with fewer entries than its header says',
    files: () => [
      inFolder('s', 'matrix.mtx', `${MTX_HEADER}3 2 3\n1 1 5\n2 2 1\n`),
      inFolder('s', 'features.tsv', features3),
      inFolder('s', 'barcodes.tsv', barcodes2),
    ],
    code: 'dimension-mismatch',
    parts: ['matrix.mtx', '3', '2'],
  },
  {
    name: 'MatrixMarket entry outside the matrix',
    files: () => [
      inFolder('s', 'matrix.mtx', `${MTX_HEADER}3 2 2\n1 1 5\n4 2 1\n`),
      inFolder('s', 'features.tsv', features3),
      inFolder('s', 'barcodes.tsv', barcodes2),
    ],
    code: 'dimension-mismatch',
    parts: ['matrix.mtx', 'line 5'],
  },
  {
    name: 'MatrixMarket negative value',
    files: () => [
      inFolder('s', 'matrix.mtx', `${MTX_HEADER}3 2 2\n1 1 5\n2 2 -1\n`),
      inFolder('s', 'features.tsv', features3),
      inFolder('s', 'barcodes.tsv', barcodes2),
    ],
    code: 'negative-value',
    parts: ['matrix.mtx', 'line 5'],
  },
  {
    name: '10x duplicate barcodes',
    files: () => [
      inFolder('s', 'matrix.mtx', `${MTX_HEADER}3 2 1\n1 1 5\n`),
      inFolder('s', 'features.tsv', features3),
      inFolder('s', 'barcodes.tsv', 'AAAC-1\nAAAC-1\n'),
    ],
    code: 'duplicate-id',
    parts: ['barcodes.tsv', 'AAAC-1'],
  },
  {
    name: 'HDF5 file of an unsupported layout',
    files: async () => [await unsupportedH5()],
    code: 'unsupported-hdf5',
    parts: ['weird.h5', 'experiment'],
  },
  {
    name: 'unknown binary format',
    files: () => [
      inputFileFromBytes('scan.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0, 1])),
    ],
    code: 'unknown-format',
    parts: ['scan.png', 'Supported'],
  },
  {
    name: 'file larger than the memory budget',
    files: () => [text('big.csv', ',c1,c2\nActb,1,2\nGapdh,3,4\n')],
    options: { memoryBudgetBytes: 16 },
    code: 'too-large',
    parts: ['big.csv'],
  },
  {
    name: 'all-zero matrix',
    files: () => [text('zeros.csv', ',c1,c2,c3\nActb,0,0,0\nGapdh,0,0.0,0\n')],
    code: 'all-zero',
    parts: ['zeros.csv', 'every count is zero', '3 cells x 2 genes', 'Load the count matrix itself'],
  },
  {
    name: 'all-zero 10x matrix (no entries)',
    files: () => [
      inFolder('s', 'matrix.mtx', `${MTX_HEADER}3 2 0\n`),
      inFolder('s', 'features.tsv', features3),
      inFolder('s', 'barcodes.tsv', barcodes2),
    ],
    code: 'all-zero',
    parts: ['matrix.mtx', 'every count is zero', '2 cells x 3 genes'],
  },
  {
    name: 'CSV text named .h5',
    files: () => [text('counts.h5', ',c1,c2\nActb,1,2\n')],
    code: 'unknown-format',
    parts: ['counts.h5', 'not an HDF5 file', '10x HDF5 (.h5)', 'rename it to end in .csv'],
  },
  {
    name: 'text named .h5ad',
    files: () => [text('adata.h5ad', 'this is not an AnnData file\n')],
    code: 'unknown-format',
    parts: ['adata.h5ad', 'not an HDF5 file', 'AnnData (.h5ad)'],
  },
  {
    name: 'HDF5 signature followed by zeros (.h5ad)',
    files: () => [
      inputFileFromBytes('broken.h5ad', new Uint8Array([...HDF5_SIGNATURE, ...new Array(120).fill(0)])),
    ],
    code: 'corrupt-file',
    parts: ['broken.h5ad', 'superblock is damaged', 'export it again'],
  },
  {
    name: 'truncated HDF5 file',
    files: async () => [await truncatedH5('cut.h5')],
    code: 'corrupt-file',
    parts: ['cut.h5', 'truncated', 'are present', 'export it again'],
  },
  {
    name: 'binary labels file',
    files: () => [
      text('counts.csv', ',c1,c2\nActb,1,2\n'),
      inputFileFromBytes(
        'labels.csv',
        new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0xff, 0xfe, 1, 2]),
      ),
    ],
    code: 'bad-labels',
    parts: ['labels.csv', 'not a text file', '"cell,label"'],
  },
  {
    name: 'labels file with one column',
    files: () => [text('counts.csv', ',c1,c2\nActb,1,2\n'), text('labels.csv', 'cell_label\nc1\nc2\n')],
    code: 'ragged-row',
    parts: ['labels.csv', 'line 1', 'expected two columns'],
  },
  {
    name: 'labels with the cell ids in the second column',
    files: () => [text('counts.csv', ',c1,c2\nActb,1,2\n'), text('labels.csv', 'cell,label\nT,c1\nB,c2\n')],
    code: 'bad-labels',
    parts: ['labels.csv', 'none of its 2 cell ids', 'put the cell id first'],
  },
  {
    name: 'labels matching no cell',
    files: () => [text('counts.csv', ',c1,c2\nActb,1,2\n'), text('labels.csv', 'cell,label\nx1,T\nx2,B\n')],
    code: 'bad-labels',
    parts: ['labels.csv', 'none of its 2 cell ids'],
  },
];

describe('malformed input corpus (loadDataset)', () => {
  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('$name', async ({ files, code, parts, options }) => {
    const e = await loadDataset(await files(), options).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isInputError(e), `expected an InputError, got ${String(e)}`).toBe(true);
    if (!isInputError(e)) return;
    expect(e.code, e.message).toBe(code);
    for (const part of parts) expect(e.message).toContain(part);
  });
});
