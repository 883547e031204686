import { describe, expect, it } from 'vitest';
import type { KnnResult } from './knn.ts';
import { snnGraph } from './snn.ts';

describe('snnGraph', () => {
  it('weights kNN edges by the Jaccard index of the (self + k) neighbourhoods', () => {
    // Two triangles 0-1-2 and 3-4-5, k = 2: inside a triangle the neighbourhoods are identical.
    const nb = [1, 2, 0, 2, 0, 1, 4, 5, 3, 5, 3, 4];
    const knn: KnnResult = {
      nNodes: 6,
      k: 2,
      neighbors: Int32Array.from(nb),
      distances: new Float32Array(12).fill(1),
    };
    const g = snnGraph(knn);
    expect(g.nNodes).toBe(6);
    for (let i = 0; i < 6; i++) {
      const row = Array.from(g.indices.subarray(g.indptr[i]!, g.indptr[i + 1]!));
      expect(row.every((j) => Math.floor(j / 3) === Math.floor(i / 3))).toBe(true);
      expect(row.length).toBe(2);
      for (let e = g.indptr[i]!; e < g.indptr[i + 1]!; e++) expect(g.weights[e]).toBeCloseTo(1);
    }
  });
});
