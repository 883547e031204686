/**
 * The steps shared by the CLI and the browser engine (session.ts) on a tiny hand-made dataset.
 *
 * Raw counts, 5 cells x 6 genes (rows c0..c4, columns g0..g5):
 *   c0: 5 0 1 0 2 0      g1 and g5 are zero everywhere and c4 is empty, so the 1 % filters drop them.
 *   c1: 0 0 3 0 2 0      Variances (ddof 1) of the kept genes over c0..c3, by hand:
 *   c2: 7 0 0 1 2 0        g0 (5, 0, 7, 1): 32.75 / 3 ≈ 10.92; g2 (1, 3, 0, 9): 48.75 / 3 = 16.25;
 *   c3: 1 0 9 0 2 0        g3 (0, 0, 1, 0): 0.75 / 3 = 0.25; g4 (2, 2, 2, 2): 0.
 *   c4: 0 0 0 0 0 0      With 3 top genes: g0, g2, g3 kept in input order, g2 the most variable.
 * The selection keeps raw values (log1p happens in the pipeline). Its 7 non-zeros under dropout rate 0.5 lose
 * floor(3.5) = 3. ARI against labels (A, A, B, unlabelled) of the prediction (0, 1, 1) is
 * (0 - 1/3) / (1 - 1/3) = -0.5 by the pair-counting formula, its NMI ln(1.6875) / 3 / (ln 3 - (2/3) ln 2).
 */
import { describe, expect, it } from 'vitest';
import type { LoadedDataset } from '../dataset.ts';
import { thinCounts } from '../eval/thinning.ts';
import { csrFromDense, csrToDense, nnz } from '../matrix/csr.ts';
import { createRng } from '../rng.ts';
import { withParams } from './params.ts';
import { buildManifest, evaluateAgainstLabels, OUTPUT_FILES, prepareInput } from './session.ts';

const COUNTS = [
  [5, 0, 1, 0, 2, 0],
  [0, 0, 3, 0, 2, 0],
  [7, 0, 0, 1, 2, 0],
  [1, 0, 9, 0, 2, 0],
  [0, 0, 0, 0, 0, 0],
];

function tinyDataset(labels?: (string | null)[]): LoadedDataset {
  return {
    name: 'tiny.csv',
    format: 'csv',
    matrix: {
      counts: csrFromDense(COUNTS.flat(), 5, 6),
      cellIds: ['c0', 'c1', 'c2', 'c3', 'c4'],
      geneIds: ['g0', 'g1', 'g2', 'g3', 'g4', 'g5'],
    },
    sourceFiles: ['tiny.csv'],
    orientation: { chosen: 'cells-x-genes', reason: 'test' },
    warnings: [],
    integerValued: true,
    ...(labels
      ? {
          labels: {
            fileName: 'labels.csv',
            labels,
            nMatched: labels.filter((l) => l !== null).length,
            nUnmatched: 0,
            classes: [...new Set(labels.filter((l): l is string => l !== null))].sort(),
          },
        }
      : {}),
  };
}

const params = withParams({ seed: 3, preprocess: { nTopGenes: 3 } });

