/**
 * The CSR cell graph (cell-graph.ts): symmetric construction from directed edges, edge count and degrees,
 * checked against a 4-node example worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { degrees, edgeCount, symmetricGraph } from './cell-graph.ts';

describe('cell graph (cell-graph.ts)', () => {
  it('symmetrises directed edges, keeps the larger weight, drops self loops and non-positive weights', () => {
    // 0 -> 1 (0.5) and 1 -> 0 (2): one edge of weight 2; 2 -> 1 (1); dropped: 3 -> 3 (self loop),
    // 0 -> 3 (weight 0), 2 -> 3 (NaN).
    const g = symmetricGraph(4, [0, 1, 2, 3, 0, 2], [1, 0, 1, 3, 3, 3], [0.5, 2, 1, 1, 0, Number.NaN]);
    expect(g.nNodes).toBe(4);
    expect([...g.indptr]).toEqual([0, 1, 3, 4, 4]);
    expect([...g.indices]).toEqual([1, 0, 2, 1]); // rows ascending: 0: {1}, 1: {0, 2}, 2: {1}, 3: {}
    expect([...g.weights]).toEqual([2, 2, 1, 1]);
    expect(edgeCount(g)).toBe(2);
    expect([...degrees(g)]).toEqual([1, 2, 1, 0]);
  });

  it('sorts each row and handles an empty graph', () => {
    const g = symmetricGraph(5, [4, 4, 4], [3, 0, 2], [1, 1, 1]);
    expect([...g.indices.subarray(g.indptr[4]!, g.indptr[5]!)]).toEqual([0, 2, 3]);
    expect(edgeCount(g)).toBe(3);
    const empty = symmetricGraph(0, [], [], []);
    expect([...empty.indptr]).toEqual([0]);
    expect(edgeCount(empty)).toBe(0);
    expect(degrees(empty)).toHaveLength(0);
  });
});
