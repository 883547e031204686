/**
 * Tests of the 10x MatrixMarket loader on real Cell Ranger outputs (v3 gz, v2, soupx, int-ids), on a
 * 10,000-cell folder generated from a real dataset, and on a corpus of malformed inputs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gzipSync, gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { csrGet, nnz } from '../core/matrix/csr.ts';
import { InputError } from './errors.ts';
import { inputFileFromPath } from './node-input.ts';
import { loadTenxMtx, type TenxMtxFiles } from './tenx-mtx.ts';
import {
  DATA,
  INT_IDS_DIR,
  SOUPX_FILTERED,
  SOUPX_RAW,
  V2_DIR,
  V3_DIR,
  lines,
  mtxFolder,
  mtxFromTexts,
  naiveMtx,
  seededRng,
} from './testing/tenx-fixtures.ts';

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** Every triplet of the naive parse must be found in the loaded CSR (duplicates summed). */
function expectMatchesNaive(
  dir: string,
  matrixName: string,
  ds: Awaited<ReturnType<typeof loadTenxMtx>>,
): number {
  const ref = naiveMtx(join(dir, matrixName));
  const sums = new Map<string, number>();
  for (const [g, c, v] of ref.triplets) sums.set(`${c},${g}`, (sums.get(`${c},${g}`) ?? 0) + v);
  expect(ref.triplets.length).toBe(ref.nnz);
  expect(nnz(ds.matrix.counts)).toBe(sums.size);
  let checked = 0;
  for (const [key, v] of sums) {
    const [c, g] = key.split(',').map(Number) as [number, number];
    expect(csrGet(ds.matrix.counts, c, g)).toBe(v);
    checked++;
  }
  return checked;
}

/** Rows strictly ascending in column, indptr consistent. */
function expectValidCsr(ds: Awaited<ReturnType<typeof loadTenxMtx>>): void {
  const m = ds.matrix.counts;
  expect(m.indptr.length).toBe(m.nRows + 1);
  expect(m.indptr[0]).toBe(0);
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]! + 1; k < m.indptr[r + 1]!; k++)
      expect(m.indices[k]!).toBeGreaterThan(m.indices[k - 1]!);
  }
}

