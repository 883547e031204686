/**
 * Tests of the HDF5 loaders: real Cell Ranger HDF5 files checked against the MTX folders holding the same
 * matrices (and against h5wasm's raw view of the datasets), AnnData files written here with h5wasm, and a
 * corpus of unsupported or inconsistent files.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadedDataset } from '../core/dataset.ts';
import { csrGet, csrToDense, nnz } from '../core/matrix/csr.ts';
import { InputError } from './errors.ts';
import { loadHdf5 } from './hdf5.ts';
import { inputFileFromBytes } from './input-file.ts';
import { inputFileFromPath } from './node-input.ts';
import { loadTenxMtx } from './tenx-mtx.ts';
import { readDataset, write10xV3, writeH5ad, writeOtherH5, type Tenx3Spec } from './testing/h5-write.ts';
import {
  MULTI_H5,
  V2_DIR,
  V2_H5,
  V3_DIR,
  V3_H5,
  mtxFolder,
  naiveMtx,
  seededRng,
} from './testing/tenx-fixtures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'scgnn-h5-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fromDisk = (path: string) => inputFileFromPath(path);
const fromBytes = (path: string, name = path.split('/').pop()!) =>
  inputFileFromBytes(name, readFileSync(path));

async function failure(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

function expectSameDataset(a: LoadedDataset, b: LoadedDataset): void {
  expect(a.matrix.counts.nRows).toBe(b.matrix.counts.nRows);
  expect(a.matrix.counts.nCols).toBe(b.matrix.counts.nCols);
  expect(a.matrix.cellIds).toEqual(b.matrix.cellIds);
  expect(a.matrix.geneIds).toEqual(b.matrix.geneIds);
  expect(a.matrix.geneSymbols).toEqual(b.matrix.geneSymbols);
  expect(a.matrix.counts.indptr).toEqual(b.matrix.counts.indptr);
  expect(a.matrix.counts.indices).toEqual(b.matrix.counts.indices);
  expect(a.matrix.counts.values).toEqual(b.matrix.counts.values);
  expect(a.integerValued).toBe(b.integerValued);
}

/** Every triplet of the MTX text is found in the HDF5-loaded matrix. */
function expectHoldsTriplets(ds: LoadedDataset, mtxPath: string): void {
  const ref = naiveMtx(mtxPath);
  expect(nnz(ds.matrix.counts)).toBe(ref.nnz);
  for (const [g, c, v] of ref.triplets) expect(csrGet(ds.matrix.counts, c, g)).toBe(v);
}

/** The raw CSC arrays of a 10x group (read by h5wasm directly) match the loaded CSR entry by entry. */
async function expectMatchesRaw(
  ds: LoadedDataset,
  path: string,
  group: string,
  colOffset = 0,
): Promise<number> {
  const data = Array.from(toNum(await readDataset(path, `${group}/data`)));
  const indices = Array.from(toNum(await readDataset(path, `${group}/indices`)));
  const indptr = Array.from(toNum(await readDataset(path, `${group}/indptr`)));
  for (let c = 0; c + 1 < indptr.length; c++) {
    for (let k = indptr[c]!; k < indptr[c + 1]!; k++) {
      expect(csrGet(ds.matrix.counts, c, indices[k]! + colOffset)).toBe(data[k]);
    }
  }
  return data.length;
}

function toNum(v: unknown): ArrayLike<number> {
  if (v instanceof BigInt64Array) return Array.from(v, Number);
  return v as ArrayLike<number>;
}

