/**
 * The `.h5ad` writer: a small run written to bytes and read back with the project's own loader and with h5wasm
 * directly: shape, names, X (dense imputed and sparse raw), the categoricals, the embeddings, the cell graph
 * (CSR round trip, symmetric) and the AnnData encoding attributes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as h5wasm from 'h5wasm/node';
import type { Dataset, Group } from 'h5wasm';
import { afterAll, describe, expect, it } from 'vitest';
import type { CellGraph } from '../core/graph/cell-graph.ts';
import { csrToDense } from '../core/matrix/csr.ts';
import { loadHdf5 } from './hdf5.ts';
import { writeH5ad, writeH5adBytes, type H5adContent } from './h5ad-writer.ts';
import { toBlobTiles, blobTileReader } from '../core/matrix/tiles.ts';
import { computedRows } from '../core/matrix/rows.ts';
import { inputFileFromBytes } from './input-file.ts';

const tmp = mkdtempSync(join(tmpdir(), 'scgnn-h5ad-writer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cellIds = ['AAAC-1', 'AAAG-1', 'cell é', 'CCCT-1', 'GGGA-1'];
const geneIds = ['Actb', 'Gapdh', 'Sox2', 'Nanog'];

/** Undirected weighted edges 0-1, 0-2, 1-2, 3-4 as a symmetric CSR graph. */
function smallGraph(): CellGraph {
  const adj: [number, number][][] = [
    [
      [1, 0.5],
      [2, 0.25],
    ],
    [
      [0, 0.5],
      [2, 0.75],
    ],
    [
      [0, 0.25],
      [1, 0.75],
    ],
    [[4, 1]],
    [[3, 1]],
  ];
  const indptr = new Uint32Array(adj.length + 1);
  adj.forEach((row, i) => (indptr[i + 1] = indptr[i]! + row.length));
  const flat = adj.flat();
  return {
    nNodes: adj.length,
    indptr,
    indices: Int32Array.from(flat, (e) => e[0]),
    weights: Float32Array.from(flat, (e) => e[1]),
  };
}

const imputed = Float32Array.from({ length: 20 }, (_, i) => Math.log1p(i * 0.5));
const base: H5adContent = {
  cellIds,
  geneIds,
  X: { kind: 'dense', matrix: { rows: 5, cols: 4, data: imputed } },
  clusters: Int32Array.from([0, 0, 1, 2, 2]),
  labels: { codes: Int32Array.from([1, 1, 0, -1, 0]), classes: ['epiblast', 'zygote'] },
  embedding: { rows: 5, cols: 3, data: Float32Array.from({ length: 15 }, (_, i) => i - 7.5) },
  umap: Float32Array.from({ length: 10 }, (_, i) => i / 4),
  graph: smallGraph(),
  manifest: { tool: 'scgnn-web', seed: 3, params: { k: 10 } },
  uns: { scgnn_x: 'imputed', scgnn_n_clusters: 3, scgnn_score: 0.25 },
};

/** Write the bytes to disk and open them with the Node build of h5wasm (an independent reader). */
async function open(bytes: Uint8Array, name: string): Promise<h5wasm.File> {
  await h5wasm.ready;
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return new h5wasm.File(path, 'r');
}

const attr = (f: h5wasm.File, path: string, name: string): unknown => {
  const node = path === '/' ? f : (f.get(path) as Group | Dataset);
  return node.get_attribute(name, false);
};
const value = (f: h5wasm.File, path: string): unknown => (f.get(path) as Dataset).value;
const enc = (f: h5wasm.File, path: string): [unknown, unknown] => [
  attr(f, path, 'encoding-type'),
  attr(f, path, 'encoding-version'),
];

