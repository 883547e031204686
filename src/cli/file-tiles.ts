/**
 * The CLI's TiledMatrix: tiles written once to a temporary file and read back by position, so the imputed matrix
 * (computed row by row) is on disk, not in memory, while the CSV and .h5ad writers read it in blocks. The file
 * is removed by `dispose()`.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowSource } from '../core/matrix/rows.ts';
import {
  colBlockCount,
  colBlockRange,
  rowBlockRange,
  TILE_COLS,
  TILE_ROWS,
  writeTiles,
  type TiledMatrix,
} from '../core/matrix/tiles.ts';

export async function fileTiles(
  source: RowSource,
  tileRows = TILE_ROWS,
  tileCols = TILE_COLS,
): Promise<TiledMatrix & { dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'scgnn-tiles-'));
  const path = join(dir, 'matrix.f32');
  const fd = openSync(path, 'w+');
  const shape = { rows: source.rows, cols: source.cols, tileRows, tileCols };
  const dispose = (): void => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let at = 0;
    await writeTiles(
      source,
      {
        write(tile) {
          const bytes = new Uint8Array(tile.buffer, tile.byteOffset, tile.byteLength);
          for (let done = 0; done < bytes.length;)
            done += writeSync(fd, bytes, done, bytes.length - done, at + done);
          at += bytes.length;
        },
      },
      tileRows,
      tileCols,
    );
  } catch (e) {
    dispose();
    throw e;
  }
  const perRow = colBlockCount(shape);
  // Tiles are written in order and all full but the last row and column: tile (rb, cb) starts after rb full row
  // blocks (tileRows x cols values each) and the cb tiles before it in its row block.
  const offset = (rb: number, cb: number): number => {
    const [r0, r1] = rowBlockRange(shape, rb);
    return 4 * (r0 * shape.cols + (r1 - r0) * cb * tileCols);
  };
  let open = true;
  return {
    ...shape,
    async readTile(rb, cb) {
      if (!open) throw new Error('the tiles were disposed');
      if (rb < 0 || cb < 0 || cb >= perRow || rb * tileRows >= shape.rows)
        throw new RangeError(`no tile (${rb}, ${cb})`);
      const [r0, r1] = rowBlockRange(shape, rb);
      const [c0, c1] = colBlockRange(shape, cb);
      const tile = new Float32Array((r1 - r0) * (c1 - c0));
      const bytes = new Uint8Array(tile.buffer);
      const start = offset(rb, cb);
      for (let done = 0; done < bytes.length;) {
        const n = readSync(fd, bytes, done, bytes.length - done, start + done);
        if (n === 0) throw new Error('the tile file is shorter than expected');
        done += n;
      }
      return tile;
    },
    dispose() {
      if (!open) return;
      open = false;
      dispose();
    },
  };
}
