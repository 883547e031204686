import { describe, expect, it } from 'vitest';
import { generateSynthetic, resolveSyntheticOptions, type SyntheticDataset } from './synthetic.ts';

const small = generateSynthetic({ cells: 2000, genes: 500, types: 5, seed: 11 });

/** Library-normalised mean expression of `genes` over the cells where `keep(c)`. */
function meanExpression(d: SyntheticDataset, genes: number[], keep: (c: number) => boolean): number {
  const { indptr, indices, values, nRows } = d.counts;
  const want = new Set(genes);
  let sum = 0;
  let n = 0;
  for (let c = 0; c < nRows; c++) {
    if (!keep(c)) continue;
    let lib = 0;
    let hit = 0;
    for (let k = indptr[c]!; k < indptr[c + 1]!; k++) {
      lib += values[k]!;
      if (want.has(indices[k]!)) hit += values[k]!;
    }
    if (lib > 0) sum += hit / lib;
    n++;
  }
  return sum / n;
}

describe('generateSynthetic', () => {
  it('builds a consistent CSR: shape, indptr, ascending gene indices, positive integer counts', () => {
    const { counts, cellIds, geneIds, geneNames } = small;
    expect(counts.nRows).toBe(2000);
    expect(counts.nCols).toBe(500);
    expect(counts.indptr.length).toBe(2001);
    expect(counts.indptr[0]).toBe(0);
    const total = counts.indptr[2000]!;
    expect(total).toBeGreaterThan(0);
    expect(counts.indices.length).toBe(total);
    expect(counts.values.length).toBe(total);
    for (let c = 0; c < counts.nRows; c++) {
      expect(counts.indptr[c + 1]!).toBeGreaterThanOrEqual(counts.indptr[c]!);
      for (let k = counts.indptr[c]! + 1; k < counts.indptr[c + 1]!; k++)
        if (!(counts.indices[k]! > counts.indices[k - 1]!)) throw new Error(`row ${c} not ascending at ${k}`);
    }
    for (let k = 0; k < total; k++) {
      const g = counts.indices[k]!;
      const v = counts.values[k]!;
      if (!(g >= 0 && g < 500 && v >= 1 && Number.isInteger(v))) throw new Error(`bad entry ${k}: ${g} ${v}`);
    }
    expect(new Set(cellIds).size).toBe(2000);
    expect(cellIds.every((b) => /^[ACGT]{16}-1$/.test(b))).toBe(true);
    expect(new Set(geneIds).size).toBe(500);
    expect(geneNames.length).toBe(500);
    expect(small.zeroFraction).toBeCloseTo(1 - total / (2000 * 500), 12);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSynthetic({ cells: 300, genes: 200, types: 4, seed: 5 });
    const b = generateSynthetic({ cells: 300, genes: 200, types: 4, seed: 5 });
    const c = generateSynthetic({ cells: 300, genes: 200, types: 4, seed: 6 });
    expect(b.counts.indptr).toEqual(a.counts.indptr);
    expect(b.counts.indices).toEqual(a.counts.indices);
    expect(b.counts.values).toEqual(a.counts.values);
    expect(b.cellIds).toEqual(a.cellIds);
    expect(b.cellType).toEqual(a.cellType);
    expect(b.markers).toEqual(a.markers);
    expect(c.counts.indptr).not.toEqual(a.counts.indptr);
    expect(c.cellIds).not.toEqual(a.cellIds);
    expect(c.cellType).not.toEqual(a.cellType);
  });

  it('lands near the target zero fraction', () => {
    expect(Math.abs(small.zeroFraction - 0.93)).toBeLessThan(0.01);
    expect(Math.abs(small.expectedZeroFraction - 0.93)).toBeLessThan(1e-6);
    const sparse = generateSynthetic({ cells: 2000, genes: 500, types: 5, seed: 11, zeroTarget: 0.9 });
    expect(Math.abs(sparse.zeroFraction - 0.9)).toBeLessThan(0.01);
    expect(sparse.scale).toBeGreaterThan(small.scale);
  });

  it('expresses each type’s markers more in that type than elsewhere', () => {
    expect(small.markers.length).toBe(5);
    small.markers.forEach((m, t) => {
      expect(m.genes.length).toBe(15); // 3 % of 500
      expect(Math.min(...m.folds)).toBeGreaterThanOrEqual(2);
      expect(Math.max(...m.folds)).toBeLessThanOrEqual(8);
      const inside = meanExpression(small, m.genes, (c) => small.cellType[c] === t);
      const outside = meanExpression(small, m.genes, (c) => small.cellType[c] !== t);
      expect(inside / outside).toBeGreaterThan(1.8);
    });
    // Disjoint while the upper half of the genes (250) holds 5 x 15 markers.
    expect(new Set(small.markers.flatMap((m) => m.genes)).size).toBe(75);
  });

  it('varies library sizes from cell to cell', () => {
    const { indptr, values, nRows } = small.counts;
    const libs = Array.from({ length: nRows }, (_, c) => {
      let s = 0;
      for (let k = indptr[c]!; k < indptr[c + 1]!; k++) s += values[k]!;
      return s;
    });
    const mean = libs.reduce((a, b) => a + b, 0) / nRows;
    const sd = Math.sqrt(libs.reduce((a, b) => a + (b - mean) ** 2, 0) / nRows);
    expect(sd / mean).toBeGreaterThan(0.4);
    const sf = Array.from(small.sizeFactors);
    expect(sf.reduce((a, b) => a + b, 0) / sf.length).toBeCloseTo(1, 1);
  });

  it('holds every type, unequal in size but none tiny, interleaved', () => {
    const sizes = small.typeSizes;
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2000);
    const seen = new Array<number>(5).fill(0);
    for (const t of small.cellType) seen[t]!++;
    expect(seen).toEqual(sizes);
    // At least half the uniform share (minTypeShare 0.5): 200 cells of 2000 over 5 types.
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...sizes)).toBeGreaterThan(Math.min(...sizes));
    // Shuffled: the first 100 cells are not all one type.
    expect(new Set(small.cellType.subarray(0, 100)).size).toBeGreaterThan(1);
    expect(small.typeNames).toEqual(['type_1', 'type_2', 'type_3', 'type_4', 'type_5']);
  });

  it('puts three types on a trajectory whose cells blend into their neighbours', () => {
    const path = small.trajectory;
    expect(path.length).toBe(3);
    for (let c = 0; c < 2000; c++) {
      const on = path.includes(small.cellType[c]!);
      expect(Number.isNaN(small.pseudotime[c]!)).toBe(!on);
    }
    // The first type spans pseudotime 0..0.25 (anchors at 0, 0.5, 1): its cells towards the second type
    // (> 0.18) express the second type's markers more than those at their own anchor (< 0.05).
    const [first, second] = path as [number, number];
    const near = meanExpression(
      small,
      small.markers[second]!.genes,
      (c) => small.cellType[c] === first && small.pseudotime[c]! > 0.18,
    );
    const far = meanExpression(
      small,
      small.markers[second]!.genes,
      (c) => small.cellType[c] === first && small.pseudotime[c]! < 0.05,
    );
    expect(near / far).toBeGreaterThan(1.3);
    expect(
      generateSynthetic({ cells: 50, genes: 20, types: 3, seed: 1, trajectoryTypes: 0 }).trajectory,
    ).toEqual([]);
  });

  it('refuses impossible options', () => {
    expect(() => resolveSyntheticOptions({ cells: 10, genes: 5, types: 11, seed: 1 })).toThrow(RangeError);
    expect(() => resolveSyntheticOptions({ cells: 10, genes: 5, types: 2, seed: 1, zeroTarget: 1 })).toThrow(
      /zeroTarget/,
    );
    expect(() =>
      resolveSyntheticOptions({ cells: 10, genes: 5, types: 3, seed: 1, trajectoryTypes: 1 }),
    ).toThrow(/trajectoryTypes/);
    expect(() => resolveSyntheticOptions({ cells: 1.5, genes: 5, types: 1, seed: 1 })).toThrow(/cells/);
  });
});
