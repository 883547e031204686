/**
 * Tiles (issue 12): a matrix read once from its rows into tiles gives back the same rows and columns, and the
 * consumers that take tiles (imputed CSV, marker genes, heatmap) give exactly what they give on the dense
 * matrix, without ever asking the row source for `dense()`.
 */
import { describe, expect, it } from 'vitest';
import { csrColumns, heatmapColumns, heatmapData, heatmapGenes } from '../analysis/heatmap.ts';
import { librarySizeFactors, log1pDense } from '../preprocess/normalise.ts';
import { csrFromDense } from './csr.ts';
import { findMarkers } from '../analysis/markers.ts';
import {
  csvField,
  formatNumber,
  stringSink,
  writeMatrixCsv,
  type MatrixLayout,
} from '../../io/writers/csv-writers.ts';
import { denseMatrix, type DenseMatrix } from './dense.ts';
import { computedRows, log1pRows, rowRange, type RowMatrix } from './rows.ts';
import {
  blobTileReader,
  denseTiles,
  readColBlock,
  readRowBlock,
  toBlobTiles,
  writeTiles,
  type TiledMatrix,
} from './tiles.ts';

/** Deterministic values with zeros, ties and a few negatives (log1p-like). */
function values(rows: number, cols: number): DenseMatrix {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const h = (i * 7919 + j * 104729) % 97;
      data[i * cols + j] = h < 40 ? 0 : h === 41 ? -0.5 : Math.fround(Math.log1p(h / 3 + (i % 5)));
    }
  return denseMatrix(rows, cols, data);
}

/** Computed rows of `m` whose `dense()` throws: the consumers must read blocks. */
function rowsOnly(m: DenseMatrix): RowMatrix {
  const rows = computedRows(m.rows, m.cols, (i, out) =>
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols)),
  );
  return {
    ...rows,
    dense: () => {
      throw new Error('dense() called');
    },
  };
}

/** The imputed CSV as the writer made it before tiles (the whole dense matrix, element by element). */
function previousMatrixCsv(
  m: DenseMatrix,
  cellIds: readonly string[],
  geneIds: readonly string[],
  layout: MatrixLayout,
): string {
  const [rowIds, colIds] = layout === 'genes-x-cells' ? [geneIds, cellIds] : [cellIds, geneIds];
  let out = ',' + colIds.map(csvField).join(',') + '\n';
  for (let r = 0; r < rowIds.length; r++) {
    const line = [csvField(rowIds[r]!)];
    for (let c = 0; c < colIds.length; c++) {
      const v = layout === 'genes-x-cells' ? m.data[c * m.cols + r]! : m.data[r * m.cols + c]!;
      line.push(formatNumber(v, 4));
    }
    out += line.join(',') + '\n';
  }
  return out;
}

