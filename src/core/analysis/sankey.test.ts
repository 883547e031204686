import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { contingencyTable, sankeyFlows, weightedCrossings, type SankeyData } from './sankey.ts';

const LEFT = [0, 0, 1, 1, 1, 2, -1, 2];
const RIGHT = [5, 5, 3, 3, 5, 3, 3, -1];

describe('contingencyTable', () => {
  it('counts cells per pair and skips cells unlabelled on either side', () => {
    const t = contingencyTable(LEFT, RIGHT);
    expect(t.leftIds).toEqual([0, 1, 2]);
    expect(t.rightIds).toEqual([3, 5]);
    // rows: left 0, 1, 2; columns: right 3, 5
    expect(Array.from(t.counts)).toEqual([0, 2, 2, 1, 1, 0]);
    expect(t.total).toBe(6);
    expect(() => contingencyTable([0], [0, 1])).toThrow(RangeError);
  });
});

describe('sankeyFlows', () => {
  it('orders right nodes by the barycentre of their left partners, links by left then right', () => {
    // Barycentres (left positions 0, 1, 2): right 5 ← {0: 2, 1: 1} → 1/3; right 3 ← {1: 2, 2: 1} → 4/3.
    const s = sankeyFlows(LEFT, RIGHT, { leftLabels: ['A', 'B', 'C'], rightLabels: (id) => `T${id}` });
    expect(s.left).toEqual([
      { id: 0, label: 'A', size: 2 },
      { id: 1, label: 'B', size: 3 },
      { id: 2, label: 'C', size: 1 },
    ]);
    expect(s.right).toEqual([
      { id: 5, label: 'T5', size: 3 },
      { id: 3, label: 'T3', size: 3 },
    ]);
    expect(s.links).toEqual([
      { source: 0, target: 5, value: 2 },
      { source: 1, target: 5, value: 1 },
      { source: 1, target: 3, value: 2 },
      { source: 2, target: 3, value: 1 },
    ]);
    expect(s.total).toBe(6);
    expect(weightedCrossings(s)).toBe(0);
    // In code order (3 above 5) the same links cross: 0→5 with 1→3 (2·2) and 2→3 (2·1), 1→5 with 2→3 (1·1).
    const codeOrder: SankeyData = { ...s, right: [s.right[1]!, s.right[0]!] };
    expect(weightedCrossings(codeOrder)).toBe(7);
  });

  it('labels default to the codes, missing array entries too; small links can be dropped', () => {
    const s = sankeyFlows(LEFT, RIGHT, { leftLabels: ['A'], minLinkValue: 2 });
    expect(s.left.map((n) => n.label)).toEqual(['A', '1', '2']);
    expect(s.right.map((n) => n.label)).toEqual(['5', '3']);
    expect(s.links).toEqual([
      { source: 0, target: 5, value: 2 },
      { source: 1, target: 3, value: 2 },
    ]);
    // node sizes still count every cell
    expect(s.left.map((n) => n.size)).toEqual([2, 3, 1]);
  });

  it('recovers a relabelling: right nodes line up with their left counterparts', () => {
    const rng = createRng(7);
    const perm = [4, 0, 5, 2, 1, 3]; // left cluster c becomes right code perm[c]
    const left: number[] = [];
    const right: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const c = rng.int(6);
      left.push(c);
      right.push(rng.next() < 0.1 ? rng.int(6) : perm[c]!);
    }
    const s = sankeyFlows(left, right);
    expect(s.right.map((n) => n.id)).toEqual(perm);
    const codeOrder: SankeyData = { ...s, right: [...s.right].sort((a, b) => a.id - b.id) };
    expect(weightedCrossings(s)).toBeLessThan(weightedCrossings(codeOrder) / 3);
    expect(s.links.reduce((sum, l) => sum + l.value, 0)).toBe(3000);
  });

  it('handles no labelled cells', () => {
    expect(sankeyFlows([-1, 0], [2, -1])).toEqual({ left: [], right: [], links: [], total: 0 });
  });
});
