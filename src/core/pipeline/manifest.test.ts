/** clusterSizes (manifest.ts): cells per cluster, counted by hand; unassigned (-1) cells are not counted. */
import { describe, expect, it } from 'vitest';
import { clusterSizes } from './manifest.ts';

describe('run manifest helpers (manifest.ts)', () => {
  it('counts the cells of each cluster, including empty clusters, ignoring -1', () => {
    expect(clusterSizes(Int32Array.from([0, 2, 2, -1, 0, 2]), 4)).toEqual([2, 0, 3, 0]);
    expect(clusterSizes(new Int32Array(0), 2)).toEqual([0, 0]);
  });
});
