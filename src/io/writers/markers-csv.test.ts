import { describe, expect, it } from 'vitest';
import type { ClusterMarkers, MarkerGene } from '../../core/analysis/markers.ts';
import { stringSink } from './csv-writers.ts';
import { formatPValue, MARKERS_CSV_HEADER, writeMarkersCsv } from './markers-csv.ts';

function gene(name: string, z: number, p: number): MarkerGene {
  return {
    geneIndex: 0,
    gene: name,
    log2FoldChange: 1.234567,
    z,
    pValue: p,
    pAdj: Math.min(1, p * 3),
    fractionIn: 0.5,
    fractionOut: 1 / 3,
  };
}

describe('writeMarkersCsv', () => {
  it('writes raw then imputed rows with ranks, quoting and p-values kept', async () => {
    const raw: ClusterMarkers[] = [
      { cluster: 0, nCells: 3, markers: [gene('CD3E', 5.5, 3.2e-45), gene('a,b', 2, 0.04)] },
      { cluster: 1, nCells: 0, markers: [] },
    ];
    const imputed: ClusterMarkers[] = [{ cluster: 0, nCells: 3, markers: [gene('CD3E', 7, 1e-300)] }];
    const sink = stringSink();
    await writeMarkersCsv(sink, raw, imputed);
    expect(sink.text().split('\n')).toEqual([
      'cluster,rank,gene,log2FoldChange,z,pValue,pAdj,fractionIn,fractionOut,source',
      '0,1,CD3E,1.2346,5.5,3.2e-45,9.6e-45,0.5,0.3333,raw',
      '0,2,"a,b",1.2346,2,0.04,0.12,0.5,0.3333,raw',
      '0,1,CD3E,1.2346,7,1e-300,3e-300,0.5,0.3333,imputed',
      '',
    ]);
  });

  it('writes the header alone for empty tables and skips a missing imputed table', async () => {
    const sink = stringSink();
    await writeMarkersCsv(sink, [], null);
    expect(sink.text()).toBe(MARKERS_CSV_HEADER + '\n');
  });

  it('sends large tables in chunks', async () => {
    const markers = Array.from({ length: 30_000 }, (_, i) => gene(`gene-with-a-long-name-${i}`, 1, 0.5));
    const chunks: string[] = [];
    await writeMarkersCsv({ write: (c) => void chunks.push(c) }, [{ cluster: 0, nCells: 1, markers }], null);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('').split('\n')).toHaveLength(30_002);
  });

  it('formats p-values with 4 significant digits', () => {
    expect(formatPValue(0)).toBe('0');
    expect(formatPValue(1)).toBe('1');
    expect(formatPValue(0.123456)).toBe('0.1235');
    expect(formatPValue(1.23456e-7)).toBe('1.235e-7');
  });
});