describe('session steps shared by the CLI and the engine (session.ts)', () => {
  it('prepareInput selects cells and genes as worked out by hand, on raw values', () => {
    const p = prepareInput(tinyDataset(), params);
    expect(p.dropout).toBeNull();
    expect(p.thinning).toBeNull();
    expect(p.selected.cellIds).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(p.selected.geneIds).toEqual(['g0', 'g2', 'g3']);
    expect([...p.selected.cellIndex]).toEqual([0, 1, 2, 3]);
    expect([...p.selected.geneIndex]).toEqual([0, 2, 3]);
    expect(p.selected.summary.topGenes).toEqual(['g2', 'g0', 'g3']);
    expect(p.selected.summary.genesPassingFilter).toBe(4);
    expect(p.selected.summary.cellsPassingFilter).toBe(4);
    expect(p.selected.summary.varianceCutoff).toBeCloseTo(0.25, 6);
    expect(p.selected.summary.params.log1p).toBe(false); // log1p is the pipeline's job
    expect([p.input.raw.nRows, p.input.raw.nCols]).toEqual([4, 3]);
    expect([...csrToDense(p.input.raw)]).toEqual([5, 1, 0, 0, 3, 0, 7, 0, 1, 1, 9, 0]);
    expect(p.input.raw).toBe(p.selected.matrix);
    expect(p.input.cellIds).toEqual(p.selected.cellIds);
    expect(p.input.geneIds).toEqual(p.selected.geneIds);
  });

  it('prepareInput with dropout zeroes floor(rate x nnz) entries, seeded by params.seed', () => {
    const p = prepareInput(tinyDataset(), params, 0.5);
    const d = p.dropout!;
    expect(nnz(p.selected.matrix)).toBe(7);
    expect(d.rows).toHaveLength(3);
    expect(nnz(p.input.raw)).toBe(4);
    expect(p.input.raw).toBe(d.corrupted);
    const selected = csrToDense(p.selected.matrix);
    const corrupted = csrToDense(p.input.raw);
    for (let k = 0; k < 3; k++) {
      const at = d.rows[k]! * 3 + d.cols[k]!;
      expect(d.values[k]).toBe(selected[at]); // the original value is recorded
      expect(d.values[k]).toBeGreaterThan(0);
      expect(corrupted[at]).toBe(0);
    }
    // Every other entry is untouched.
    const dropped = new Set(Array.from(d.rows, (r, k) => r * 3 + d.cols[k]!));
    selected.forEach((v, i) => {
      if (!dropped.has(i)) expect(corrupted[i]).toBe(v);
    });
    const again = prepareInput(tinyDataset(), params, 0.5).dropout!;
    expect([...again.rows]).toEqual([...d.rows]);
    expect([...again.cols]).toEqual([...d.cols]);
    // Some other seed picks other entries (35 possible triples: seeds 3..12 cannot all agree by chance).
    const picks = new Set<string>();
    for (let seed = 3; seed < 13; seed++) {
      const o = prepareInput(tinyDataset(), withParams({ seed, preprocess: { nTopGenes: 3 } }), 0.5).dropout!;
      picks.add(Array.from(o.rows, (r, k) => `${r}:${o.cols[k]}`).join(','));
    }
    expect(picks.size).toBeGreaterThan(1);
  });

  it('prepareInput with thinning selects on the full depth and runs on Binomial(c, rate), seeded by params.seed', () => {
    const p = prepareInput(tinyDataset(), params, 0, 0.5);
    expect(p.dropout).toBeNull();
    const t = p.thinning!;
    expect(t.rate).toBe(0.5);
    // The same selection as without thinning; the full-depth counts stay in selected.matrix.
    expect(p.selected.geneIds).toEqual(['g0', 'g2', 'g3']);
    expect([...csrToDense(p.selected.matrix)]).toEqual([5, 1, 0, 0, 3, 0, 7, 0, 1, 1, 9, 0]);
    expect(p.input.raw).toBe(t.thinned);
    // The 'thin' stream of the run's seed.
    const expected = thinCounts(p.selected.matrix, 0.5, createRng(3).fork('thin'));
    expect([...csrToDense(t.thinned)]).toEqual([...csrToDense(expected)]);
    const full = csrToDense(p.selected.matrix);
    csrToDense(t.thinned).forEach((v, i) => {
      expect(Number.isInteger(v) && v >= 0 && v <= full[i]!).toBe(true);
    });
    expect(() => prepareInput(tinyDataset(), params, 0.1, 0.5)).toThrow(/cannot be combined/);
  });

  it('evaluateAgainstLabels scores the labelled selected cells only', () => {
    const ds = tinyDataset(['A', 'A', 'B', null, 'B']);
    const { selected } = prepareInput(ds, params);
    const perfect = evaluateAgainstLabels(ds, selected, Int32Array.from([4, 4, 2, 0]));
    expect(perfect!.ari).toBe(1);
    expect(perfect!.nmi).toBeCloseTo(1, 12);
    expect(perfect!.labelledCells).toBe(3);
    const split = evaluateAgainstLabels(ds, selected, Int32Array.from([0, 1, 1, 1]))!;
    expect(split.labelledCells).toBe(3);
    expect(split.ari).toBeCloseTo(-0.5, 10);
    // Both partitions have entropy H = ln 3 - (2/3) ln 2 and MI = ln(1.6875) / 3, so NMI = MI / H ≈ 0.2740.
    expect(split.nmi).toBeCloseTo(Math.log(1.6875) / 3 / (Math.log(3) - (2 / 3) * Math.LN2), 10);
    expect(evaluateAgainstLabels(tinyDataset(), selected, Int32Array.from([0, 0, 1, 1]))).toBeNull();
    const none = tinyDataset([null, null, null, null, 'A']);
    expect(evaluateAgainstLabels(none, selected, Int32Array.from([0, 0, 1, 1]))).toBeNull();
  });

  it('buildManifest records input, preprocessing, params, dropout and cluster sizes', () => {
    const ds = tinyDataset();
    const prepared = prepareInput(ds, params, 0.5);
    const m = buildManifest({
      version: '9.9.9',
      runtime: 'node test',
      tfjs: '4.22.0',
      backend: 'cpu',
      adapter: null,
      dataset: ds,
      prepared,
      params,
      result: {
        nClusters: 3,
        history: [],
        converged: true,
        labels: Int32Array.from([0, 2, 2, 0]),
        training: [{ model: 'feature-ae', stage: 'feature-ae', epochs: 2, firstLoss: 1, lastLoss: 0.5 }],
      },
      seconds: { total: 1.5 },
      outputs: { labels: OUTPUT_FILES.labels },
      dropoutRate: 0.5,
      createdAt: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    });
    expect(m.tool).toBe('scgnn-web');
    expect(m.createdAt).toBe('2024-01-02T03:04:05.000Z');
    expect(m.environment).toEqual({ runtime: 'node test', tfjs: '4.22.0', backend: 'cpu', adapter: null });
    expect(m.input).toEqual({
      name: 'tiny.csv',
      format: 'csv',
      cells: 5,
      genes: 6,
      orientation: 'cells-x-genes',
    });
    expect(m.preprocessing.output.nGenes).toBe(3);
    expect(m.seed).toBe(3);
    expect(m.params).toBe(params);
    expect(m.dropout).toEqual({ rate: 0.5, entries: 3 });
    expect(m.result.clusterSizes).toEqual([2, 0, 2]);
    expect(m.result.iterations).toBe(0);
    expect(m.result.training[0]!.lastLoss).toBe(0.5);
    expect(m.outputs).toEqual({ labels: 'labels.csv' });
    // Without dropout the manifest has no dropout entry.
    const plain = buildManifest({
      version: '9.9.9',
      runtime: 'node',
      tfjs: '4',
      backend: 'cpu',
      adapter: null,
      dataset: ds,
      prepared: prepareInput(ds, params),
      params,
      result: {
        nClusters: 1,
        history: [],
        converged: false,
        labels: Int32Array.from([0, 0, 0, 0]),
        training: [],
      },
      seconds: {},
      outputs: {},
    });
    expect('dropout' in plain).toBe(false);
    expect(plain.result.clusterSizes).toEqual([4]);
    expect(Object.values(OUTPUT_FILES)).toEqual([
      'imputed.csv',
      'embedding.csv',
      'graph_edges.csv',
      'labels.csv',
      'manifest.json',
      'results.h5ad',
    ]);
  });
});
