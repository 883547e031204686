import { describe, expect, it } from 'vitest';
import { denseMatrix } from '../matrix/dense.ts';
import { denseRows, rowRange, type RowSource } from '../matrix/rows.ts';
import { blendWeights, bulkBlendedRows, bulkCorrectedRows, evenlySpaced } from './blend.ts';
import type { Deconvolution } from './types.ts';

/** A deconvolution of `nClusters` clusters x genes whose only content is profiles and scProfiles. */
function deconvOf(nClusters: number, scProfiles: number[], profiles: number[]): Deconvolution {
  const genes = scProfiles.length / nClusters;
  return {
    sampleIds: ['s'],
    nClusters,
    proportions: new Float64Array(nClusters).fill(1 / nClusters),
    scProfiles: Float64Array.from(scProfiles),
    profiles: Float64Array.from(profiles),
    geneScale: new Float64Array(genes).fill(1),
    losses: { proportions: 0, profiles: 0, geneScale: 0 },
    steps: { proportions: 0, profiles: 0, geneScale: 0 },
  };
}

const ln = Math.log;

function rowsOf(rows: number[][]): RowSource {
  const m = denseMatrix(rows.length, rows[0]!.length, Float32Array.from(rows.flat()));
  return denseRows(m);
}

function all(r: RowSource): number[][] {
  const d = r.read(rowRange(0, r.rows));
  return Array.from({ length: r.rows }, (_, i) => Array.from(d.subarray(i * r.cols, (i + 1) * r.cols)));
}

describe('bulkCorrectedRows', () => {
  it("moves each cell by its cluster's profile shift in linear space, clamped at zero", () => {
    // Two clusters x two genes: cluster 0 gains 2 on gene 0 and loses 5 on gene 1; cluster 1 is unchanged.
    const deconv = deconvOf(2, [1, 6, 2, 2], [3, 1, 2, 2]);
    const x = rowsOf([
      [ln(2), ln(8)],
      [0, ln(3)],
      [ln(5), ln(5)],
    ]);
    const out = all(bulkCorrectedRows(x, Int32Array.from([0, 0, 1]), deconv));
    const want = [
      [ln(4), ln(3)],
      [ln(3), 0],
      [ln(5), ln(5)],
    ];
    out.flat().forEach((v, i) => expect(v).toBeCloseTo(want.flat()[i]!, 6));
    // Reads of a subset, in the order asked, match the full read.
    const some = bulkCorrectedRows(x, Int32Array.from([0, 0, 1]), deconv).read([2, 0]);
    expect(Array.from(some).map((v) => +v.toFixed(5))).toEqual(
      [ln(5), ln(5), ln(4), ln(3)].map((v) => +v.toFixed(5)),
    );
  });
});

describe('blendWeights', () => {
  it("stays in [0, 1] where the reference's signed errors would not, 0.5 without evidence", () => {
    // Gene 0: observed count 3; the single-cell estimate says 7 (error +ln 2), the bulk correction (−5) says 2
    // (error ln 3 − ln 4 < 0). Gene 1: never observed. Gene 2: both estimates exact.
    const observed = rowsOf([
      [ln(4), 0, ln(2)],
      [ln(4), 0, ln(2)],
    ]);
    const estimate = rowsOf([
      [ln(8), ln(2), ln(2)],
      [ln(8), ln(3), ln(2)],
    ]);
    const deconv = deconvOf(1, [10, 1, 4], [5, 3, 4]);
    const labels = Int32Array.from([0, 0]);
    const w = blendWeights({ estimate, observed, labels, deconv, sampleCells: 100 });
    const eSc = ln(8) - ln(4);
    const eBulk = ln(3) - ln(4);
    // The reference: p_sc = 1 − e_sc / (e_sc + e_bulk) with signed errors.
    const reference = 1 - eSc / (eSc + eBulk);
    expect(reference).toBeLessThan(0);
    expect(w[0]).toBeCloseTo(Math.abs(eBulk) / (eSc + Math.abs(eBulk)), 6);
    expect(w[0]).toBeCloseTo(0.2933, 4);
    expect(w[1]).toBe(0.5);
    expect(w[2]).toBe(0.5);
    for (const v of w) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('reads only an evenly spaced subset of at most sampleCells cells', () => {
    expect(Array.from(evenlySpaced(10, 4))).toEqual([0, 2, 5, 7]);
    expect(Array.from(evenlySpaced(3, 5))).toEqual([0, 1, 2]);
    // Cells 0, 2, 5, 7 are perfect for the single-cell estimate; the others (never read) would say otherwise.
    const rows = 10;
    const obs = rowsOf(Array.from({ length: rows }, () => [ln(2)]));
    const est = rowsOf(Array.from({ length: rows }, (_, i) => [[0, 2, 5, 7].includes(i) ? ln(2) : ln(50)]));
    const read: number[] = [];
    const spy: RowSource = { ...est, read: (idx) => (read.push(...Array.from(idx)), est.read(idx)) };
    const deconv = deconvOf(1, [1], [2]);
    const w = blendWeights({
      estimate: spy,
      observed: obs,
      labels: new Int32Array(rows),
      deconv,
      sampleCells: 4,
    });
    expect(read).toEqual([0, 2, 5, 7]);
    expect(w[0]).toBe(1);
  });
});

describe('bulkBlendedRows', () => {
  it('mixes the single-cell and the corrected estimate gene by gene', () => {
    const deconv = deconvOf(1, [1, 1], [4, 1]);
    const x = rowsOf([[ln(2), ln(2)]]);
    const out = all(bulkBlendedRows(x, Int32Array.from([0]), deconv, Float64Array.from([0.25, 0.7])));
    expect(out[0]![0]).toBeCloseTo(0.25 * ln(2) + 0.75 * ln(5), 6);
    expect(out[0]![1]).toBeCloseTo(ln(2), 6);
    expect(() => bulkBlendedRows(x, Int32Array.from([0]), deconv, new Float64Array(3))).toThrow(/3 weights/);
  });
});
