import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CountMatrix } from '../dataset.ts';
import { csrFromDense, csrToDense } from '../matrix/csr.ts';
import { preprocess, preprocessDefaults, summarizePreprocessing } from './preprocess.ts';

function matrix(dense: number[][]): CountMatrix {
  const nCells = dense.length;
  const nGenes = dense[0]!.length;
  return {
    counts: csrFromDense(dense.flat(), nCells, nGenes),
    cellIds: dense.map((_, i) => `c${i}`),
    geneIds: dense[0]!.map((_, j) => `g${j}`),
  };
}

/** Straightforward dense re-statement of the reference (pandas) semantics, for cross-checking. */
function referencePreprocess(dense: number[][], minCellFrac: number, minGeneFrac: number, nTop: number) {
  const nCells = dense.length;
  const nGenes = dense[0]!.length;
  const genes: number[] = [];
  for (let g = 0; g < nGenes; g++) {
    let nz = 0;
    for (let c = 0; c < nCells; c++) if (dense[c]![g] !== 0) nz++;
    if (nz / nCells >= minCellFrac) genes.push(g);
  }
  const cells: number[] = [];
  for (let c = 0; c < nCells; c++) {
    let nz = 0;
    for (const g of genes) if (dense[c]![g] !== 0) nz++;
    if (nz / genes.length >= minGeneFrac) cells.push(c);
  }
  const variance = new Map<number, number>();
  for (const g of genes) {
    const xs = cells.map((c) => dense[c]![g]!);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    variance.set(g, xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  }
  const top = [...genes].sort((a, b) => variance.get(b)! - variance.get(a)! || a - b).slice(0, nTop);
  return { cells, genes: top.sort((a, b) => a - b) };
}

describe('preprocessing (reference CSV path)', () => {
  // 5 cells x 6 genes. Gene 5 is never expressed; cell 4 expresses only gene 5 (i.e. nothing kept).
  const dense = [
    [1, 0, 3, 0, 10, 0],
    [0, 2, 0, 0, 20, 0],
    [1, 2, 3, 1, 0, 0],
    [0, 0, 9, 0, 40, 0],
    [0, 0, 0, 0, 0, 0],
  ];

  it('applies the gene filter, the cell filter, variance ranking and log1p', () => {
    const params = { ...preprocessDefaults, minCellFraction: 0.3, minGeneFraction: 0.3, nTopGenes: 2 };
    const out = preprocess(matrix(dense), params);
    // Genes with non-zeros in >= 30 % of 5 cells (>= 1.5, so >= 2 cells): g0 (2), g1 (2), g2 (3), g4 (3).
    expect(out.summary.genesPassingFilter).toBe(4);
    // Cells with non-zeros in >= 30 % of the 4 kept genes (>= 1.2, so >= 2): c0, c1, c2, c3; c4 has none.
    expect(Array.from(out.cellIndex)).toEqual([0, 1, 2, 3]);
    // Variances over c0..c3 (ddof 1): g0 1/3, g1 4/3, g2 14.25, g4 291.67 -> top 2 = g2, g4 (input order kept).
    expect(Array.from(out.geneIndex)).toEqual([2, 4]);
    expect(out.geneIds).toEqual(['g2', 'g4']);
    expect(out.summary.topGenes).toEqual(['g4', 'g2']);
    expect(out.summary.varianceCutoff).toBeCloseTo(14.25, 10);
    const got = Array.from(csrToDense(out.matrix));
    const want = [3, 10, 0, 20, 3, 0, 9, 40].map((v) => Math.fround(Math.log1p(v)));
    expect(got).toEqual(want);
    expect(out.summary.output).toEqual({ nCells: 4, nGenes: 2, nnz: 6, sparsity: 0.25 });
  });

  it('keeps raw values when log1p is off, and fails clearly when nothing survives', () => {
    const raw = preprocess(matrix(dense), { ...preprocessDefaults, log1p: false, nTopGenes: 1 });
    expect(Array.from(csrToDense(raw.matrix))).toEqual([10, 20, 0, 40]);
    expect(() => preprocess(matrix(dense), { ...preprocessDefaults, minCellFraction: 1 })).toThrow(
      /keeps 0 cells/,
    );
    expect(() => summarizePreprocessing(matrix(dense), { ...preprocessDefaults, nTopGenes: 0 })).toThrow(
      /nTopGenes/,
    );
  });

  it('matches a dense re-statement of the reference on a real dataset (Goolam, 124 cells)', () => {
    const text = gunzipSync(readFileSync('../shared/data/goolam_smartseq2_top2000/counts.csv.gz')).toString(
      'utf8',
    );
    const lines = text.trim().split('\n');
    const cellIds = lines[0]!.split(',').slice(1);
    const geneIds: string[] = [];
    const byGene: number[][] = [];
    for (const line of lines.slice(1)) {
      const fields = line.split(',');
      geneIds.push(fields[0]!);
      byGene.push(fields.slice(1).map(Number));
    }
    const dense = cellIds.map((_, c) => byGene.map((row) => row[c]!));
    const m: CountMatrix = {
      counts: csrFromDense(dense.flat(), cellIds.length, geneIds.length),
      cellIds,
      geneIds,
    };
    for (const nTop of [2000, 500]) {
      const params = { ...preprocessDefaults, nTopGenes: nTop, minCellFraction: 0.05, minGeneFraction: 0.2 };
      const ours = preprocess(m, params);
      const ref = referencePreprocess(dense, 0.05, 0.2, nTop);
      expect(Array.from(ours.cellIndex)).toEqual(ref.cells);
      expect(Array.from(ours.geneIndex)).toEqual(ref.genes);
      // Spot-check values: log1p of the raw count.
      const out = csrToDense(ours.matrix);
      for (const [i, j] of [
        [0, 0],
        [5, 17],
        [100, ours.geneIndex.length - 1],
      ] as const) {
        const raw = dense[ours.cellIndex[i]!]![ours.geneIndex[j]!]!;
        expect(out[i * ours.geneIndex.length + j]).toBeCloseTo(Math.log1p(raw), 5);
      }
    }
  });
});
