/**
 * Per-gene data for LTMG (`LTMG:R/RunLTMG.R:245-338`, `.RunLTMG`): the count matrix is turned into genes x
 * cells, all-zero cells are dropped (`:248`, they do not count in BIC's n), and each gene's positive values are
 * log-transformed and stored as sorted distinct values with multiplicities. Tied counts are common (low counts,
 * UMI data), so fitting distinct values weighted by multiplicity gives the same EM as fitting every cell while
 * moving far less data; with `jitter` every value is distinct, like R after its N(0, 1e-4) noise (`:272`).
 */
import type { CsrMatrix } from '../matrix/csr.ts';
import { transposeCsr } from '../matrix/csr.ts';
import type { Rng } from '../rng.ts';

/** Standard deviation of the noise R adds to log values (`rnorm(length(y), 0, 0.0001)`). */
export const R_NOISE_SD = 1e-4;

export interface GeneTable {
  /** Cells in the output (all rows of the input). */
  readonly nCellsTotal: number;
  /** Cells with at least one positive value: R's n (`length(y)`) in BIC_LTMG. */
  readonly nCellsActive: number;
  readonly nGenes: number;
  /** Distinct log values of gene g: `vals[uOffsets[g] .. uOffsets[g+1])`, ascending, with multiplicities. */
  readonly uOffsets: Uint32Array;
  readonly vals: Float64Array;
  readonly mult: Float64Array;
  /**
   * Positive entries of gene g: `eOffsets[g] .. eOffsets[g+1]`, their position among the input CSR's stored
   * entries (row-major: it gives the cell and the place of the entry's state), and their distinct value.
   */
  readonly eOffsets: Uint32Array;
  readonly entryPos: Int32Array;
  readonly entryValue: Int32Array;
  /** log of the smallest positive value, without noise (R: `min(log(VEC[VEC>0]))`); NaN if none. */
  readonly minLogPos: Float64Array;
  /** Number of positive values per gene. */
  readonly nPos: Int32Array;
}

export function buildGeneTable(counts: CsrMatrix, jitter: Rng | null): GeneTable {
  const byGene = transposeCsr(counts);
  const nGenes = counts.nCols;
  let nCellsActive = 0;
  for (let r = 0; r < counts.nRows; r++) {
    let any = false;
    for (let k = counts.indptr[r]!; k < counts.indptr[r + 1]! && !any; k++) any = counts.values[k]! > 0;
    if (any) nCellsActive++;
  }
  const nnz = byGene.indptr[nGenes]!;
  // Position in `counts` (row-major) of each gene-major entry: transposeCsr's own counting order.
  const rowMajorPos = new Int32Array(nnz);
  const cursor = byGene.indptr.slice(0, nGenes);
  for (let r = 0; r < counts.nRows; r++)
    for (let k = counts.indptr[r]!; k < counts.indptr[r + 1]!; k++)
      rowMajorPos[cursor[counts.indices[k]!]!++] = k;
  const uOffsets = new Uint32Array(nGenes + 1);
  const eOffsets = new Uint32Array(nGenes + 1);
  const vals = new Float64Array(nnz);
  const mult = new Float64Array(nnz);
  const entryPos = new Int32Array(nnz);
  const entryValue = new Int32Array(nnz);
  const minLogPos = new Float64Array(nGenes).fill(Number.NaN);
  const nPos = new Int32Array(nGenes);
  let u = 0;
  let e = 0;
  const ys: number[] = [];
  const positions: number[] = [];
  const order: number[] = [];
  for (let g = 0; g < nGenes; g++) {
    ys.length = 0;
    positions.length = 0;
    let minPos = Infinity;
    for (let k = byGene.indptr[g]!; k < byGene.indptr[g + 1]!; k++) {
      const v = byGene.values[k]!;
      if (!(v > 0)) continue; // zeros and negatives are "not expressed", as log() makes them in R
      minPos = Math.min(minPos, v);
      ys.push(Math.log(v) + (jitter ? R_NOISE_SD * jitter.normal() : 0));
      positions.push(rowMajorPos[k]!);
    }
    nPos[g] = ys.length;
    if (ys.length > 0) minLogPos[g] = Math.log(minPos);
    order.length = 0;
    for (let i = 0; i < ys.length; i++) order.push(i);
    order.sort((a, b) => ys[a]! - ys[b]!);
    const first = u;
    for (const i of order) {
      const y = ys[i]!;
      if (u === first || vals[u - 1] !== y) {
        vals[u] = y;
        mult[u] = 0;
        u++;
      }
      mult[u - 1]!++;
      entryPos[e] = positions[i]!;
      entryValue[e] = u - 1;
      e++;
    }
    uOffsets[g + 1] = u;
    eOffsets[g + 1] = e;
  }
  return {
    nCellsTotal: counts.nRows,
    nCellsActive,
    nGenes,
    uOffsets,
    vals: vals.slice(0, u),
    mult: mult.slice(0, u),
    eOffsets,
    entryPos,
    entryValue,
    minLogPos,
    nPos,
  };
}

/** The part of a gene that is fitted: distinct values `vals[from .. to)` plus `censored` values below q. */
export interface GeneSlice {
  readonly gene: number;
  readonly from: number;
  readonly to: number;
  /** Sum of multiplicities in the slice. */
  readonly nObs: number;
  readonly censored: number;
  readonly q: number;
}

/** Sum of multiplicities of `vals[from .. to)`. */
export function sliceCount(t: GeneTable, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += t.mult[i]!;
  return n;
}

/**
 * R's initial parameters (`RunLTMG.R:143-149`): means at the sorted values of rank floor(i·n/(k+1)), i = 1..k,
 * with the first and last replaced by min − 1 and max + 1; one sd = sqrt(var(x)) (n − 1 denominator).
 */
export function initialParams(t: GeneTable, s: GeneSlice, k: number): { means: number[]; sd: number } {
  const means: number[] = [];
  let i = s.from;
  let seen = 0; // values of rank <= seen are before index i
  for (let c = 1; c <= k; c++) {
    const rank = Math.floor((c * s.nObs) / (k + 1)); // 1-based, as R indexes sort(x)
    while (i < s.to - 1 && seen + t.mult[i]! < rank) seen += t.mult[i++]!;
    means.push(t.vals[i]!);
  }
  means[0] = t.vals[s.from]! - 1;
  means[k - 1] = t.vals[s.to - 1]! + 1;
  let sum = 0;
  for (let j = s.from; j < s.to; j++) sum += t.mult[j]! * t.vals[j]!;
  const mean = sum / s.nObs;
  let ss = 0;
  for (let j = s.from; j < s.to; j++) ss += t.mult[j]! * (t.vals[j]! - mean) ** 2;
  return { means, sd: s.nObs > 1 ? Math.sqrt(ss / (s.nObs - 1)) : 0 };
}

/**
 * Group slices into blocks of similar width (slices sorted by number of distinct values) so that
 * block genes x width x k stays within `budget` elements: memory is bounded whatever the dataset size.
 */
export function makeBlocks(slices: GeneSlice[], k: number, budget: number): GeneSlice[][] {
  const sorted = [...slices].sort((a, b) => a.to - a.from - (b.to - b.from) || a.gene - b.gene);
  const blocks: GeneSlice[][] = [];
  let cur: GeneSlice[] = [];
  for (const s of sorted) {
    const width = Math.max(1, s.to - s.from);
    if (cur.length > 0 && (cur.length + 1) * width * k > budget) {
      blocks.push(cur);
      cur = [];
    }
    cur.push(s);
  }
  if (cur.length > 0) blocks.push(cur);
  return blocks;
}
