/** The CLI's tiles in a temporary file: the same tiles as in memory, unreadable after dispose(). */
import { describe, expect, it } from 'vitest';
import { denseMatrix } from '../core/matrix/dense.ts';
import { computedRows } from '../core/matrix/rows.ts';
import { denseTiles } from '../core/matrix/tiles.ts';
import { fileTiles } from './file-tiles.ts';

describe('file tiles', () => {
  it('reads back every tile of a ragged tiling, then removes its file', async () => {
    const rows = 23;
    const cols = 11;
    const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.fround(Math.sin(i) * 3));
    const source = {
      ...computedRows(rows, cols, (i, out) => out.set(data.subarray(i * cols, (i + 1) * cols))),
      dense: () => {
        throw new Error('dense() called');
      },
    };
    const tiles = await fileTiles(source, 5, 4);
    const reference = denseTiles(denseMatrix(rows, cols, data), 5, 4);
    // Out of order, to check the offsets.
    for (const rb of [4, 0, 2, 1, 3])
      for (const cb of [2, 0, 1])
        expect(Array.from(await tiles.readTile(rb, cb))).toEqual(
          Array.from(await reference.readTile(rb, cb)),
        );
    await expect(tiles.readTile(5, 0)).rejects.toThrow(RangeError);
    tiles.dispose();
    await expect(tiles.readTile(0, 0)).rejects.toThrow(/disposed/);
  });
});
