/**
 * The Node 10x writers (HDF5 and MatrixMarket) against the project's loaders, on a matrix large enough that both
 * write in several blocks (over a million stored values), plus the edge cases: no stored value at all, and
 * non-integer data refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../core/matrix/csr.ts';
import { loadHdf5 } from './hdf5.ts';
import { inputFileFromPath } from './node-input.ts';
import { loadTenxMtx } from './tenx-mtx.ts';
import { writeTenxH5 } from './tenx-h5-writer.ts';
import { writeTenxMtx } from './tenx-mtx-writer.ts';
import { mtxFolder } from './testing/tenx-fixtures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'scgnn-tenx-writers-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** 1,100 cells x 2,000 genes, every second gene stored: 1.1 M values (the HDF5 block is 1.04 M, the MTX buffer 1 MB). */
function bigMatrix(): CsrMatrix {
  const nRows = 1100;
  const nCols = 2000;
  const perRow = 1000; // genes 0, 2, 4, ...: 1.1 M stored values in all
  const indptr = new Uint32Array(nRows + 1);
  const indices = new Int32Array(nRows * perRow);
  const values = new Float32Array(nRows * perRow);
  for (let r = 0, k = 0; r < nRows; r++) {
    for (let j = 0; j < perRow; j++, k++) {
      indices[k] = 2 * j;
      values[k] = ((r * 7 + j * 13) % 997) + 1 + (r === 3 && j === 5 ? 123456 : 0);
    }
    indptr[r + 1] = (r + 1) * perRow;
  }
  return { nRows, nCols, indptr, indices, values };
}

/** First index where the arrays differ (-1 when equal): vitest's deep equality is slow on a million values. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function expectSameCsr(got: CsrMatrix, want: CsrMatrix): void {
  expect([got.nRows, got.nCols]).toEqual([want.nRows, want.nCols]);
  expect(firstDifference(got.indptr, want.indptr)).toBe(-1);
  expect(firstDifference(got.indices, want.indices)).toBe(-1);
  expect(firstDifference(got.values, want.values)).toBe(-1);
}

const ids = (n: number, p: string): string[] => Array.from({ length: n }, (_, i) => `${p}${i}`);

describe('10x writers', () => {
  const m = bigMatrix();
  const barcodes = ids(m.nRows, 'CELL-');
  const genes = ids(m.nCols, 'G');
  const names = ids(m.nCols, 'name');

  it('HDF5: more than one block of values loads back exactly', async () => {
    const path = join(tmp, 'big.h5');
    await writeTenxH5(path, {
      shape: [m.nCols, m.nRows],
      barcodes,
      featureIds: genes,
      featureNames: names,
      data: m.values,
      indices: m.indices,
      indptr: m.indptr,
    });
    const ds = await loadHdf5(await inputFileFromPath(path));
    expectSameCsr(ds.matrix.counts, m);
    expect(ds.matrix.cellIds).toEqual(barcodes);
    expect(ds.matrix.geneSymbols).toEqual(names);
  });

  it('MatrixMarket: more than one buffer of lines loads back exactly', async () => {
    const dir = join(tmp, 'big_mtx');
    await writeTenxMtx(dir, { counts: m, barcodes, featureIds: genes, featureNames: names });
    const ds = await loadTenxMtx(await mtxFolder(dir));
    expectSameCsr(ds.matrix.counts, m);
    expect(ds.matrix.cellIds).toEqual(barcodes);
    expect(ds.matrix.geneIds).toEqual(genes);
  });

  it('a matrix without stored values writes and reads back empty', async () => {
    const empty: CsrMatrix = {
      nRows: 2,
      nCols: 3,
      indptr: new Uint32Array(3),
      indices: new Int32Array(0),
      values: new Float32Array(0),
    };
    const path = join(tmp, 'empty.h5');
    const content = {
      barcodes: ['A-1', 'B-1'],
      featureIds: ['g1', 'g2', 'g3'],
      featureNames: ['a', 'b', 'c'],
    };
    await writeTenxH5(path, {
      ...content,
      shape: [3, 2],
      data: empty.values,
      indices: empty.indices,
      indptr: empty.indptr,
    });
    const h5 = await loadHdf5(await inputFileFromPath(path));
    expect(h5.matrix.counts.indptr).toEqual(new Uint32Array(3));
    const dir = join(tmp, 'empty_mtx');
    await writeTenxMtx(dir, { ...content, counts: empty });
    const mtx = await loadTenxMtx(await mtxFolder(dir));
    expect(mtx.matrix.counts.indptr).toEqual(new Uint32Array(3));
  });

  it('refuses non-integer data for an integer type and for MatrixMarket counts', async () => {
    const content = {
      shape: [2, 1] as const,
      barcodes: ['A-1'],
      featureIds: ['g1', 'g2'],
      featureNames: ['a', 'b'],
      data: new Float32Array([1.5]),
      indices: new Int32Array([1]),
      indptr: new Uint32Array([0, 1]),
    };
    await expect(writeTenxH5(join(tmp, 'float.h5'), content)).rejects.toThrow(
      /data\[0\] = 1.5 is not an integer/,
    );
    await writeTenxH5(join(tmp, 'float-ok.h5'), content, { dtypes: { data: '<f4' } });
    const ds = await loadHdf5(await inputFileFromPath(join(tmp, 'float-ok.h5')));
    expect(Array.from(ds.matrix.counts.values)).toEqual([1.5]);
    const counts: CsrMatrix = {
      nRows: 1,
      nCols: 2,
      indptr: content.indptr,
      indices: content.indices,
      values: content.data,
    };
    await expect(writeTenxMtx(join(tmp, 'float_mtx'), { ...content, counts })).rejects.toThrow(
      /not a non-negative integer/,
    );
  });
});
