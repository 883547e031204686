/**
 * Orientation guessing from row and column names (orientation.ts).
 *
 * Expected values follow the module's weights, worked out by hand: each name scores +1 (Ensembl id, model
 * organism gene id, a name containing "gene"), +0.6 (gene symbol), -1 (barcode, accession, a name containing
 * "cell"), -0.8 (plate well, plain number), -0.6 (name joined with "_") or 0; a side's score is the mean, and
 * rows are genes when rowScore - colScore >= 0.3, cells when <= -0.3, else genes x cells by convention.
 */
import { describe, expect, it } from 'vitest';
import { detectOrientation, orientationLabel } from './orientation.ts';

const SYMBOLS = ['Actb', 'Gapdh', 'Sox2'];
const BARCODES = ['AAACCTGAGAAGGCCT-1', 'AAACCTGAGACAGACC-1'];

describe('orientation detection (orientation.ts)', () => {
  it('reads gene symbols x barcodes as genes x cells, with the reason spelled out', () => {
    // Rows 0.6, columns -1: evidence 1.6.
    expect(detectOrientation(SYMBOLS, BARCODES)).toEqual({
      chosen: 'genes-x-cells',
      reason:
        'row names look like gene symbols (e.g. Actb, Gapdh) and column names look like cell barcodes ' +
        '(e.g. AAACCTGAGAAGGCCT-1, AAACCTGAGACAGACC-1), so rows are read as genes and columns as cells ' +
        '(3 rows and 2 columns)',
    });
  });

  it('reads barcodes x gene symbols as cells x genes', () => {
    expect(detectOrientation(BARCODES, SYMBOLS)).toEqual({
      chosen: 'cells-x-genes',
      reason:
        'row names look like cell barcodes (e.g. AAACCTGAGAAGGCCT-1, AAACCTGAGACAGACC-1) and column names ' +
        'look like gene symbols (e.g. Actb, Gapdh), so rows are read as cells and columns as genes ' +
        '(2 rows and 3 columns)',
    });
  });

  it('recognises the other kinds of gene and cell names', () => {
    const cases: [string[], string[], string, string][] = [
      [['ENSG00000141510', 'ENSMUSG00000029580'], ['1', '2'], 'Ensembl gene ids', 'plain numbers'],
      [['WBGene00000001', 'FBgn0000008', 'AT1G01010', 'YAL001C'], ['A01', 'P24'], 'gene ids', 'plate well'],
      [['gene_1', 'gene_2'], ['GSM1234567', 'SRR999'], 'gene names', 'sample accessions'],
      [['Sox2', 'Nanog'], ['cell_1', 'cell_2'], 'gene symbols', 'cell names'],
      [
        ['Sox2', 'Nanog'],
        ['plate1_A01', 'plate1_A02'],
        'gene symbols',
        'cell names built from several parts',
      ],
    ];
    for (const [genes, cells, genePhrase, cellPhrase] of cases) {
      const gc = detectOrientation(genes, cells);
      expect(gc.chosen).toBe('genes-x-cells');
      expect(gc.reason).toContain(`row names look like ${genePhrase}`);
      expect(gc.reason).toContain(`column names look like ${cellPhrase}`);
      const cg = detectOrientation(cells, genes);
      expect(cg.chosen).toBe('cells-x-genes');
      expect(cg.reason).toContain(`row names look like ${cellPhrase}`);
      expect(cg.reason).toContain(`column names look like ${genePhrase}`);
    }
  });

  it('decides at evidence 0.3 exactly and falls back to genes x cells below it', () => {
    // Rows score 0 (single letters match no pattern); columns: one joined name (-0.6) and one plain -> -0.3.
    expect(detectOrientation(['x', 'y'], ['a_b', 'z']).chosen).toBe('genes-x-cells');
    expect(detectOrientation(['a_b', 'z'], ['x', 'y']).chosen).toBe('cells-x-genes');
    // Columns -0.2 (one joined name in three): undecided, the convention applies.
    const weak = detectOrientation(['x', 'y'], ['a_b', 'z', 'w']);
    expect(weak.chosen).toBe('genes-x-cells');
    expect(weak.reason).toContain('the names do not tell genes from cells');
  });

  it('explains the genes x cells fallback when names do not tell (both sides gene-symbol-like)', () => {
    expect(detectOrientation(['S1', 'S2'], ['Actb', 'Gapdh'])).toEqual({
      chosen: 'genes-x-cells',
      reason:
        'the names do not tell genes from cells (row names look like gene symbols (e.g. S1, S2), ' +
        'column names look like gene symbols (e.g. Actb, Gapdh)); assumed genes x cells ' +
        '(the scGNN convention) even though there are 2 rows and 2 columns; ' +
        'if the rows are cells, flip the orientation',
    });
    expect(detectOrientation(['S1', 'S2', 'S3'], ['Actb', 'Gapdh']).reason).toContain(
      'because there are more rows (3) than columns (2)',
    );
    const empty = detectOrientation([], []);
    expect(empty.chosen).toBe('genes-x-cells');
    expect(empty.reason).toContain('row names are missing, column names are missing');
    expect(detectOrientation(['x y', 'z w'], ['1 2', '3 4']).reason).toContain(
      'row names show no clear pattern (e.g. x y, z w)',
    );
  });

  it('samples long name lists and still decides (30 000 genes x 5 000 barcodes)', () => {
    const genes = Array.from({ length: 30_000 }, (_, i) => `ENSG${String(i).padStart(11, '0')}`);
    const bases = 'ACGT';
    const cells = Array.from(
      { length: 5_000 },
      (_, i) => Array.from({ length: 16 }, (_, k) => bases[(i >> (2 * (k % 8))) & 3]).join('') + '-1',
    );
    const r = detectOrientation(cells, genes);
    expect(r.chosen).toBe('cells-x-genes');
    expect(r.reason).toContain('(5000 rows and 30000 columns)');
  });

  it('labels orientations for display', () => {
    expect(orientationLabel('genes-x-cells')).toBe('genes x cells');
    expect(orientationLabel('cells-x-genes')).toBe('cells x genes');
  });
});
