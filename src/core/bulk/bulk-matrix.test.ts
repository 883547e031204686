import { describe, expect, it } from 'vitest';
import { looseGeneKey, matchBulkGenes, parseBulkMatrix } from './bulk-matrix.ts';
import { BulkInputError } from './types.ts';

function expectBulkError(f: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BulkInputError);
  expect((error as Error).message).toMatch(pattern);
}

describe('parseBulkMatrix', () => {
  it('reads a CSV with a gene-column title, genes x samples row-major', () => {
    const m = parseBulkMatrix('gene,s1,s2\nA,1,2\nB,0,3.5\n', 'bulk.csv');
    expect(m.name).toBe('bulk.csv');
    expect(m.sampleIds).toEqual(['s1', 's2']);
    expect(m.geneIds).toEqual(['A', 'B']);
    expect(Array.from(m.values)).toEqual([1, 2, 0, 3.5]);
  });

  it('reads a TSV with an empty corner, quotes, Windows line ends, a BOM and blank lines', () => {
    const text = '\uFEFF\t"s 1"\t"s,2"\r\n"GENE\tX"\t4\t5\r\n\r\nY\t6\t7e1\r\n';
    const m = parseBulkMatrix(text, 'bulk.txt');
    expect(m.sampleIds).toEqual(['s 1', 's,2']);
    expect(m.geneIds).toEqual(['GENE\tX', 'Y']);
    expect(Array.from(m.values)).toEqual([4, 5, 6, 70]);
  });

  it('reads an R-style header without a corner field', () => {
    const m = parseBulkMatrix('s1,s2,s3\nA,1,2,3\n', 'r.csv');
    expect(m.sampleIds).toEqual(['s1', 's2', 's3']);
    expect(Array.from(m.values)).toEqual([1, 2, 3]);
  });

  it('sums the rows of a repeated gene id', () => {
    const m = parseBulkMatrix(',s1,s2\nA,1,2\nB,1,1\nA,10,20\n', 'dup.csv');
    expect(m.geneIds).toEqual(['A', 'B']);
    expect(Array.from(m.values)).toEqual([11, 22, 1, 1]);
  });

  it('refuses an empty file, a header alone and a table without samples', () => {
    expectBulkError(() => parseBulkMatrix('', 'e.csv'), /e\.csv: the bulk file is empty/);
    expectBulkError(() => parseBulkMatrix(' \n\r\n', 'e.csv'), /empty/);
    expectBulkError(() => parseBulkMatrix(',s1\n', 'h.csv'), /header \(line 1\) but no gene rows/);
    expectBulkError(() => parseBulkMatrix('gene\nA\nB\n', 'n.csv'), /no samples/);
  });

  it('names the line, gene, sample and column of a bad value', () => {
    expectBulkError(
      () => parseBulkMatrix(',s1,s2\nA,1,2\nB,1,abc\n', 'x.csv'),
      /x\.csv, line 3: the value of gene "B" in sample "s2" \(column 3\) "abc" is not a number/,
    );
    expectBulkError(
      () => parseBulkMatrix(',s1,s2\nA,-1,2\n', 'x.csv'),
      /line 2: .*"s1" \(column 2\) -1 is negative/,
    );
    expectBulkError(() => parseBulkMatrix(',s1,s2\nA,NaN,2\n', 'x.csv'), /"NaN" is not a number/);
    expectBulkError(() => parseBulkMatrix(',s1,s2\nA,1,\n', 'x.csv'), /column 3\) is empty/);
    expectBulkError(
      () => parseBulkMatrix(',s1,s2\nA,1,2\nB,1\n', 'x.csv'),
      /line 3: expected a gene id and 2 values/,
    );
  });

  it('refuses repeated sample ids and all-zero samples', () => {
    expectBulkError(() => parseBulkMatrix(',s1,s1\nA,1,2\n', 'x.csv'), /"s1" appears twice/);
    expectBulkError(
      () => parseBulkMatrix(',s1,s2,s3\nA,0,2,0\nB,0,1,0\n', 'x.csv'),
      /2 samples are zero on every gene \("s1", "s3"\)/,
    );
  });
});

describe('matchBulkGenes', () => {
  const bulk = parseBulkMatrix(
    ',s1\nENSG01.3,1\nTP53,1\ngapdh,1\nACTB,1\nOnly,1\nDup.1,1\nDUP.2,1\n',
    'b.csv',
  );

  it('matches exact names first, then case and version suffixes, in single-cell order', () => {
    const sc = ['ACTB', 'GAPDH', 'ENSG01', 'X', 'TP53', 'dup'];
    const m = matchBulkGenes(bulk, sc, { minGenes: 1, minGeneFraction: 0 });
    expect(Array.from(m.scIndex)).toEqual([0, 1, 2, 4]);
    expect(Array.from(m.bulkIndex)).toEqual([3, 2, 0, 1]);
    expect(m.looseMatches).toBe(2);
    expect(m.nScGenes).toBe(6);
    expect(m.nBulkGenes).toBe(7);
    // "dup" loosely matches two bulk genes (Dup.1, DUP.2): ambiguous, left out.
  });

  it('keeps an exact match over a loose one for the same bulk row', () => {
    const b = parseBulkMatrix(',s1\nACTB,1\n', 'b.csv');
    const m = matchBulkGenes(b, ['actb', 'ACTB'], { minGenes: 1, minGeneFraction: 0 });
    expect(Array.from(m.scIndex)).toEqual([1]);
    expect(m.looseMatches).toBe(0);
  });

  it('throws with the counts and examples when the overlap is too small', () => {
    const sc = ['ACTB', 'GAPDH', 'A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8'];
    expectBulkError(
      () => matchBulkGenes(bulk, sc, { minGenes: 3, minGeneFraction: 0 }),
      /only 2 of the 10 single-cell genes are in the bulk matrix's 7 genes \(1 of them after ignoring case.*at least 3 are needed.*"ACTB", "GAPDH", "A1".*"ENSG01\.3", "TP53", "gapdh"/,
    );
    expectBulkError(
      () => matchBulkGenes(bulk, sc, { minGenes: 1, minGeneFraction: 0.5 }),
      /at least 50 % of the single-cell genes \(5\) are needed/,
    );
    expect(matchBulkGenes(bulk, sc, { minGenes: 2, minGeneFraction: 0.2 }).scIndex.length).toBe(2);
  });

  it('loose keys ignore case and a trailing version only', () => {
    expect(looseGeneKey('ENSMUSG00000000001.4')).toBe('ensmusg00000000001');
    expect(looseGeneKey('Hist1h2a.x')).toBe('hist1h2a.x');
  });
});
