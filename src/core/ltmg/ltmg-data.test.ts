/**
 * LTMG per-gene data (ltmg-data.ts) on small count matrices worked out by hand.
 *
 * Counts (cells x genes): c0 (1, 0), c1 (2, 3), c2 (2, -1), c3 (0, 0). c3 is empty, so 3 cells are active;
 * gene 0 has log values 0, ln 2, ln 2 (distinct 0 and ln 2 with multiplicities 1 and 2), gene 1 has ln 3 (the
 * negative value counts as not expressed). R's initial parameters for log values 1..5 and K = 3: ranks
 * floor(i·5/4) = 1, 2, 3 give means (1, 2, 3), the ends replaced by min - 1 and max + 1: (0, 2, 6), sd √2.5.
 */
import { describe, expect, it } from 'vitest';
import { csrFromDense } from '../matrix/csr.ts';
import { createRng } from '../rng.ts';
import {
  R_NOISE_SD,
  buildGeneTable,
  initialParams,
  makeBlocks,
  sliceCount,
  type GeneSlice,
} from './ltmg-data.ts';

const slice = (gene: number, from: number, to: number, nObs = to - from): GeneSlice => ({
  gene,
  from,
  to,
  nObs,
  censored: 0,
  q: 0,
});

describe('LTMG gene tables (ltmg-data.ts)', () => {
  it('builds sorted distinct log values with multiplicities, entries and per-gene summaries', () => {
    const t = buildGeneTable(csrFromDense([1, 0, 2, 3, 2, -1, 0, 0], 4, 2), null);
    expect(t.nCellsTotal).toBe(4);
    expect(t.nCellsActive).toBe(3);
    expect(t.nGenes).toBe(2);
    expect([...t.uOffsets]).toEqual([0, 2, 3]);
    expect(t.vals[0]).toBe(0);
    expect(t.vals[1]).toBeCloseTo(Math.LN2, 12);
    expect(t.vals[2]).toBeCloseTo(Math.log(3), 12);
    expect([...t.mult]).toEqual([1, 2, 1]);
    expect([...t.eOffsets]).toEqual([0, 3, 4]);
    // Entry arrays are sized by stored values (the -1 included); only [0, eOffsets[nGenes]) is used.
    expect([...t.entryPos.subarray(0, 4)]).toEqual([0, 1, 3, 2]);
    expect([...t.entryValue.subarray(0, 4)]).toEqual([0, 1, 1, 2]);
    expect(t.minLogPos[0]).toBe(0);
    expect(t.minLogPos[1]).toBeCloseTo(Math.log(3), 12);
    expect([...t.nPos]).toEqual([3, 1]);
    expect(sliceCount(t, 0, 2)).toBe(3);
    expect(sliceCount(t, 1, 3)).toBe(3);
    // A gene without positive values has NaN as its minimum.
    const none = buildGeneTable(csrFromDense([1, 0, 2, 0], 2, 2), null);
    expect(none.minLogPos[1]).toBeNaN();
    expect(none.uOffsets[2]).toBe(none.uOffsets[1]);
  });

  it('with jitter every value is distinct and within a few R_NOISE_SD of its log', () => {
    const t = buildGeneTable(csrFromDense([2, 2, 2, 2, 5], 5, 1), createRng(3));
    expect([...t.mult]).toEqual([1, 1, 1, 1, 1]);
    for (let i = 1; i < 5; i++) expect(t.vals[i]!).toBeGreaterThan(t.vals[i - 1]!);
    for (let i = 0; i < 4; i++) expect(Math.abs(t.vals[i]! - Math.LN2)).toBeLessThan(6 * R_NOISE_SD);
    expect(Math.abs(t.vals[4]! - Math.log(5))).toBeLessThan(6 * R_NOISE_SD);
    expect(t.minLogPos[0]).toBeCloseTo(Math.LN2, 12); // the minimum is taken without noise
  });

  it('initialParams follows R: rank-spaced means with the ends pushed out, one sd (n - 1)', () => {
    const t = buildGeneTable(csrFromDense([1, 2, 3, 4, 5].map(Math.exp), 5, 1), null);
    const p = initialParams(t, slice(0, 0, 5), 3);
    [0, 2, 6].forEach((m, i) => expect(p.means[i]).toBeCloseTo(m, 5));
    expect(p.sd).toBeCloseTo(Math.sqrt(2.5), 5);
    // Multiplicities: values (1, 1, 1, 2), K = 2: ranks 1 and 2 both fall on 1 -> (0, 3);
    // sd of the four = 0.5.
    const m = buildGeneTable(csrFromDense([1, 1, 1, 2].map(Math.exp), 4, 1), null);
    expect([...m.mult]).toEqual([3, 1]);
    const q = initialParams(m, slice(0, 0, 2, 4), 2);
    expect(q.means[0]).toBeCloseTo(0, 5);
    expect(q.means[1]).toBeCloseTo(3, 5);
    expect(q.sd).toBeCloseTo(0.5, 5);
    expect(initialParams(m, slice(0, 1, 2, 1), 2).sd).toBe(0); // a single observation has no sd
  });

  it('makeBlocks groups slices by width within the element budget', () => {
    // Widths 5, 1, 3, 2 (genes 0..3), K = 2, budget 12: sorted 1, 2, 3, 5; (1 + 1)·2·2 = 8 fits,
    // 3·3·2 = 18 and 2·5·2 = 20 do not, so [g1, g3], [g2], [g0]; a slice wider than the budget still gets a
    // block.
    const slices = [slice(0, 0, 5), slice(1, 5, 6), slice(2, 6, 9), slice(3, 9, 11)];
    expect(makeBlocks(slices, 2, 12).map((b) => b.map((s) => s.gene))).toEqual([[1, 3], [2], [0]]);
    expect(makeBlocks(slices, 2, 1).map((b) => b.map((s) => s.gene))).toEqual([[1], [3], [2], [0]]);
    expect(makeBlocks(slices, 1, 1000).map((b) => b.map((s) => s.gene))).toEqual([[1, 3, 2, 0]]);
    expect(makeBlocks([], 2, 10)).toEqual([]);
  });
});