describe('h5ad writer', () => {
  it('hands the file to a sink in parts of at most partBytes that make up the whole file', async () => {
    const whole = await writeH5adBytes(base);
    const parts: Uint8Array[] = [];
    await writeH5ad(base, (p) => void parts.push(p), 1000);
    expect(parts.length).toBe(Math.ceil(whole.length / 1000));
    expect(parts.slice(0, -1).every((p) => p.length === 1000)).toBe(true);
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (joined.set(p, at), at + p.length), 0);
    expect(joined.length).toBe(whole.length);
    const ds = await loadHdf5(inputFileFromBytes('parts.h5ad', joined));
    expect(ds.matrix.cellIds).toEqual(cellIds);
    expect(ds.matrix.geneIds).toEqual(geneIds);
  });

  it('writes X, obs, var, obsm, obsp and uns in the AnnData >= 0.8 layout', async () => {
    const bytes = await writeH5adBytes(base);

    // The project's own loader reads it back as a dataset.
    const ds = await loadHdf5(inputFileFromBytes('results.h5ad', bytes));
    expect(ds.format).toBe('h5ad');
    expect(ds.matrix.cellIds).toEqual(cellIds);
    expect(ds.matrix.geneIds).toEqual(geneIds);
    expect(Array.from(csrToDense(ds.matrix.counts))).toEqual(Array.from(imputed));

    const f = await open(bytes, 'dense.h5ad');
    try {
      expect(enc(f, '/')).toEqual(['anndata', '0.1.0']);
      expect(f.keys().sort()).toEqual(['X', 'layers', 'obs', 'obsm', 'obsp', 'uns', 'var', 'varm', 'varp']);
      const X = f.get('X') as Dataset;
      expect(X.shape).toEqual([5, 4]);
      expect(X.dtype).toBe('<f');
      expect(enc(f, 'X')).toEqual(['array', '0.2.0']);

      // obs: a dataframe indexed by cell id, with the clusters and labels as categoricals.
      expect(enc(f, 'obs')).toEqual(['dataframe', '0.2.0']);
      expect(attr(f, 'obs', '_index')).toBe('_index');
      expect(attr(f, 'obs', 'column-order')).toEqual(['cluster', 'label']);
      expect(value(f, 'obs/_index')).toEqual(cellIds);
      expect(enc(f, 'obs/_index')).toEqual(['string-array', '0.2.0']);
      expect((f.get('obs/_index') as Dataset).metadata).toMatchObject({ vlen: true, cset: 1 }); // UTF-8
      expect(enc(f, 'obs/cluster')).toEqual(['categorical', '0.2.0']);
      expect(attr(f, 'obs/cluster', 'ordered')).toBe(0);
      expect(value(f, 'obs/cluster/categories')).toEqual(['0', '1', '2']);
      expect(enc(f, 'obs/cluster/categories')).toEqual(['string-array', '0.2.0']);
      expect(Array.from(value(f, 'obs/cluster/codes') as Int8Array)).toEqual([0, 0, 1, 2, 2]);
      expect(value(f, 'obs/label/categories')).toEqual(['epiblast', 'zygote']);
      expect(Array.from(value(f, 'obs/label/codes') as Int8Array)).toEqual([1, 1, 0, -1, 0]);

      // var: gene names as the index, no columns (an empty float64 array, as h5py writes an empty list).
      expect(enc(f, 'var')).toEqual(['dataframe', '0.2.0']);
      expect(value(f, 'var/_index')).toEqual(geneIds);
      expect(Array.from(attr(f, 'var', 'column-order') as Float64Array)).toEqual([]);

      // obsm: the embedding and the UMAP layout.
      expect(enc(f, 'obsm')).toEqual(['dict', '0.1.0']);
      expect((f.get('obsm/X_scgnn') as Dataset).shape).toEqual([5, 3]);
      expect(Array.from(value(f, 'obsm/X_scgnn') as Float32Array)).toEqual(Array.from(base.embedding.data));
      expect((f.get('obsm/X_umap') as Dataset).shape).toEqual([5, 2]);
      expect(Array.from(value(f, 'obsm/X_umap') as Float32Array)).toEqual(Array.from(base.umap!));

      // obsp: the graph round-trips as CSR and is symmetric.
      expect(enc(f, 'obsp/connectivities')).toEqual(['csr_matrix', '0.1.0']);
      expect(Array.from(attr(f, 'obsp/connectivities', 'shape') as BigInt64Array)).toEqual([5n, 5n]);
      const indptr = Array.from(value(f, 'obsp/connectivities/indptr') as Int32Array);
      const indices = Array.from(value(f, 'obsp/connectivities/indices') as Int32Array);
      const data = Array.from(value(f, 'obsp/connectivities/data') as Float32Array);
      expect(indptr).toEqual(Array.from(base.graph.indptr));
      expect(indices).toEqual(Array.from(base.graph.indices));
      expect(data).toEqual(Array.from(base.graph.weights));
      const w = (i: number, j: number): number => {
        for (let k = indptr[i]!; k < indptr[i + 1]!; k++) if (indices[k] === j) return data[k]!;
        return 0;
      };
      for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(w(i, j)).toBe(w(j, i));
      expect(w(1, 2)).toBe(0.75);

      // uns: the manifest as JSON and the scalars.
      expect(enc(f, 'uns')).toEqual(['dict', '0.1.0']);
      expect(JSON.parse(value(f, 'uns/scgnn_manifest') as string)).toEqual(base.manifest);
      expect(enc(f, 'uns/scgnn_manifest')).toEqual(['string', '0.2.0']);
      expect(value(f, 'uns/scgnn_x')).toBe('imputed');
      expect(value(f, 'uns/scgnn_n_clusters')).toBe(3n);
      expect(enc(f, 'uns/scgnn_n_clusters')).toEqual(['numeric-scalar', '0.2.0']);
      expect(value(f, 'uns/scgnn_score')).toBe(0.25);
      for (const g of ['layers', 'varm', 'varp']) expect(enc(f, g)).toEqual(['dict', '0.1.0']);
    } finally {
      f.close();
    }
  });

  it('writes raw counts as a CSR X, leaves out absent labels and UMAP, and refuses mismatched shapes', async () => {
    const counts = {
      nRows: 5,
      nCols: 4,
      indptr: Uint32Array.from([0, 2, 2, 3, 5, 6]),
      indices: Int32Array.from([0, 3, 1, 0, 2, 3]),
      values: Float32Array.from([1, 7, 2, 3, 4, 12]),
    };
    const raw: H5adContent = { ...base, X: { kind: 'csr', matrix: counts }, labels: null, umap: null };
    const bytes = await writeH5adBytes(raw);
    const ds = await loadHdf5(inputFileFromBytes('raw.h5ad', bytes));
    expect(ds.matrix.cellIds).toEqual(cellIds);
    expect(Array.from(csrToDense(ds.matrix.counts))).toEqual(Array.from(csrToDense(counts)));

    const f = await open(bytes, 'raw.h5ad');
    try {
      expect(enc(f, 'X')).toEqual(['csr_matrix', '0.1.0']);
      expect(Array.from(attr(f, 'X', 'shape') as BigInt64Array)).toEqual([5n, 4n]);
      expect(Array.from(value(f, 'X/indptr') as Int32Array)).toEqual([0, 2, 2, 3, 5, 6]);
      expect(attr(f, 'obs', 'column-order')).toEqual(['cluster']);
      expect(f.get('obs/label')).toBeNull();
      expect(f.get('obsm/X_umap')).toBeNull();
    } finally {
      f.close();
    }

    await expect(writeH5adBytes({ ...base, clusters: Int32Array.from([0, 1]) })).rejects.toThrow(
      /2 cluster labels/,
    );
  });

  it('writes a matrix larger than one block in row blocks with the same values', async () => {
    const rows = 700;
    const cols = 1600; // 1.12 M values: more than one block
    const data = Float32Array.from({ length: rows * cols }, (_, i) => (i % 997) / 7);
    const ids = Array.from({ length: rows }, (_, i) => `c${i}`);
    const genes = Array.from({ length: cols }, (_, j) => `g${j}`);
    const empty: CellGraph = {
      nNodes: rows,
      indptr: new Uint32Array(rows + 1),
      indices: new Int32Array(0),
      weights: new Float32Array(0),
    };
    const bytes = await writeH5adBytes({
      cellIds: ids,
      geneIds: genes,
      X: { kind: 'dense', matrix: { rows, cols, data } },
      clusters: new Int32Array(rows),
      embedding: { rows, cols: 2, data: new Float32Array(rows * 2) },
      graph: empty,
      manifest: {},
    });
    const f = await open(bytes, 'large.h5ad');
    try {
      const X = f.get('X') as Dataset;
      expect(X.shape).toEqual([rows, cols]);
      const back = X.value as Float32Array;
      expect(back.length).toBe(data.length);
      let same = true;
      for (let i = 0; i < data.length; i++) if (back[i] !== data[i]) same = false;
      expect(same).toBe(true);
      expect(Array.from(value(f, 'obsp/connectivities/indptr') as Int32Array).every((v) => v === 0)).toBe(
        true,
      );
    } finally {
      f.close();
    }
  });

  it('writes X from tiles (row blocks, the matrix never whole) as the dense matrix, small and chunked', async () => {
    for (const [rows, cols] of [
      [5, 4],
      [700, 1600], // more than one block: the chunked dataset
    ] as const) {
      const data = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 31) % 1009) / 13);
      const source = {
        ...computedRows(rows, cols, (i, out) => out.set(data.subarray(i * cols, (i + 1) * cols))),
        dense: () => {
          throw new Error('dense() called');
        },
      };
      const tiles = blobTileReader(await toBlobTiles(source, 96));
      const ids = Array.from({ length: rows }, (_, i) => `c${i}`);
      const genes = Array.from({ length: cols }, (_, j) => `g${j}`);
      const empty: CellGraph = {
        nNodes: rows,
        indptr: new Uint32Array(rows + 1),
        indices: new Int32Array(0),
        weights: new Float32Array(0),
      };
      const common = {
        cellIds: ids,
        geneIds: genes,
        clusters: new Int32Array(rows),
        embedding: { rows, cols: 2, data: new Float32Array(rows * 2) },
        graph: empty,
        manifest: {},
      };
      const dense = await writeH5adBytes({ ...common, X: { kind: 'dense', matrix: { rows, cols, data } } });
      const tiled = await writeH5adBytes({ ...common, X: { kind: 'tiles', matrix: tiles } });
      // The same file but for HDF5's object timestamps (a write that crosses a second differs there).
      expect(tiled.length).toBe(dense.length);
      const layouts: unknown[] = [];
      for (const [name, bytes] of [
        ['dense', dense],
        ['tiled', tiled],
      ] as const) {
        const f = await open(bytes, `${name}-${rows}.h5ad`);
        try {
          const X = f.get('X') as Dataset;
          expect(X.shape).toEqual([rows, cols]);
          expect(X.dtype).toBe('<f');
          expect(enc(f, 'X')).toEqual(['array', '0.2.0']);
          layouts.push([X.metadata.chunks, X.metadata.maxshape]);
          expect(Buffer.from((X.value as Float32Array).buffer).equals(Buffer.from(data.buffer))).toBe(true);
        } finally {
          f.close();
        }
      }
      expect(layouts[1]).toEqual(layouts[0]); // contiguous (small), or the same chunks
    }
  });
});