describe('loadTenxMtx on real Cell Ranger folders', () => {
  it('reads the v3 gz folder (1107 cells x 507 genes) like an independent parse', async () => {
    const ds = await loadTenxMtx(await mtxFolder(V3_DIR));
    expect(ds.format).toBe('mtx-v3');
    expect(ds.name).toBe('filtered_feature_bc_matrix');
    expect(ds.orientation).toBeNull();
    expect(ds.integerValued).toBe(true);
    expect(ds.warnings).toEqual([]);
    expect(ds.matrix.counts.nRows).toBe(1107);
    expect(ds.matrix.counts.nCols).toBe(507);
    expect(nnz(ds.matrix.counts)).toBe(23866);
    const feats = lines(join(V3_DIR, 'features.tsv.gz')).map((l) => l.split('\t'));
    expect(ds.matrix.geneIds).toEqual(feats.map((f) => f[0]));
    expect(ds.matrix.geneSymbols).toEqual(feats.map((f) => f[1]));
    expect(ds.matrix.geneIds[0]).toBe('ENSG00000279493');
    expect(ds.matrix.geneSymbols![0]).toBe('CH507-9B2.2');
    expect(ds.matrix.cellIds).toEqual(lines(join(V3_DIR, 'barcodes.tsv.gz')));
    expect(ds.matrix.cellIds[0]).toBe('AAACCCAAGGAGAGTA-1');
    // First triplets of the file: "458 1 3", "456 1 1".
    expect(csrGet(ds.matrix.counts, 0, 457)).toBe(3);
    expect(csrGet(ds.matrix.counts, 0, 455)).toBe(1);
    expect(expectMatchesNaive(V3_DIR, 'matrix.mtx.gz', ds)).toBe(23866);
    expectValidCsr(ds);
    expect(ds.sourceFiles).toEqual([
      'filtered_feature_bc_matrix/features.tsv.gz',
      'filtered_feature_bc_matrix/barcodes.tsv.gz',
      'filtered_feature_bc_matrix/matrix.mtx.gz',
    ]);
  });

  it('reads the v2 folder (hg19_chr21, 12 cells x 343 genes, genes.tsv)', async () => {
    const ds = await loadTenxMtx(await mtxFolder(V2_DIR));
    expect(ds.format).toBe('mtx-v2');
    expect(ds.name).toBe('hg19_chr21');
    expect(ds.matrix.counts.nRows).toBe(12);
    expect(ds.matrix.counts.nCols).toBe(343);
    expect(nnz(ds.matrix.counts)).toBe(12);
    expect(ds.matrix.geneIds.slice(0, 3)).toEqual(['DSCAM', 'MIR99AHG', 'APP']);
    expect(ds.matrix.cellIds[0]).toBe('AACACGTGTACGCTGC-1');
    expect(csrGet(ds.matrix.counts, 0, 200)).toBe(1); // "201 1 1"
    expect(expectMatchesNaive(V2_DIR, 'matrix.mtx', ds)).toBe(12);
  });

  it('reads the soupx raw and filtered v2 folders with the dims of their tsv files', async () => {
    for (const [dir, cells] of [
      [SOUPX_RAW, 1289],
      [SOUPX_FILTERED, 62],
    ] as const) {
      const ds = await loadTenxMtx(await mtxFolder(dir));
      expect(ds.format).toBe('mtx-v2');
      expect(ds.name).toBe('GRCh38');
      expect(ds.matrix.counts.nRows).toBe(lines(join(dir, 'barcodes.tsv')).length);
      expect(ds.matrix.counts.nRows).toBe(cells);
      expect(ds.matrix.counts.nCols).toBe(lines(join(dir, 'genes.tsv')).length);
      expect(ds.matrix.counts.nCols).toBe(226);
      expect(nnz(ds.matrix.counts)).toBe(naiveMtx(join(dir, 'matrix.mtx')).nnz);
      expectMatchesNaive(dir, 'matrix.mtx', ds);
    }
  });

  it('reads int-ids (numeric gene ids, "real" header, no trailing newline)', async () => {
    const ds = await loadTenxMtx(await mtxFolder(INT_IDS_DIR));
    expect(ds.format).toBe('mtx-v3');
    expect(ds.matrix.geneIds).toEqual(['574405', '574404', '574403', '574402', '100862323', '100862329']);
    expect(ds.matrix.geneSymbols).toEqual(['Pwwp4b', 'Pwwp4a', 'Insyn2b', 'Gpr17', 'Btbd35f22', 'Btbd35f21']);
    expect(ds.matrix.counts.nRows).toBe(5);
    expect(ds.matrix.counts.nCols).toBe(6);
    expect(Array.from(ds.matrix.counts.indptr)).toEqual([0, 0, 0, 3, 3, 3]);
    expect(Array.from(ds.matrix.counts.indices)).toEqual([3, 4, 5]);
    expect(Array.from(ds.matrix.counts.values)).toEqual([6, 1, 1]);
    expect(ds.integerValued).toBe(true);
  });
});