describe('loadHdf5 on real 10x HDF5 files', () => {
  it('v3 .h5 equals the v3 MTX folder (1107 x 507, same ids, same CSR arrays)', async () => {
    const h5 = await loadHdf5(await fromDisk(V3_H5));
    const mtx = await loadTenxMtx(await mtxFolder(V3_DIR));
    expect(h5.format).toBe('h5-10x-v3');
    expect(h5.name).toBe('filtered_feature_bc_matrix.h5');
    expect(h5.orientation).toBeNull();
    expect(h5.warnings).toEqual([]);
    expect(h5.sourceFiles).toEqual(['filtered_feature_bc_matrix.h5']);
    expect(h5.matrix.counts.nRows).toBe(1107);
    expect(h5.matrix.counts.nCols).toBe(507);
    expect(nnz(h5.matrix.counts)).toBe(23866);
    expect(h5.matrix.cellIds[0]).toBe('AAACCCAAGGAGAGTA-1');
    expect(h5.matrix.geneIds[0]).toBe('ENSG00000279493');
    expect(h5.matrix.geneSymbols![0]).toBe('CH507-9B2.2');
    expect(h5.integerValued).toBe(true);
    expectSameDataset(h5, mtx);
    expectHoldsTriplets(h5, join(V3_DIR, 'matrix.mtx.gz'));
    expect(await expectMatchesRaw(h5, V3_H5, 'matrix')).toBe(23866);
    // Cell Ranger writes genes in descending order per cell; the loader sorts them ascending.
    const m = h5.matrix.counts;
    for (let r = 0; r < m.nRows; r++) {
      for (let k = m.indptr[r]! + 1; k < m.indptr[r + 1]!; k++)
        expect(m.indices[k]!).toBeGreaterThan(m.indices[k - 1]!);
    }
  });

  it('v2 .h5 (genome group hg19_chr21) equals the v2 MTX folder (12 x 343)', async () => {
    const h5 = await loadHdf5(await fromDisk(V2_H5));
    const mtx = await loadTenxMtx(await mtxFolder(V2_DIR));
    expect(h5.format).toBe('h5-10x-v2');
    expect(h5.matrix.counts.nRows).toBe(12);
    expect(h5.matrix.counts.nCols).toBe(343);
    expect(h5.matrix.geneIds.slice(0, 2)).toEqual(['DSCAM', 'MIR99AHG']);
    expect(h5.matrix.cellIds[11]).toBe(mtx.matrix.cellIds[11]);
    expectSameDataset(h5, mtx);
    expectHoldsTriplets(h5, join(V2_DIR, 'matrix.mtx'));
  });

  it('reads in-memory bytes (no nodePath) identically, and releases the MEMFS copy', async () => {
    const a = await loadHdf5(await fromDisk(V3_H5));
    const b = await loadHdf5(fromBytes(V3_H5));
    expectSameDataset(a, b);
    const { FS } = await (await import('h5wasm')).ready;
    const left = (FS as unknown as { readdir(p: string): string[] })
      .readdir('/')
      .filter((n) => n.startsWith('scgnn-'));
    expect(left).toEqual([]);
  });

  it('merges the two genomes of multiple_genomes.h5 (same 12 barcodes) and says so', async () => {
    const ds = await loadHdf5(await fromDisk(MULTI_H5));
    expect(ds.format).toBe('h5-10x-v2');
    expect(ds.matrix.counts.nRows).toBe(12);
    expect(ds.matrix.counts.nCols).toBe(686);
    expect(ds.matrix.geneIds.slice(0, 2)).toEqual(['gene_0', 'gene_1']);
    expect(ds.matrix.geneIds[343]).toBe('DSCAM');
    expect(ds.warnings).toHaveLength(1);
    expect(ds.warnings[0]).toContain('merged 2 genomes');
    expect(ds.warnings[0]).toContain('another_genome: 343 genes');
    expect(ds.warnings[0]).toContain('hg19_chr21: 343 genes');
    expect(nnz(ds.matrix.counts)).toBe(24);
    expect(await expectMatchesRaw(ds, MULTI_H5, 'another_genome', 0)).toBe(12);
    expect(await expectMatchesRaw(ds, MULTI_H5, 'hg19_chr21', 343)).toBe(12);
    expect(csrGet(ds.matrix.counts, 2, 282)).toBe(2); // another_genome's third cell holds a 2
  });

  it('refuses a 10x file over the memory budget, naming the sizes', async () => {
    const e = await failure(loadHdf5(await fromDisk(V3_H5), { memoryBudgetBytes: 100_000 }));
    expect(e.code).toBe('too-large');
    expect(e.message).toContain('filtered_feature_bc_matrix.h5');
    expect(e.message).toContain('23866 stored values');
    // 23866 x (8 CSR + 16 read block) + 1108 x 12 indptr = 586,080 B
    expect(e.message).toContain('needs about 572 KB');
    expect(e.message).toContain('budget of 98 KB');
    expect(e.location.field).toBe('matrix/data');
  });
});

// ---------------------------------------------------------------------------------------------------------
// AnnData

