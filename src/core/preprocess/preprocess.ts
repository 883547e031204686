/**
 * Preprocessing, exactly as the reference scGNN CSV path (PreprocessingscGNN.py, reference note §1.2):
 *   1. keep genes non-zero in at least `minCellFraction` (1 %) of all cells;
 *   2. keep cells non-zero in at least `minGeneFraction` (1 %) of the kept genes;
 *   3. keep the `nTopGenes` (2000) genes with the largest variance (ddof = 1) of the raw values over the kept
 *      cells;
 *   4. ln(1 + x).
 * No library-size normalisation (the reference has none). Selected genes keep their input order (the
 * reference writes them in ascending-variance order; the set is the same). Ties in variance are broken by
 * input order. Everything stays sparse: the output is a cells x genes CSR matrix of log1p values.
 */
import type { CountMatrix } from '../dataset.ts';
import { csrSelect, nnz, type CsrMatrix } from '../matrix/csr.ts';

export interface PreprocessParams {
  /** Keep genes non-zero in at least this fraction of cells. Reference: 0.01 (`--geneRatio 0.99`). */
  readonly minCellFraction: number;
  /** Keep cells non-zero in at least this fraction of the kept genes. Reference: 0.01 (`--cellRatio 0.99`). */
  readonly minGeneFraction: number;
  /** Number of most variable genes to keep. Reference: 2000. */
  readonly nTopGenes: number;
  /** Apply ln(1 + x) after selection. Reference: true. Turn off for data that is already log-normalised. */
  readonly log1p: boolean;
}

export const preprocessDefaults: PreprocessParams = {
  minCellFraction: 0.01,
  minGeneFraction: 0.01,
  nTopGenes: 2000,
  log1p: true,
};

/** What each filter keeps; shown to the user before anything runs. */
export interface PreprocessSummary {
  readonly params: PreprocessParams;
  readonly input: {
    readonly nCells: number;
    readonly nGenes: number;
    readonly nnz: number;
    readonly sparsity: number;
  };
  /** Genes passing the per-gene filter, and the minimum number of cells that meant. */
  readonly genesPassingFilter: number;
  readonly minCellsPerGene: number;
  /** Cells passing the per-cell filter, and the minimum number of genes that meant. */
  readonly cellsPassingFilter: number;
  readonly minGenesPerCell: number;
  /** Genes kept after variance ranking. */
  readonly genesSelected: number;
  /** Smallest variance among the selected genes (raw scale). */
  readonly varianceCutoff: number;
  readonly output: {
    readonly nCells: number;
    readonly nGenes: number;
    readonly nnz: number;
    readonly sparsity: number;
  };
  /** Ids of the most variable genes, most variable first (at most 10). */
  readonly topGenes: string[];
}

export interface Preprocessed {
  readonly summary: PreprocessSummary;
  /** Indices (into the input) of the kept cells, ascending. */
  readonly cellIndex: Int32Array;
  /** Indices (into the input) of the selected genes, ascending (input order). */
  readonly geneIndex: Int32Array;
  /** Kept cells x selected genes; log1p values when `params.log1p`. */
  readonly matrix: CsrMatrix;
  readonly cellIds: string[];
  readonly geneIds: string[];
}

/** Check parameters; returns a list of problems (empty when valid). */
export function validatePreprocessParams(p: PreprocessParams): string[] {
  const problems: string[] = [];
  if (!(p.minCellFraction >= 0 && p.minCellFraction <= 1))
    problems.push('minCellFraction must be between 0 and 1');
  if (!(p.minGeneFraction >= 0 && p.minGeneFraction <= 1))
    problems.push('minGeneFraction must be between 0 and 1');
  if (!(Number.isInteger(p.nTopGenes) && p.nTopGenes >= 1))
    problems.push('nTopGenes must be a positive integer');
  return problems;
}

interface Selection {
  summary: PreprocessSummary;
  cellIndex: Int32Array;
  geneIndex: Int32Array;
}

