import { describe, expect, it } from 'vitest';
import { symmetricGraph } from '../../core/graph/cell-graph.ts';
import { denseMatrix } from '../../core/matrix/dense.ts';
import {
  formatNumber,
  stringSink,
  writeEdgeListCsv,
  writeEmbeddingCsv,
  writeLabelsCsv,
  writeMatrixCsv,
} from './csv-writers.ts';

describe('CSV writers', () => {
  const m = denseMatrix(2, 3, Float32Array.from([0, 1.23456, 2, 3, 0.5, 0]));
  const cells = ['c1', 'c,2'];
  const genes = ['g1', 'g2', 'g3'];

  it('writes the imputed matrix genes x cells (reference layout) and cells x genes', async () => {
    const a = stringSink();
    await writeMatrixCsv(a, m, cells, genes);
    expect(a.text()).toBe(',c1,"c,2"\ng1,0,3\ng2,1.2346,0.5\ng3,2,0\n');
    const b = stringSink();
    await writeMatrixCsv(b, m, cells, genes, 'cells-x-genes');
    expect(b.text()).toBe(',g1,g2,g3\nc1,0,1.2346,2\n"c,2",3,0.5,0\n');
    await expect(writeMatrixCsv(stringSink(), m, ['x'], genes)).rejects.toThrow(/2 x 3/);
  });

  it('streams large outputs in chunks', async () => {
    const rows = 3000;
    const big = denseMatrix(rows, 100, new Float32Array(rows * 100).fill(0.123));
    const chunks: string[] = [];
    await writeMatrixCsv(
      { write: (s) => void chunks.push(s) },
      big,
      Array.from({ length: rows }, (_, i) => `cell${i}`),
      Array.from({ length: 100 }, (_, i) => `g${i}`),
      'cells-x-genes',
    );
    expect(chunks.length).toBeGreaterThan(1);
    const text = chunks.join('');
    expect(text.split('\n').length).toBe(rows + 2);
  });

  it('writes embedding, edge list and labels', async () => {
    const e = stringSink();
    await writeEmbeddingCsv(e, denseMatrix(2, 2, Float32Array.from([0.5, 1, 2, 0])), cells);
    expect(e.text()).toBe(',embedding0,embedding1\nc1,0.5,1\n"c,2",2,0\n');
    const g = symmetricGraph(3, [0, 1, 2], [1, 0, 0], [1, 1, 0.5]);
    const s = stringSink();
    await writeEdgeListCsv(s, g, ['a', 'b', 'c']);
    expect(s.text()).toBe('NodeA,NodeB,Weight\na,b,1\na,c,0.5\n');
    const l = stringSink();
    await writeLabelsCsv(l, Int32Array.from([1, 0]), cells);
    expect(l.text()).toBe('cell,cluster\nc1,1\n"c,2",0\n');
    expect(formatNumber(-0.00001)).toBe('0');
    expect(formatNumber(NaN)).toBe('NaN');
  });
});