describe('loadHdf5 on AnnData .h5ad', () => {
  const obs = ['cellA', 'cellB', 'cellC'];
  const vars = ['G0', 'G1', 'G2', 'G3'];
  // 3 x 4: [[1,0,0,2],[0,0,0,0],[0,3.5,0,4]]
  const denseRef = [1, 0, 0, 2, 0, 0, 0, 0, 0, 3.5, 0, 4];

  it('dense X (float32) with an obs index column named by the _index attribute', async () => {
    const path = join(tmp, 'dense.h5ad');
    await writeH5ad(path, {
      X: { kind: 'dense', data: new Float32Array(denseRef), shape: [3, 4] },
      obs,
      var: vars,
      obsIndex: 'cell_id',
    });
    const ds = await loadHdf5(await fromDisk(path));
    expect(ds.format).toBe('h5ad');
    expect(ds.name).toBe('dense.h5ad');
    expect(ds.matrix.cellIds).toEqual(obs);
    expect(ds.matrix.geneIds).toEqual(vars);
    expect(Array.from(csrToDense(ds.matrix.counts))).toEqual(denseRef);
    expect(nnz(ds.matrix.counts)).toBe(4);
    expect(ds.integerValued).toBe(false);
    expect(ds.orientation).toBeNull();
  });

  it('dense X larger than one row block is read block by block and stays exact', async () => {
    const nObs = 1500;
    const nVar = 3000; // 4.5M elements: more than one 4M-element block
    const data = new Float32Array(nObs * nVar);
    const rng = seededRng(11);
    for (let i = 0; i < data.length; i += 1 + Math.floor(rng() * 40)) data[i] = 1 + Math.floor(rng() * 9);
    const path = join(tmp, 'dense-big.h5ad');
    await writeH5ad(path, {
      X: { kind: 'dense', data, shape: [nObs, nVar] },
      obs: Array.from({ length: nObs }, (_, i) => `c${i}`),
      var: Array.from({ length: nVar }, (_, i) => `g${i}`),
    });
    const ds = await loadHdf5(await fromDisk(path));
    const m = ds.matrix.counts;
    expect(m.nRows).toBe(nObs);
    expect(m.nCols).toBe(nVar);
    let expectedNnz = 0;
    for (const v of data) if (v !== 0) expectedNnz++;
    expect(nnz(m)).toBe(expectedNnz);
    for (let t = 0; t < 2000; t++) {
      const r = Math.floor(rng() * nObs);
      const c = Math.floor(rng() * nVar);
      expect(csrGet(m, r, c)).toBe(data[r * nVar + c]);
    }
    expect(csrGet(m, nObs - 1, nVar - 1)).toBe(data[nObs * nVar - 1]);
    expect(ds.integerValued).toBe(true);
  });

  it('CSR X (float64, int64 indptr) with var/gene_ids present keeps var/_index as ids', async () => {
    const path = join(tmp, 'csr.h5ad');
    await writeH5ad(path, {
      X: {
        kind: 'csr',
        data: new Float64Array([1, 2, 3.5, 4]),
        indices: new Int32Array([0, 3, 1, 3]),
        indptr: new BigInt64Array([0n, 2n, 2n, 4n]),
        shape: [3, 4],
      },
      obs,
      var: ['CD3E', 'CD4', 'MS4A1', 'LYZ'],
      varColumns: { gene_ids: ['ENSG1', 'ENSG2', 'ENSG3', 'ENSG4'] },
      countsLayer: true,
    });
    const ds = await loadHdf5(await fromDisk(path));
    expect(ds.integerValued).toBe(false);
    expect(ds.warnings).toHaveLength(1);
    expect(ds.warnings[0]).toContain('layers/counts');
    expect(ds.format).toBe('h5ad');
    expect(ds.matrix.geneIds).toEqual(['CD3E', 'CD4', 'MS4A1', 'LYZ']);
    expect(Array.from(csrToDense(ds.matrix.counts))).toEqual(denseRef);
    expect(Array.from(ds.matrix.counts.indptr)).toEqual([0, 2, 2, 4]);

    // Same file from in-memory bytes.
    const again = await loadHdf5(fromBytes(path));
    expectSameDataset(again, ds);
  });

  it('CSC X is converted to cells x genes CSR', async () => {
    const path = join(tmp, 'csc.h5ad');
    // Columns (genes) of denseRef: G0: (0,1) ; G1: (2,3.5) ; G2: - ; G3: (0,2),(2,4)
    await writeH5ad(path, {
      X: {
        kind: 'csc',
        data: new Float32Array([1, 3.5, 2, 4]),
        indices: new Int32Array([0, 2, 0, 2]),
        indptr: new Int32Array([0, 1, 2, 2, 4]),
        shape: [3, 4],
      },
      obs,
      var: vars,
    });
    const ds = await loadHdf5(await fromDisk(path));
    expect(ds.matrix.counts.nRows).toBe(3);
    expect(ds.matrix.counts.nCols).toBe(4);
    expect(Array.from(csrToDense(ds.matrix.counts))).toEqual(denseRef);
    expect(Array.from(ds.matrix.counts.indices)).toEqual([0, 3, 1, 3]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Malformed / unsupported files

function tenx(over: Partial<Tenx3Spec> = {}): Tenx3Spec {
  // 2 genes x 3 cells; cell 0: g1=5, g0=1 (descending, as Cell Ranger writes); cell 2: g0=2
  return {
    barcodes: ['AAA-1', 'CCC-1', 'GGG-1'],
    ids: ['ENSG1', 'ENSG2'],
    names: ['A', 'B'],
    shape: [2, 3],
    data: new Int32Array([5, 1, 2]),
    indices: new BigInt64Array([1n, 0n, 0n]),
    indptr: new BigInt64Array([0n, 2n, 2n, 3n]),
    ...over,
  };
}

describe('loadHdf5 malformed corpus', () => {
  it('a well-formed synthetic 10x v3 file loads (baseline of the corpus)', async () => {
    const path = join(tmp, 'ok.h5');
    await write10xV3(path, tenx());
    const ds = await loadHdf5(await fromDisk(path));
    expect(Array.from(ds.matrix.counts.indptr)).toEqual([0, 2, 2, 3]);
    expect(Array.from(ds.matrix.counts.indices)).toEqual([0, 1, 0]);
    expect(Array.from(ds.matrix.counts.values)).toEqual([1, 5, 2]);
  });

  it('drops non Gene Expression features with a warning', async () => {
    const path = join(tmp, 'ab.h5');
    await write10xV3(path, tenx({ types: ['Antibody Capture', 'Gene Expression'] }));
    const ds = await loadHdf5(await fromDisk(path));
    expect(ds.matrix.geneIds).toEqual(['ENSG2']);
    expect(ds.matrix.geneSymbols).toEqual(['B']);
    expect(Array.from(ds.matrix.counts.indptr)).toEqual([0, 1, 1, 1]);
    expect(Array.from(ds.matrix.counts.values)).toEqual([5]);
    expect(ds.warnings[0]).toContain('dropped 1 "Antibody Capture" feature');
  });

  it('non-HDF5 bytes named .h5 -> unknown-format', async () => {
    const e = await failure(loadHdf5(inputFileFromBytes('counts.h5', 'gene,cell1\nA,1\n')));
    expect(e.code).toBe('unknown-format');
    expect(e.message).toContain('counts.h5');
    expect(e.message).toContain('not an HDF5 file');
  });

  it('HDF5 with an unknown layout -> unsupported-hdf5 listing what is there and what is supported', async () => {
    const path = join(tmp, 'other.h5');
    await writeOtherH5(path);
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('unsupported-hdf5');
    expect(e.message).toContain('other.h5');
    expect(e.message).toContain('images/');
    expect(e.message).toContain('calibration');
    expect(e.message).toContain('10x HDF5 v3');
    expect(e.message).toContain('AnnData');
  });

  it('h5ad with an unsupported X encoding -> unsupported-hdf5 (field X)', async () => {
    const path = join(tmp, 'coo.h5ad');
    await writeH5ad(path, { X: { kind: 'other', encoding: 'coo_matrix' }, obs: ['a'], var: ['g'] });
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('unsupported-hdf5');
    expect(e.location.field).toBe('X');
    expect(e.message).toContain('coo.h5ad');
    expect(e.message).toContain('"coo_matrix"');
  });

  it('indptr length vs shape -> dimension-mismatch (field matrix/indptr)', async () => {
    const path = join(tmp, 'indptr.h5');
    await write10xV3(path, tenx({ indptr: new BigInt64Array([0n, 2n, 3n]) }));
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('dimension-mismatch');
    expect(e.location.field).toBe('matrix/indptr');
    expect(e.message).toContain('indptr.h5');
    expect(e.message).toContain('has 3 entries');
    expect(e.message).toContain('3 + 1 = 4');
  });

  it('indptr not ending at nnz -> dimension-mismatch (field matrix/indptr)', async () => {
    const path = join(tmp, 'indptr-end.h5');
    await write10xV3(path, tenx({ indptr: new BigInt64Array([0n, 2n, 2n, 2n]) }));
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('dimension-mismatch');
    expect(e.location.field).toBe('matrix/indptr');
    expect(e.message).toContain('from 0 to 2');
  });

  it('barcodes count vs shape -> dimension-mismatch (field matrix/barcodes)', async () => {
    const path = join(tmp, 'bc.h5');
    await write10xV3(path, tenx({ barcodes: ['AAA-1', 'CCC-1'] }));
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('dimension-mismatch');
    expect(e.location.field).toBe('matrix/barcodes');
    expect(e.message).toContain('has 2 entries');
    expect(e.message).toContain('3 cells');
  });

  it('gene index out of range -> dimension-mismatch (field matrix/indices)', async () => {
    const path = join(tmp, 'idx.h5');
    await write10xV3(path, tenx({ indices: new BigInt64Array([1n, 7n, 0n]) }));
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('dimension-mismatch');
    expect(e.location.field).toBe('matrix/indices');
    expect(e.message).toContain('matrix/indices[1] = 7');
  });

  it('duplicate barcodes -> duplicate-id (field matrix/barcodes)', async () => {
    const path = join(tmp, 'dup.h5');
    await write10xV3(path, tenx({ barcodes: ['AAA-1', 'CCC-1', 'AAA-1'] }));
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('duplicate-id');
    expect(e.location.field).toBe('matrix/barcodes');
    expect(e.message).toContain('"AAA-1"');
    expect(e.message).toContain('entries 1 and 3');
  });

  it('negative value in h5ad CSR X -> negative-value naming the cell and gene', async () => {
    const path = join(tmp, 'neg.h5ad');
    await writeH5ad(path, {
      X: {
        kind: 'csr',
        data: new Float32Array([1, -2]),
        indices: new Int32Array([0, 1]),
        indptr: new Int32Array([0, 1, 2]),
        shape: [2, 2],
      },
      obs: ['c1', 'c2'],
      var: ['g1', 'g2'],
    });
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('negative-value');
    expect(e.location.field).toBe('X/data');
    expect(e.message).toContain('neg.h5ad');
    expect(e.message).toContain('cell "c2", gene "g2"');
  });

  it('NaN in dense X -> non-finite naming the position', async () => {
    const path = join(tmp, 'nan.h5ad');
    await writeH5ad(path, {
      X: { kind: 'dense', data: new Float64Array([1, 0, NaN, 0]), shape: [2, 2] },
      obs: ['c1', 'c2'],
      var: ['g1', 'g2'],
    });
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('non-finite');
    expect(e.location.field).toBe('X');
    expect(e.message).toContain('X[1, 0] = NaN');
  });

  it('obs length vs X shape -> dimension-mismatch (field obs/_index)', async () => {
    const path = join(tmp, 'obs.h5ad');
    await writeH5ad(path, {
      X: { kind: 'dense', data: new Float32Array([1, 0, 0, 1]), shape: [2, 2] },
      obs: ['c1', 'c2', 'c3'],
      var: ['g1', 'g2'],
    });
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('dimension-mismatch');
    expect(e.location.field).toBe('obs/_index');
    expect(e.message).toContain('X has 2 rows');
    expect(e.message).toContain('3 entries');
  });

  it('duplicate var ids -> duplicate-id (field var/_index)', async () => {
    const path = join(tmp, 'dupvar.h5ad');
    await writeH5ad(path, {
      X: { kind: 'dense', data: new Float32Array([1, 0, 0, 1]), shape: [2, 2] },
      obs: ['c1', 'c2'],
      var: ['g1', 'g1'],
    });
    const e = await failure(loadHdf5(await fromDisk(path)));
    expect(e.code).toBe('duplicate-id');
    expect(e.location.field).toBe('var/_index');
    expect(e.message).toContain('gene id "g1"');
  });
});
