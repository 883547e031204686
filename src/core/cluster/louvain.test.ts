import { describe, expect, it } from 'vitest';
import { symmetricGraph } from '../graph/cell-graph.ts';
import { createRng } from '../rng.ts';
import { louvain, relabelBySize } from './louvain.ts';

/** Two cliques (0..4 and 5..9) joined by the single edge 4-5. */
function twoCliques() {
  const from: number[] = [];
  const to: number[] = [];
  for (const base of [0, 5])
    for (let i = 0; i < 5; i++)
      for (let j = i + 1; j < 5; j++) {
        from.push(base + i);
        to.push(base + j);
      }
  from.push(4);
  to.push(5);
  return symmetricGraph(10, from, to, new Float32Array(from.length).fill(1));
}

describe('louvain', () => {
  it('finds the two cliques', () => {
    const labels = louvain(twoCliques(), { rng: createRng(1) });
    expect(Array.from(labels)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });

  it('is deterministic for a seed and relabels by decreasing size', () => {
    // A random sparse graph with some structure: 300 nodes, 3 groups, dense inside, sparse across.
    const rng = createRng(5);
    const from: number[] = [];
    const to: number[] = [];
    for (let e = 0; e < 3000; e++) {
      const i = rng.int(300);
      const j = rng.next() < 0.9 ? Math.floor(i / 100) * 100 + rng.int(100) : rng.int(300);
      from.push(i);
      to.push(j);
    }
    const g = symmetricGraph(300, from, to, new Float32Array(from.length).fill(1));
    const a = louvain(g, { rng: createRng(3) });
    const b = louvain(g, { rng: createRng(3) });
    expect(b).toEqual(a);
    const sizes: number[] = [];
    for (const l of a) sizes[l] = (sizes[l] ?? 0) + 1;
    for (let c = 1; c < sizes.length; c++) expect(sizes[c]!).toBeLessThanOrEqual(sizes[c - 1]!);
    // A higher modularity resolution gives at least as many communities here.
    const fine = louvain(g, { rng: createRng(3), resolution: 3 });
    expect(Math.max(...fine)).toBeGreaterThanOrEqual(Math.max(...a));
  });

  it('makes isolated nodes singletons, including a graph without edges', () => {
    expect(Array.from(louvain(symmetricGraph(3, [], [], []), { rng: createRng(1) }))).toEqual([0, 1, 2]);
    const g = symmetricGraph(4, [0, 1, 0], [1, 2, 2], [1, 1, 1]);
    expect(Array.from(louvain(g, { rng: createRng(1) }))).toEqual([0, 0, 0, 1]);
  });

  it('relabelBySize orders by size, ties by first appearance', () => {
    const r = relabelBySize([7, 3, 3, 9, 7, 3]);
    expect(Array.from(r.labels)).toEqual([1, 0, 0, 2, 1, 0]);
    expect(r.sizes).toEqual([3, 2, 1]);
  });
});
