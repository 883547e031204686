/**
 * The CSR cell graph (cell-graph.ts): symmetric construction from directed edges, edge count and degrees,
 * checked against a 4-node example worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { degrees, edgeCount, symmetricGraph } from './cell-graph.ts';
import { createRng } from '../rng.ts';

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

describe('symmetricGraph on random edge lists', () => {
  it('matches a per-node map of neighbours (both directions, larger weight, no loops, positive weights)', () => {
    const rng = createRng(21);
    for (const [n, m] of [
      [1, 3],
      [7, 40],
      [60, 900],
    ] as const) {
      const from = Array.from({ length: m }, () => rng.int(n));
      const to = Array.from({ length: m }, () => rng.int(n));
      const weight = Array.from({ length: m }, () => (rng.next() < 0.1 ? 0 : rng.next()));
      const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
      for (let e = 0; e < m; e++) {
        if (from[e] === to[e] || !(weight[e]! > 0)) continue;
        for (const [a, b] of [
          [from[e]!, to[e]!],
          [to[e]!, from[e]!],
        ] as const)
          rows[a]!.set(b, Math.max(rows[a]!.get(b) ?? 0, weight[e]!));
      }
      const g = symmetricGraph(n, from, to, weight);
      for (let i = 0; i < n; i++) {
        const want = [...rows[i]!.entries()].sort((a, b) => a[0] - b[0]);
        const got = Array.from(g.indices.subarray(g.indptr[i]!, g.indptr[i + 1]!));
        expect(got).toEqual(want.map(([j]) => j));
        want.forEach(([, w], a) => expect(g.weights[g.indptr[i]! + a]).toBe(Math.fround(w)));
      }
      expect(g.indices.length).toBe(g.indptr[n]);
    }
  });
});