describe('tiles', () => {
  it('reads back every row block and column block of ragged tiles', async () => {
    const m = values(11, 7);
    const tiles = blobTileReader(await toBlobTiles(rowsOnly(m), 3, 2));
    expect([tiles.rows, tiles.cols]).toEqual([11, 7]);
    for (let rb = 0; rb < 4; rb++) {
      const r0 = rb * 3;
      const r1 = Math.min(11, r0 + 3);
      expect(Array.from(await readRowBlock(tiles, rb))).toEqual(Array.from(m.data.subarray(r0 * 7, r1 * 7)));
    }
    for (let cb = 0; cb < 4; cb++) {
      const c0 = cb * 2;
      const c1 = Math.min(7, c0 + 2);
      const expected: number[] = [];
      for (let i = 0; i < 11; i++) for (let j = c0; j < c1; j++) expected.push(m.data[i * 7 + j]!);
      expect(Array.from(await readColBlock(tiles, cb))).toEqual(expected);
    }
    // The dense view gives the same tiles.
    const dense = denseTiles(m, 3, 2);
    for (let rb = 0; rb < 4; rb++)
      for (let cb = 0; cb < 4; cb++)
        expect(Array.from(await dense.readTile(rb, cb))).toEqual(Array.from(await tiles.readTile(rb, cb)));
  });

  it('reads its source one row block at a time', async () => {
    const m = values(10, 3);
    const reads: number[] = [];
    const source = rowsOnly(m);
    const counted = {
      ...source,
      read: (idx: ArrayLike<number>) => (reads.push(idx.length), source.read(idx)),
    };
    const tiles: Float32Array[] = [];
    await writeTiles(counted, { write: (t) => void tiles.push(t) }, 4, 2);
    expect(reads).toEqual([4, 4, 2]);
    expect(tiles.map((t) => t.length)).toEqual([8, 4, 8, 4, 4, 2]);
  });

  it('writes the same imputed CSV from tiles as from the dense matrix, in both layouts', async () => {
    const m = values(37, 150);
    const cells = Array.from({ length: 37 }, (_, i) => (i === 3 ? 'cell, "quoted"' : `c${i}`));
    const genes = Array.from({ length: 150 }, (_, j) => `g${j}`);
    const tiles = blobTileReader(await toBlobTiles(rowsOnly(m), 8));
    for (const layout of ['genes-x-cells', 'cells-x-genes'] as const) {
      const dense = stringSink();
      const chunks: string[] = [];
      await writeMatrixCsv(dense, m, cells, genes, layout);
      await writeMatrixCsv({ write: (c) => void chunks.push(c) }, tiles, cells, genes, layout);
      expect(chunks.join('')).toBe(dense.text());
      expect(dense.text()).toBe(previousMatrixCsv(m, cells, genes, layout));
    }
  });

  it('finds the same marker genes and heatmap from tiles as from the dense matrix', async () => {
    const m = values(53, 150); // three column blocks of 64, 64 and 22 genes
    const labels = Int32Array.from({ length: 53 }, (_, i) => (i % 7 === 0 ? -1 : i % 3));
    const genes = Array.from({ length: 150 }, (_, j) => `g${j}`);
    const tiles: TiledMatrix = blobTileReader(await toBlobTiles(rowsOnly(m), 10));
    const dense = await findMarkers(m, labels, genes, { topN: 20 });
    const tiled = await findMarkers(tiles, labels, genes, { topN: 20 });
    expect(tiled).toEqual(dense);

    const before = values(53, 150);
    const shown = heatmapGenes({ markers: dense });
    expect(shown.length).toBeGreaterThan(0);
    const fromDense = heatmapData(before, m, labels, genes, { markers: dense, maxCells: 20 });
    const columns = await heatmapColumns(tiles, shown);
    const fromTiles = heatmapData(before, columns, labels, genes, { geneIndices: shown, maxCells: 20 });
    expect(fromTiles).toEqual(fromDense);
  });

  it('refuses tiles whose column blocks do not hold whole blocks of 64 genes for the markers', async () => {
    const m = values(5, 70);
    const tiles = blobTileReader(await toBlobTiles(rowsOnly(m), 4, 48));
    const labels = Int32Array.from({ length: 5 }, (_, i) => i % 2);
    await expect(
      findMarkers(
        tiles,
        labels,
        Array.from({ length: 70 }, (_, j) => `g${j}`),
      ),
    ).rejects.toThrow(/64/);
  });

  it('reads every row of the source exactly once', async () => {
    const m = values(9, 4);
    const seen = new Int32Array(9);
    const source = computedRows(9, 4, (i, out) => {
      seen[i]!++;
      out.set(m.data.subarray(i * 4, (i + 1) * 4));
    });
    await toBlobTiles(source, 2, 3);
    expect(Array.from(seen)).toEqual(Array.from(rowRange(0, 9)).map(() => 1));
  });

  it('gives the raw-count markers and heatmap of the page from tiles and columns as from log1pDense', async () => {
    const nCells = 41;
    const nGenes = 130;
    const dense = Float32Array.from({ length: nCells * nGenes }, (_, i) =>
      ((i * 2654435761) >>> 0) % 9 < 6 ? 0 : (i % 13) + 1,
    );
    const counts = csrFromDense(dense, nCells, nGenes);
    const labels = Int32Array.from({ length: nCells }, (_, i) => i % 4);
    const genes = Array.from({ length: nGenes }, (_, j) => `g${j}`);
    const factors = librarySizeFactors(counts);
    const expected = await findMarkers(log1pDense(counts, factors), labels, genes);
    const tiles = blobTileReader(await toBlobTiles(log1pRows(counts, factors), 16));
    const markers = await findMarkers(tiles, labels, genes);
    expect(markers).toEqual(expected);

    const imputed = values(nCells, nGenes);
    const shown = heatmapGenes({ markers });
    const before = csrColumns(counts, shown, (_, v) => Math.log1p(v));
    const after = await heatmapColumns(blobTileReader(await toBlobTiles(rowsOnly(imputed))), shown);
    expect(heatmapData(before, after, labels, genes, { geneIndices: shown })).toEqual(
      heatmapData(log1pDense(counts), imputed, labels, genes, { markers: expected }),
    );
  });
});