describe('loadTenxMtx features and values', () => {
  const barcodes = 'AAA-1\nCCC-1\nGGG-1\n';
  const features =
    'ENSG1\tGENE1\tGene Expression\nAB1\tCD3_TotalSeqB\tAntibody Capture\nENSG2\tGENE2\tGene Expression\n' +
    'AB2\tCD4_TotalSeqB\tAntibody Capture\nCR1\tguide1\tCRISPR Guide Capture\n';
  const matrix =
    '%%MatrixMarket matrix coordinate real general\n%metadata_json: {"x": 1}\n5 3 7\n' +
    '1 1 2\n2 1 50\n3 1 1.5\n4 2 9\n3 3 2.5e1\n5 3 4\n1 3 7\n';

  it('keeps Gene Expression features only and says what was dropped', async () => {
    const ds = await loadTenxMtx(mtxFromTexts(matrix, features, barcodes));
    expect(ds.matrix.geneIds).toEqual(['ENSG1', 'ENSG2']);
    expect(ds.matrix.geneSymbols).toEqual(['GENE1', 'GENE2']);
    expect(ds.matrix.counts.nCols).toBe(2);
    expect(ds.warnings).toHaveLength(1);
    expect(ds.warnings[0]).toContain('kept the 2 "Gene Expression" features');
    expect(ds.warnings[0]).toContain('2 "Antibody Capture"');
    expect(ds.warnings[0]).toContain('1 "CRISPR Guide Capture"');
    expect(nnz(ds.matrix.counts)).toBe(4);
    expect(csrGet(ds.matrix.counts, 0, 0)).toBe(2);
    expect(csrGet(ds.matrix.counts, 0, 1)).toBe(1.5);
    expect(csrGet(ds.matrix.counts, 1, 0)).toBe(0);
    expect(csrGet(ds.matrix.counts, 2, 1)).toBe(25);
    expect(csrGet(ds.matrix.counts, 2, 0)).toBe(7);
    expect(ds.integerValued).toBe(false);
    expect(ds.name).toBe('sample');
  });

  it('sums duplicate coordinates, accepts CRLF, blank lines and a v2 genes.tsv', async () => {
    const ds = await loadTenxMtx(
      mtxFromTexts(
        '%%MatrixMarket matrix coordinate integer general\r\n%\r\n2 2 3\r\n1 1 1\r\n1 1 2\r\n\r\n2 2 5',
        'g1\tG1\r\ng2\tG2\r\n',
        'c1\r\nc2\r\n',
        { features: 'genes.tsv' },
      ),
    );
    expect(ds.format).toBe('mtx-v2');
    expect(Array.from(ds.matrix.counts.indptr)).toEqual([0, 1, 2]);
    expect(Array.from(ds.matrix.counts.values)).toEqual([3, 5]);
    expect(ds.matrix.cellIds).toEqual(['c1', 'c2']);
  });
});

