/**
 * A cells x genes float32 matrix kept outside the JS heap in tiles, so its consumers read it in blocks and no
 * one holds it whole (issue 12: the imputed matrix is 800 MB at 100,000 cells x 2,000 genes).
 *
 * Tile (rb, cb) holds rows rb·tileRows .. and columns cb·tileCols .., row-major within the tile (the last tiles of
 * a row or column are smaller). Row blocks feed the writers that go cell by cell (cells x genes CSV, the .h5ad's
 * X); column blocks (every cell, `tileCols` genes, cell-major) feed those that go gene by gene (genes x cells CSV,
 * marker genes). In the browser the tiles are Blobs (`blobTiles`: the browser keeps large blobs in its blob
 * storage, paged to disk, and IndexedDB stores them as they are); the CLI keeps them in a temporary file.
 */
import type { DenseMatrix } from './dense.ts';
import { rowRange, type RowSource } from './rows.ts';

export interface TiledMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly tileRows: number;
  readonly tileCols: number;
  /** Tile (rb, cb), row-major: rowsOf(rb) x colsOf(cb) values (a fresh array). */
  readTile(rb: number, cb: number): Promise<Float32Array>;
}

/** Genes per tile: the marker test's block of genes (markers.ts), 256 bytes of a row. */
export const TILE_COLS = 64;
/** Cells per tile: 1 MB tiles at 64 genes. */
export const TILE_ROWS = 4096;

/** Where the tiles of a matrix being written go, in the order (0, 0), (0, 1), ..., (1, 0), ... */
export interface TileSink {
  write(tile: Float32Array<ArrayBuffer>): void | Promise<void>;
}

export const rowBlockCount = (m: Pick<TiledMatrix, 'rows' | 'tileRows'>): number =>
  Math.ceil(m.rows / m.tileRows);
export const colBlockCount = (m: Pick<TiledMatrix, 'cols' | 'tileCols'>): number =>
  Math.ceil(m.cols / m.tileCols);

/** Rows [start, end) of row block rb. */
export function rowBlockRange(m: Pick<TiledMatrix, 'rows' | 'tileRows'>, rb: number): [number, number] {
  return [rb * m.tileRows, Math.min(m.rows, (rb + 1) * m.tileRows)];
}

/** Columns [start, end) of column block cb. */
export function colBlockRange(m: Pick<TiledMatrix, 'cols' | 'tileCols'>, cb: number): [number, number] {
  return [cb * m.tileCols, Math.min(m.cols, (cb + 1) * m.tileCols)];
}

/**
 * Read `source` once, row block by row block, and hand its tiles to `sink` in order. Rows are read `tileRows`
 * at a time, so at most one row block (tileRows x cols) is held.
 */
export async function writeTiles(
  source: RowSource,
  sink: TileSink,
  tileRows = TILE_ROWS,
  tileCols = TILE_COLS,
): Promise<void> {
  const { rows, cols } = source;
  const shape = { rows, cols, tileRows, tileCols };
  for (let rb = 0; rb < rowBlockCount(shape); rb++) {
    const [r0, r1] = rowBlockRange(shape, rb);
    const block = source.read(rowRange(r0, r1));
    const nr = r1 - r0;
    for (let cb = 0; cb < colBlockCount(shape); cb++) {
      const [c0, c1] = colBlockRange(shape, cb);
      const nc = c1 - c0;
      const tile = new Float32Array(nr * nc);
      for (let i = 0; i < nr; i++) tile.set(block.subarray(i * cols + c0, i * cols + c1), i * nc);
      await sink.write(tile);
    }
  }
}

/** Row block rb, every column: (rows of the block) x cols, row-major. */
export async function readRowBlock(m: TiledMatrix, rb: number): Promise<Float32Array<ArrayBuffer>> {
  const [r0, r1] = rowBlockRange(m, rb);
  const nr = r1 - r0;
  const out = new Float32Array(nr * m.cols);
  for (let cb = 0; cb < colBlockCount(m); cb++) {
    const [c0, c1] = colBlockRange(m, cb);
    const nc = c1 - c0;
    const tile = await m.readTile(rb, cb);
    for (let i = 0; i < nr; i++) out.set(tile.subarray(i * nc, (i + 1) * nc), i * m.cols + c0);
  }
  return out;
}

/** Column block cb, every row: rows x (columns of the block), row-major (cell-major). */
export async function readColBlock(m: TiledMatrix, cb: number): Promise<Float32Array<ArrayBuffer>> {
  const [c0, c1] = colBlockRange(m, cb);
  const nc = c1 - c0;
  const out = new Float32Array(m.rows * nc);
  for (let rb = 0; rb < rowBlockCount(m); rb++) {
    const [r0] = rowBlockRange(m, rb);
    out.set(await m.readTile(rb, cb), r0 * nc);
  }
  return out;
}

/** A dense matrix read as tiles (copies out of it): lets block readers take a matrix already held. */
export function denseTiles(m: DenseMatrix, tileRows = TILE_ROWS, tileCols = TILE_COLS): TiledMatrix {
  const shape = { rows: m.rows, cols: m.cols, tileRows, tileCols };
  return {
    ...shape,
    readTile: async (rb, cb) => {
      const [r0, r1] = rowBlockRange(shape, rb);
      const [c0, c1] = colBlockRange(shape, cb);
      const nc = c1 - c0;
      const tile = new Float32Array((r1 - r0) * nc);
      for (let i = r0; i < r1; i++)
        tile.set(m.data.subarray(i * m.cols + c0, i * m.cols + c1), (i - r0) * nc);
      return tile;
    },
  };
}

/** A matrix stored as Blob tiles: plain data (structured-cloneable, so IndexedDB keeps it as it is). */
export interface BlobTiles {
  readonly kind: 'blob-tiles';
  readonly rows: number;
  readonly cols: number;
  readonly tileRows: number;
  readonly tileCols: number;
  /** Tile (rb, cb) at rb · colBlockCount + cb: float32 bytes (little-endian, the platform's order). */
  readonly tiles: readonly Blob[];
}

/** `source` read once into Blob tiles. */
export async function toBlobTiles(
  source: RowSource,
  tileRows = TILE_ROWS,
  tileCols = TILE_COLS,
): Promise<BlobTiles> {
  const tiles: Blob[] = [];
  await writeTiles(source, { write: (t) => void tiles.push(new Blob([t])) }, tileRows, tileCols);
  return { kind: 'blob-tiles', rows: source.rows, cols: source.cols, tileRows, tileCols, tiles };
}

/** Blob tiles as a TiledMatrix (each read fetches one Blob). */
export function blobTileReader(b: BlobTiles): TiledMatrix {
  const perRow = colBlockCount(b);
  return {
    rows: b.rows,
    cols: b.cols,
    tileRows: b.tileRows,
    tileCols: b.tileCols,
    readTile: async (rb, cb) => new Float32Array(await b.tiles[rb * perRow + cb]!.arrayBuffer()),
  };
}

/** Tiles as they are, or a dense matrix (held whole) read as tiles. */
export function asTiles(m: TiledMatrix | DenseMatrix): TiledMatrix {
  return 'readTile' in m ? m : denseTiles(m);
}