function select(data: CountMatrix, params: PreprocessParams): Selection {
  const problems = validatePreprocessParams(params);
  if (problems.length) throw new RangeError(`Invalid preprocessing parameters: ${problems.join('; ')}`);
  const m = data.counts;
  const nCells = m.nRows;
  const nGenes = m.nCols;
  const total = nnz(m);

  // 1. Genes: non-zero count per gene over all cells.
  const geneNonzero = new Int32Array(nGenes);
  for (let k = 0; k < total; k++) if (m.values[k] !== 0) geneNonzero[m.indices[k]!]!++;
  const geneKept = new Uint8Array(nGenes);
  let nGenesKept = 0;
  for (let g = 0; g < nGenes; g++) {
    if (nCells > 0 && geneNonzero[g]! / nCells >= params.minCellFraction) {
      geneKept[g] = 1;
      nGenesKept++;
    }
  }

  // 2. Cells: non-zero count over the kept genes.
  const cellKeptList: number[] = [];
  for (let c = 0; c < nCells; c++) {
    let count = 0;
    for (let k = m.indptr[c]!; k < m.indptr[c + 1]!; k++)
      if (geneKept[m.indices[k]!] && m.values[k] !== 0) count++;
    if (nGenesKept > 0 && count / nGenesKept >= params.minGeneFraction) cellKeptList.push(c);
  }
  const cellIndex = Int32Array.from(cellKeptList);
  const n = cellIndex.length;

  // 3. Variance (ddof = 1) of raw values over kept cells, for kept genes; zeros contribute (0 - mean)^2.
  const sum = new Float64Array(nGenes);
  const sumSq = new Float64Array(nGenes);
  const seen = new Int32Array(nGenes);
  for (const c of cellIndex) {
    for (let k = m.indptr[c]!; k < m.indptr[c + 1]!; k++) {
      const g = m.indices[k]!;
      if (!geneKept[g]) continue;
      const v = m.values[k]!;
      sum[g]! += v;
      seen[g]!++;
    }
  }
  const mean = new Float64Array(nGenes);
  for (let g = 0; g < nGenes; g++) mean[g] = n > 0 ? sum[g]! / n : 0;
  for (const c of cellIndex) {
    for (let k = m.indptr[c]!; k < m.indptr[c + 1]!; k++) {
      const g = m.indices[k]!;
      if (!geneKept[g]) continue;
      const d = m.values[k]! - mean[g]!;
      sumSq[g]! += d * d;
    }
  }
  const candidates: number[] = [];
  const variance = new Float64Array(nGenes);
  for (let g = 0; g < nGenes; g++) {
    if (!geneKept[g]) continue;
    const zeros = n - seen[g]!;
    variance[g] = n > 1 ? (sumSq[g]! + zeros * mean[g]! * mean[g]!) / (n - 1) : 0;
    candidates.push(g);
  }
  candidates.sort((a, b) => variance[b]! - variance[a]! || a - b);
  const chosen = candidates.slice(0, Math.min(params.nTopGenes, candidates.length));
  const topGenes = chosen.slice(0, 10).map((g) => data.geneIds[g]!);
  const varianceCutoff = chosen.length ? variance[chosen[chosen.length - 1]!]! : 0;
  const geneIndex = Int32Array.from(chosen).sort();

  // Output non-zeros (without building the matrix).
  const chosenMask = new Uint8Array(nGenes);
  for (const g of geneIndex) chosenMask[g] = 1;
  let outNnz = 0;
  for (const c of cellIndex) {
    for (let k = m.indptr[c]!; k < m.indptr[c + 1]!; k++)
      if (chosenMask[m.indices[k]!] && m.values[k] !== 0) outNnz++;
  }

  const frac = (z: number, r: number, c: number): number => (r * c > 0 ? 1 - z / (r * c) : 1);
  const summary: PreprocessSummary = {
    params,
    input: { nCells, nGenes, nnz: total, sparsity: frac(total, nCells, nGenes) },
    genesPassingFilter: nGenesKept,
    minCellsPerGene: Math.ceil(params.minCellFraction * nCells - 1e-9),
    cellsPassingFilter: n,
    minGenesPerCell: Math.ceil(params.minGeneFraction * nGenesKept - 1e-9),
    genesSelected: geneIndex.length,
    varianceCutoff,
    output: { nCells: n, nGenes: geneIndex.length, nnz: outNnz, sparsity: frac(outNnz, n, geneIndex.length) },
    topGenes,
  };
  return { summary, cellIndex, geneIndex };
}

/** What the filters keep, without building the output matrix (cheap: two passes over the non-zeros). */
export function summarizePreprocessing(
  data: CountMatrix,
  params: PreprocessParams = preprocessDefaults,
): PreprocessSummary {
  return select(data, params).summary;
}

/** Run preprocessing. Throws a RangeError when no cell or no gene survives the filters. */
export function preprocess(data: CountMatrix, params: PreprocessParams = preprocessDefaults): Preprocessed {
  const { summary, cellIndex, geneIndex } = select(data, params);
  if (cellIndex.length === 0 || geneIndex.length === 0) {
    throw new RangeError(
      `Preprocessing keeps ${cellIndex.length} cells and ${geneIndex.length} genes: relax the filters ` +
        `(genes need non-zeros in ${(params.minCellFraction * 100).toFixed(1)} % of cells, ` +
        `cells in ${(params.minGeneFraction * 100).toFixed(1)} % of kept genes).`,
    );
  }
  const selected = csrSelect(data.counts, cellIndex, geneIndex);
  // Drop explicit zeros and apply log1p in place on the fresh copy.
  const values = selected.values;
  if (params.log1p) for (let k = 0; k < values.length; k++) values[k] = Math.log1p(values[k]!);
  return {
    summary,
    cellIndex,
    geneIndex,
    matrix: selected,
    cellIds: Array.from(cellIndex, (c) => data.cellIds[c]!),
    geneIds: Array.from(geneIndex, (g) => data.geneIds[g]!),
  };
}