describe('loadTenxMtx at 10,000 cells', () => {
  it('loads a v3 folder generated from mouse_brain_10x_10k_subset without a dense block', async () => {
    // Independent parse of the genes x cells CSV; write it as Cell Ranger would (cell-major triplets).
    const csv = gunzipSync(readFileSync(join(DATA, 'mouse_brain_10x_10k_subset_unlabeled/counts.csv.gz')))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const cellIds = csv[0]!.split(',').slice(1);
    const geneIds: string[] = [];
    const dense: Uint16Array[] = []; // reference only (test side), genes x cells
    const triplets: string[] = [];
    for (let gi = 1; gi < csv.length; gi++) {
      const parts = csv[gi]!.split(',');
      geneIds.push(parts[0]!);
      const row = new Uint16Array(cellIds.length);
      for (let c = 0; c < cellIds.length; c++) {
        const v = Number(parts[c + 1]);
        row[c] = v;
        if (v !== 0) triplets.push(`${gi} ${c + 1} ${v}`);
      }
      dense.push(row);
    }
    expect(cellIds.length).toBe(10000);
    expect(geneIds.length).toBe(1000);
    const dir = mkdtempSync(join(tmpdir(), 'scgnn-mtx10k-'));
    tmpDirs.push(dir);
    const mtxText =
      '%%MatrixMarket matrix coordinate integer general\n%metadata_json: {"generated": "test"}\n' +
      `${geneIds.length} ${cellIds.length} ${triplets.length}\n${triplets.join('\n')}\n`;
    writeFileSync(join(dir, 'matrix.mtx.gz'), gzipSync(mtxText, { level: 1 }));
    writeFileSync(
      join(dir, 'features.tsv.gz'),
      gzipSync(geneIds.map((g) => `${g}\t${g}-sym\tGene Expression`).join('\n') + '\n'),
    );
    writeFileSync(join(dir, 'barcodes.tsv.gz'), gzipSync(cellIds.join('\n') + '\n'));
    const files: TenxMtxFiles = {
      matrix: await inputFileFromPath(join(dir, 'matrix.mtx.gz'), 'mouse10k/matrix.mtx.gz'),
      features: await inputFileFromPath(join(dir, 'features.tsv.gz'), 'mouse10k/features.tsv.gz'),
      barcodes: await inputFileFromPath(join(dir, 'barcodes.tsv.gz'), 'mouse10k/barcodes.tsv.gz'),
    };

    // Structural guard: record the largest typed array the loader allocates. A dense cells x genes block
    // would have 10,000,000 elements; the sparse path never needs more than nnz.
    const denseElems = cellIds.length * geneIds.length;
    let largest = 0;
    const originals = {
      Float32Array: globalThis.Float32Array,
      Float64Array: globalThis.Float64Array,
      Int32Array: globalThis.Int32Array,
      Uint32Array: globalThis.Uint32Array,
    };
    const spy = <T extends new (...a: never[]) => ArrayLike<number>>(Base: T): T =>
      class extends (Base as unknown as new (...a: unknown[]) => ArrayLike<number>) {
        constructor(...args: unknown[]) {
          super(...args);
          largest = Math.max(largest, this.length);
        }
      } as unknown as T;
    // Live typed-array memory, sampled at every progress event after a forced GC (so that the garbage of
    // the gzip stream does not blur the measure).
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    let peak = 0;
    let samples = 0;
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    let ds;
    try {
      for (const k of Object.keys(originals) as (keyof typeof originals)[]) {
        (globalThis as Record<string, unknown>)[k] = spy(originals[k]);
      }
      ds = await loadTenxMtx(files, {
        onProgress: () => {
          gc();
          samples++;
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        },
      });
    } finally {
      Object.assign(globalThis, originals);
    }
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(15);
    expect(largest).toBeLessThanOrEqual(triplets.length + 1);
    expect(largest).toBeLessThan(denseElems / 10);
    console.log(
      `10k load: ${seconds.toFixed(2)} s, peak +${(peak / 1e6).toFixed(1)} MB over ${samples} samples`,
    );
    expect(samples).toBeGreaterThan(3);
    expect(peak).toBeLessThan(denseElems * 4 * 0.5);

    const m = ds.matrix.counts;
    expect(m.nRows).toBe(10000);
    expect(m.nCols).toBe(1000);
    expect(nnz(m)).toBe(triplets.length);
    expect(ds.matrix.cellIds).toEqual(cellIds);
    expect(ds.matrix.geneIds).toEqual(geneIds);
    expect(ds.matrix.geneSymbols![999]).toBe(`${geneIds[999]}-sym`);
    expect(ds.integerValued).toBe(true);
    const rng = seededRng(7);
    let nonZeroChecked = 0;
    for (let t = 0; t < 3000; t++) {
      const c = Math.floor(rng() * 10000);
      const g = Math.floor(rng() * 1000);
      expect(csrGet(m, c, g)).toBe(dense[g]![c]);
      if (dense[g]![c] !== 0) nonZeroChecked++;
    }
    // And a walk over stored entries (spot values that are non-zero by construction).
    for (let t = 0; t < 2000; t++) {
      const k = Math.floor(rng() * nnz(m));
      let r = 0;
      while (m.indptr[r + 1]! <= k) r++;
      expect(m.values[k]).toBe(dense[m.indices[k]!]![r]);
    }
    expect(nonZeroChecked).toBeGreaterThan(0);
    let total = 0;
    for (const row of dense) for (const v of row) total += v;
    expect(m.values.reduce((s, v) => s + v, 0)).toBe(total);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Malformed inputs: each must fail with a specific code and a message naming the file and the place.

const HEADER = '%%MatrixMarket matrix coordinate integer general\n';
const FEATS3 = 'G1\tg1\tGene Expression\nG2\tg2\tGene Expression\nG3\tg3\tGene Expression\n';
const BCS2 = 'AAA-1\nCCC-1\n';

interface BadCase {
  name: string;
  files: () => TenxMtxFiles;
  code: InputError['code'];
  /** Substrings the message must contain (besides nothing else: file name is checked by `file`). */
  contains: string[];
  file: string;
  line?: number;
}

const truncatedGzip = (): Uint8Array => {
  const gz = readFileSync(join(V3_DIR, 'matrix.mtx.gz'));
  return new Uint8Array(gz.subarray(0, Math.floor(gz.length / 2)));
};

const badCases: BadCase[] = [
  {
    name: 'header missing',
    files: () => mtxFromTexts('3 2 1\n1 1 1\n', FEATS3, BCS2),
    code: 'bad-header',
    contains: ['%%MatrixMarket', 'found "3 2 1"'],
    file: 'matrix.mtx',
    line: 1,
  },
  {
    name: 'dense array header',
    files: () => mtxFromTexts('%%MatrixMarket matrix array integer general\n3 2\n', FEATS3, BCS2),
    code: 'bad-header',
    contains: ['coordinate', 'array'],
    file: 'matrix.mtx',
    line: 1,
  },
  {
    name: 'bad size line',
    files: () => mtxFromTexts(HEADER + '%\n3 two 1\n1 1 1\n', FEATS3, BCS2),
    code: 'bad-header',
    contains: ['size line', '"3 two 1"'],
    file: 'matrix.mtx',
    line: 3,
  },
  {
    name: 'dims vs features mismatch',
    files: () => mtxFromTexts(HEADER + '4 2 1\n1 1 1\n', FEATS3, BCS2),
    code: 'dimension-mismatch',
    contains: ['4 genes', 'features.tsv has 3 lines'],
    file: 'matrix.mtx',
    line: 2,
  },
  {
    name: 'dims vs barcodes mismatch',
    files: () => mtxFromTexts(HEADER + '3 5 1\n1 1 1\n', FEATS3, BCS2),
    code: 'dimension-mismatch',
    contains: ['5 cells', 'barcodes.tsv has 2 lines'],
    file: 'matrix.mtx',
    line: 2,
  },
  {
    name: 'too few triplets',
    files: () => mtxFromTexts(HEADER + '3 2 3\n1 1 1\n2 2 4\n', FEATS3, BCS2),
    code: 'dimension-mismatch',
    contains: ['declares 3 entries', 'only 2'],
    file: 'matrix.mtx',
    line: 4,
  },
  {
    name: 'too many triplets',
    files: () => mtxFromTexts(HEADER + '3 2 1\n1 1 1\n2 2 4\n', FEATS3, BCS2),
    code: 'dimension-mismatch',
    contains: ['more entries than the 1 declared'],
    file: 'matrix.mtx',
    line: 4,
  },
  {
    name: 'gene index out of range',
    files: () => mtxFromTexts(HEADER + '3 2 2\n1 1 1\n4 2 4\n', FEATS3, BCS2),
    code: 'dimension-mismatch',
    contains: ['gene index 4', '1..3'],
    file: 'matrix.mtx',
    line: 4,
  },
  {
    name: 'cell index 0',
    files: () => mtxFromTexts(HEADER + '3 2 2\n1 1 1\n2 0 4\n', FEATS3, BCS2),
    code: 'dimension-mismatch',
    contains: ['cell index 0', '1..2'],
    file: 'matrix.mtx',
    line: 4,
  },
  {
    name: 'non-numeric value',
    files: () => mtxFromTexts(HEADER + '3 2 2\n1 1 1\n2 2 abc\n', FEATS3, BCS2),
    code: 'non-numeric',
    contains: ['value "abc"'],
    file: 'matrix.mtx',
    line: 4,
  },
  {
    name: 'negative value',
    files: () => mtxFromTexts(HEADER + '3 2 2\n1 1 1\n2 2 -3\n', FEATS3, BCS2),
    code: 'negative-value',
    contains: ['negative value -3'],
    file: 'matrix.mtx',
    line: 4,
  },
  {
    name: 'NaN value',
    files: () => mtxFromTexts(HEADER.replace('integer', 'real') + '3 2 2\n1 1 1\n2 2 NaN\n', FEATS3, BCS2),
    code: 'non-finite',
    contains: ['"NaN"'],
    file: 'matrix.mtx',
    line: 4,
  },
  {
    name: 'triplet with two numbers',
    files: () => mtxFromTexts(HEADER + '3 2 2\n1 1 1\n2 2\n', FEATS3, BCS2),
    code: 'ragged-row',
    contains: ['expected 3 numbers', 'found 2'],
    file: 'matrix.mtx',
    line: 4,
  },
  {
    name: 'features line with missing columns',
    files: () =>
      mtxFromTexts(
        HEADER + '3 2 1\n1 1 1\n',
        'G1\tg1\tGene Expression\nG2\tg2\nG3\tg3\tGene Expression\n',
        BCS2,
      ),
    code: 'ragged-row',
    contains: ['expected 3 tab-separated columns', 'found 2', 'G2'],
    file: 'features.tsv',
    line: 2,
  },
  {
    name: 'duplicate barcode',
    files: () => mtxFromTexts(HEADER + '3 3 1\n1 1 1\n', FEATS3, 'AAA-1\nCCC-1\nAAA-1\n'),
    code: 'duplicate-id',
    contains: ['"AAA-1"', 'lines 1 and 3'],
    file: 'barcodes.tsv',
    line: 3,
  },
  {
    name: 'duplicate gene id',
    files: () =>
      mtxFromTexts(HEADER + '3 2 1\n1 1 1\n', 'G1\tg1\tGene Expression\nG1\tg2\tGene Expression\n', BCS2),
    code: 'duplicate-id',
    contains: ['"G1"', 'lines 1 and 2'],
    file: 'features.tsv',
    line: 2,
  },
  {
    name: 'truncated gzip',
    files: () =>
      mtxFromTexts(
        truncatedGzip(),
        readFileSync(join(V3_DIR, 'features.tsv.gz')),
        readFileSync(join(V3_DIR, 'barcodes.tsv.gz')),
        { matrix: 'matrix.mtx.gz', features: 'features.tsv.gz', barcodes: 'barcodes.tsv.gz' },
      ),
    code: 'corrupt-file',
    contains: ['gzip', 'truncated'],
    file: 'matrix.mtx.gz',
  },
  {
    name: 'empty matrix file',
    files: () => mtxFromTexts('', FEATS3, BCS2),
    code: 'empty-file',
    contains: ['empty'],
    file: 'matrix.mtx',
  },
  {
    name: 'empty barcodes file',
    files: () => mtxFromTexts(HEADER + '3 2 1\n1 1 1\n', FEATS3, ''),
    code: 'empty-file',
    contains: ['no lines'],
    file: 'barcodes.tsv',
  },
];

describe('loadTenxMtx malformed corpus', () => {
  it.each(badCases)('$name -> $code', async (c) => {
    const err = await loadTenxMtx(c.files()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    expect(e.code).toBe(c.code);
    expect(e.file).toBe(c.file);
    expect(e.message.startsWith(c.file)).toBe(true);
    if (c.line !== undefined) {
      expect(e.location.line).toBe(c.line);
      expect(e.message).toContain(`line ${c.line}`);
    }
    for (const s of c.contains) expect(e.message).toContain(s);
  });

  it('refuses a matrix over the memory budget before allocating it, giving the sizes', async () => {
    const files = mtxFromTexts(HEADER + '3 2 100000000\n1 1 1\n', FEATS3, BCS2);
    const err = (await loadTenxMtx(files, { memoryBudgetBytes: 64 * 1024 ** 2 }).catch(
      (e: unknown) => e,
    )) as InputError;
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('100000000 stored values');
    expect(err.message).toContain('1.1 GB');
    expect(err.message).toContain('64 MB');
  });

  it('stops when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = (await loadTenxMtx(await mtxFolder(V3_DIR), { signal: ac.signal }).catch(
      (e: unknown) => e,
    )) as InputError;
    expect(err.code).toBe('cancelled');
  });
});
