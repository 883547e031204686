/**
 * The smallest input a run accepts after preprocessing, and the message that says what to change otherwise
 * (the CLI, the engine and the page's Run button all use it).
 */
import { describe, expect, it } from 'vitest';
import { preprocessDefaults, type PreprocessSummary } from '../preprocess/preprocess.ts';
import { withParams } from './params.ts';
import { keptSizeProblem, minimumKept } from './session.ts';

function summary(input: [number, number], output: [number, number], nTopGenes = 2000): PreprocessSummary {
  const shape = (nCells: number, nGenes: number) => ({ nCells, nGenes, nnz: 0, sparsity: 1 });
  return {
    params: { ...preprocessDefaults, nTopGenes },
    input: shape(...input),
    genesPassingFilter: output[1],
    minCellsPerGene: 1,
    cellsPassingFilter: output[0],
    minGenesPerCell: 1,
    genesSelected: output[1],
    varianceCutoff: 0,
    output: shape(...output),
    topGenes: [],
  };
}

describe('the smallest input a run accepts', () => {
  it('is max(k + 1, 2 x minClusterSize) cells and 10 genes', () => {
    expect(minimumKept(withParams({}))).toEqual({ cells: 11, genes: 10 });
    expect(minimumKept(withParams({ graph: { k: 20 } }))).toEqual({ cells: 21, genes: 10 });
    expect(minimumKept(withParams({ graph: { k: 3 } }))).toEqual({ cells: 10, genes: 10 });
    expect(keptSizeProblem(summary([100, 50], [11, 10]), withParams({}))).toBeNull();
  });

  it('explains one cell left by the filters, with the minimum and the filters to lower', () => {
    const m = keptSizeProblem(summary([40, 50], [1, 30]), withParams({}));
    expect(m).toBe(
      'preprocessing keeps 1 cell and 30 genes, but scGNN needs at least 11 cells (the cell graph links ' +
        'each cell to its 10 nearest neighbours, and clustering needs two clusters of at least 5 cells) and ' +
        '10 genes (cells are compared over their gene profiles). To run it, lower the preprocessing filters ' +
        '(genes detected in ≥ 1 % of cells, cells with ≥ 1 % of the kept genes)',
    );
  });

  it('suggests fewer neighbours when only k is in the way, and more cells when the matrix is small', () => {
    const k = keptSizeProblem(summary([10, 50], [10, 50]), withParams({}));
    expect(k).toContain('at least 11 cells');
    expect(k).toContain(
      'load a matrix with more cells (it has 10), or use at most 9 neighbours per cell (k)',
    );
    expect(keptSizeProblem(summary([10, 50], [10, 50]), withParams({ graph: { k: 9 } }))).toBeNull();
  });

  it('explains one gene, from the matrix or from the number of variable genes', () => {
    expect(keptSizeProblem(summary([50, 1], [50, 1]), withParams({}))).toContain(
      'keeps 50 cells and 1 gene, but scGNN needs at least 11 cells (the cell graph links each cell to its 10 ' +
        'nearest neighbours, and clustering needs two clusters of at least 5 cells) and 10 genes',
    );
    expect(keptSizeProblem(summary([50, 1], [50, 1]), withParams({}))).toContain(
      'load a matrix with more genes (it has 1)',
    );
    const top = keptSizeProblem(summary([50, 300], [50, 5], 5), withParams({}));
    expect(top).toContain('keep at least 10 most variable genes');
  });
});
