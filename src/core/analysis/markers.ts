/**
 * Marker genes per cluster, one cluster against all other cells, as Scanpy's `rank_genes_groups(method=
 * 'wilcoxon')` computes them on log1p data:
 *
 *   z, p       Wilcoxon rank-sum (Mann–Whitney U) test, average ranks for ties, the tie-corrected variance
 *              n1 n2 / 12 · ((n + 1) − Σ(t³ − t) / (n (n − 1))), normal approximation without continuity
 *              correction, two-sided p = erfc(|z| / √2). A gene with no variance (every value tied) gets z = 0
 *              and p = 1, as Scanpy does.
 *   pAdj       Benjamini–Hochberg over all genes, within the cluster.
 *   log2FC     log2((mean_in + 1e-9) / (mean_out + 1e-9)) of the means of expm1(x), i.e. of the values back on
 *              the count scale. (Scanpy takes expm1 of the mean of the log values instead; the mean of expm1 is
 *              the ratio of mean expression itself, less pulled down by dropouts.)
 *   fractions  of the cells in and out of the cluster with a value > 0.
 *
 * Genes are ranked by z, descending (up-regulated first), and the top N are kept per cluster.
 *
 * Cost: every gene's column is ranked once, and the rank sums of all clusters are read from that one ranking
 * (never a sort per cluster). Zeros, most of a log1p matrix, form one tie group that is counted, not sorted; the
 * other values are radix-sorted on their float32 bit patterns (three 11-bit passes), so a gene costs O(cells).
 * Columns are gathered 64 genes at a time (one pass over the rows per block, cache- and TLB-friendly on a
 * row-major matrix), so working memory is O(cells) (about 280 bytes a cell) whatever the number of genes.
 * Measured on 100,000 cells x 2,000 genes, 12 clusters, one core of a loaded 2-core machine: 4.4 s with 85 %
 * zeros (raw log1p), 12.4 s with no zeros (imputed).
 *
 * A TiledMatrix (e.g. the page's imputed matrix, kept as Blob tiles) is read one column block at a time (every
 * cell, `tileCols` genes, a multiple of 64): it is never held whole.
 *
 * Cells with a negative label (unlabelled) take part in no group. Values must be finite.
 */
import type { DenseMatrix } from '../matrix/dense.ts';
import { colBlockRange, readColBlock, type TiledMatrix } from '../matrix/tiles.ts';

export interface MarkerGene {
  /** Column of the gene in the input matrix. */
  readonly geneIndex: number;
  readonly gene: string;
  readonly log2FoldChange: number;
  /** Wilcoxon rank-sum z score of the cluster against all other cells (positive: higher in the cluster). */
  readonly z: number;
  /** Two-sided p-value of z. */
  readonly pValue: number;
  /** Benjamini–Hochberg adjusted p-value (over all genes, within the cluster). */
  readonly pAdj: number;
  /** Fraction of the cluster's cells with a value > 0. */
  readonly fractionIn: number;
  /** Fraction of the other cells with a value > 0. */
  readonly fractionOut: number;
}

export interface ClusterMarkers {
  readonly cluster: number;
  /** Cells in the cluster. */
  readonly nCells: number;
  /** The top genes by z, best first (empty for an empty cluster). */
  readonly markers: readonly MarkerGene[];
}

export interface MarkerOptions {
  /** Genes kept per cluster (default 10). */
  topN?: number;
  /** Number of clusters; default max(label) + 1. */
  nClusters?: number;
  /** Called with the fraction of genes done, after each block of (up to 64) genes. */
  onProgress?: (fraction: number) => void;
  /** Awaited every `checkpointEvery` genes: lets a worker yield to its message loop, and cancel by throwing. */
  checkpoint?: () => Promise<void>;
  /** Genes between two checkpoints (default 64); checked after each block of 64 genes. */
  checkpointEvery?: number;
}

/** Genes gathered per pass over the rows (64 floats: four cache lines of a row, one page visit per row). */
const BLOCK = 64;
/** Sort key of the value 0: negatives sort below it, positives above. */
const ZERO_KEY = 0x80000000;

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

/**
 * LSD radix sort of `n` (key, label) pairs, three 11-bit passes (a pass whose digit is the same for every key
 * is skipped). Sorts between the two buffer pairs and returns the pair that holds the result.
 */
function radixSortPairs(
  keysA: Uint32Array,
  labsA: Int32Array,
  keysB: Uint32Array,
  labsB: Int32Array,
  n: number,
  counts: Uint32Array,
): { keys: Uint32Array; labs: Int32Array } {
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const k = keysA[i]!;
    counts[k & RADIX_MASK]!++;
    counts[RADIX + ((k >>> RADIX_BITS) & RADIX_MASK)]!++;
    counts[2 * RADIX + (k >>> (2 * RADIX_BITS))]!++;
  }
  let srcK = keysA;
  let srcL = labsA;
  let dstK = keysB;
  let dstL = labsB;
  for (let pass = 0; pass < 3; pass++) {
    const base = pass * RADIX;
    const shift = pass * RADIX_BITS;
    let skip = false;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[base + d]!;
      if (c === n) skip = true;
      counts[base + d] = sum;
      sum += c;
    }
    if (skip || n === 0) continue;
    for (let i = 0; i < n; i++) {
      const k = srcK[i]!;
      const d = (k >>> shift) & RADIX_MASK;
      const at = counts[base + d]!++;
      dstK[at] = k;
      dstL[at] = srcL[i]!;
    }
    [srcK, dstK] = [dstK, srcK];
    [srcL, dstL] = [dstL, srcL];
  }
  return { keys: srcK, labs: srcL };
}

/**
 * erfc(x) for x >= 0, the Chebyshev fit of Numerical Recipes 3rd ed. §6.2.2 (`erfccheb`); relative error about
 * 1e-13 against scipy.special.erfc over [0, 26], so p-values keep their precision far into the tail.
 */
const ERFC_COF = [
  -1.3026537197817094, 0.6419697923564902, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4,
  3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6,
  1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10, -2.27365122e-10,
  9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15,
  -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
];

export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  const t = 2 / (2 + x);
  const ty = 4 * t - 2;
  let d = 0;
  let dd = 0;
  for (let j = ERFC_COF.length - 1; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + ERFC_COF[j]!;
    dd = tmp;
  }
  return t * Math.exp(-x * x + 0.5 * (ERFC_COF[0]! + ty * d) - dd);
}

/** Two-sided p-value of a standard normal z. */
export function twoSidedNormalP(z: number): number {
  if (!Number.isFinite(z)) return Number.isNaN(z) ? 1 : 0;
  if (z === 0) return 1; // the fit gives erfc(0) = 1 − 1e-16
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/**
 * z of the rank sum `rankSum` of a group of `n1` among `n` ranked values, with tie term Σ(t³ − t) over tie
 * groups; 0 when the variance is 0 (an empty group, or every value tied).
 */
export function rankSumZ(rankSum: number, n1: number, n: number, tieSum: number): number {
  const n2 = n - n1;
  if (n1 <= 0 || n2 <= 0) return 0;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieSum / (n * (n - 1)));
  if (!(variance > 0)) return 0;
  return (rankSum - (n1 * (n + 1)) / 2) / Math.sqrt(variance);
}

/** Benjamini–Hochberg adjusted p-values (as statsmodels `fdrcorrection`), same order as the input. */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  const m = p.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => p[a]! - p[b]! || a - b);
  const out = new Float64Array(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r]!;
    running = Math.min(running, (p[i]! * m) / (r + 1));
    out[i] = running;
  }
  return out;
}

/**
 * Marker genes of every cluster against all other cells. `x` is cells x genes on the log1p scale (raw or
 * imputed), `labels` the cluster of each cell (0..k−1; negative: unlabelled, left out).
 */
export async function findMarkers(
  x: DenseMatrix | TiledMatrix,
  labels: Int32Array,
  geneIds: readonly string[],
  options: MarkerOptions = {},
): Promise<ClusterMarkers[]> {
  const { rows: nRows, cols: nGenes } = x;
  if ('readTile' in x && x.tileCols % BLOCK !== 0)
    throw new RangeError(`tiles of ${x.tileCols} genes: markers read blocks of ${BLOCK}`);
  // Gene g0 + b of cell i is src[i * stride + offset + b]: the whole matrix, or the column block holding g0.
  let tile: { cb: number; data: Float32Array; c0: number; width: number } | null = null;
  const genesFrom = async (g0: number): Promise<{ src: Float32Array; stride: number; offset: number }> => {
    if (!('readTile' in x)) return { src: x.data, stride: nGenes, offset: g0 };
    const cb = Math.floor(g0 / x.tileCols);
    if (tile?.cb !== cb) {
      const [c0, c1] = colBlockRange(x, cb);
      tile = { cb, data: await readColBlock(x, cb), c0, width: c1 - c0 };
    }
    return { src: tile.data, stride: tile.width, offset: g0 - tile.c0 };
  };
  if (labels.length !== nRows) throw new RangeError(`${labels.length} labels for a matrix of ${nRows} cells`);
  if (geneIds.length !== nGenes)
    throw new RangeError(`${geneIds.length} gene ids for a matrix of ${nGenes} genes`);
  const topN = Math.max(0, Math.min(options.topN ?? 10, nGenes));
  const checkpointEvery = Math.max(1, options.checkpointEvery ?? 64);

  let maxLabel = -1;
  for (let i = 0; i < nRows; i++) maxLabel = Math.max(maxLabel, labels[i]!);
  const k = options.nClusters ?? maxLabel + 1;
  if (maxLabel >= k) throw new RangeError(`label ${maxLabel} but only ${k} clusters`);
  const clusterSize = new Float64Array(k);
  for (let i = 0; i < nRows; i++) if (labels[i]! >= 0) clusterSize[labels[i]!]!++;
  let n = 0;
  for (let c = 0; c < k; c++) n += clusterSize[c]!;

  // Per cluster x gene statistics (k·G doubles each: small).
  const zs = new Float64Array(k * nGenes);
  const ps = new Float64Array(k * nGenes);
  const lfc = new Float64Array(k * nGenes);
  const fracIn = new Float64Array(k * nGenes);
  const fracOut = new Float64Array(k * nGenes);

  // Working memory, O(cells): the labelled cells' rows and clusters, a block of gene columns (column-major,
  // with a view of its float bits), the sort keys and clusters of one gene's non-zero values with the radix
  // scratch, and per-cluster accumulators of one gene.
  const cellRow = new Int32Array(n);
  const cellLabel = new Int32Array(n);
  for (let i = 0, j = 0; i < nRows; i++) {
    if (labels[i]! < 0) continue;
    cellRow[j] = i;
    cellLabel[j++] = labels[i]!;
  }
  const block = new Float32Array(Math.min(BLOCK, nGenes) * n);
  const blockBits = new Uint32Array(block.buffer);
  const keysA = new Uint32Array(n);
  const labsA = new Int32Array(n);
  const keysB = new Uint32Array(n);
  const labsB = new Int32Array(n);
  const radixCounts = new Uint32Array(3 * RADIX);
  const expm1Sum = new Float64Array(k);
  const positive = new Float64Array(k);
  const nonzero = new Float64Array(k);
  const rankSum = new Float64Array(k);

  let sinceCheckpoint = 0;
  for (let g0 = 0; g0 < nGenes; g0 += BLOCK) {
    const nb = Math.min(BLOCK, nGenes - g0);
    const { src, stride, offset } = await genesFrom(g0);
    for (let j = 0; j < n; j++) {
      const rowStart = cellRow[j]! * stride + offset;
      for (let b = 0; b < nb; b++) block[b * n + j] = src[rowStart + b]!;
    }

    for (let b = 0; b < nb; b++) {
      const g = g0 + b;
      expm1Sum.fill(0);
      positive.fill(0);
      nonzero.fill(0);
      // The non-zero values as sort keys (positive: sign bit set; negative: bits inverted), with their cluster.
      let m = 0;
      for (let j = 0, at = b * n; j < n; j++, at++) {
        const v = block[at]!;
        if (v === 0) continue;
        const c = cellLabel[j]!;
        const u = blockBits[at]!;
        keysA[m] = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
        labsA[m++] = c;
        expm1Sum[c]! += Math.expm1(v);
        nonzero[c]!++;
        if (v > 0) positive[c]!++;
      }
      const sorted = radixSortPairs(keysA, labsA, keysB, labsB, m, radixCounts);
      const keys = sorted.keys;
      const labs = sorted.labs;

      // Walk the ranking once: average rank of each tie group, added to the rank sum of each member's cluster.
      rankSum.fill(0);
      const nZero = n - m;
      let tieSum = 0;
      let ranked = 0;
      let zerosDone = nZero === 0;
      const addZeros = (): void => {
        const r = ranked + (nZero + 1) / 2;
        for (let c = 0; c < k; c++) rankSum[c]! += r * (clusterSize[c]! - nonzero[c]!);
        tieSum += nZero * nZero * nZero - nZero;
        ranked += nZero;
        zerosDone = true;
      };
      let i = 0;
      while (i < m) {
        const key = keys[i]!;
        if (!zerosDone && key > ZERO_KEY) {
          addZeros();
          continue;
        }
        let j = i + 1;
        while (j < m && keys[j] === key) j++;
        const t = j - i;
        const r = ranked + (t + 1) / 2;
        for (let q = i; q < j; q++) rankSum[labs[q]!]! += r;
        if (t > 1) tieSum += t * t * t - t;
        ranked += t;
        i = j;
      }
      if (!zerosDone) addZeros();

      let totalExpm1 = 0;
      let totalPositive = 0;
      for (let c = 0; c < k; c++) {
        totalExpm1 += expm1Sum[c]!;
        totalPositive += positive[c]!;
      }
      for (let c = 0; c < k; c++) {
        const n1 = clusterSize[c]!;
        const n2 = n - n1;
        const at = c * nGenes + g;
        const z = rankSumZ(rankSum[c]!, n1, n, tieSum);
        zs[at] = z;
        ps[at] = twoSidedNormalP(z);
        const inSum = expm1Sum[c]!;
        const meanIn = n1 > 0 ? inSum / n1 : 0;
        const meanOut = n2 > 0 ? (totalExpm1 - inSum) / n2 : 0;
        lfc[at] = Math.log2((meanIn + 1e-9) / (meanOut + 1e-9));
        const posIn = positive[c]!;
        fracIn[at] = n1 > 0 ? posIn / n1 : 0;
        fracOut[at] = n2 > 0 ? (totalPositive - posIn) / n2 : 0;
      }
    }

    options.onProgress?.((g0 + nb) / nGenes);
    sinceCheckpoint += nb;
    if (options.checkpoint && sinceCheckpoint >= checkpointEvery) {
      sinceCheckpoint = 0;
      await options.checkpoint();
    }
  }

  const result: ClusterMarkers[] = [];
  for (let c = 0; c < k; c++) {
    const nCells = clusterSize[c]!;
    if (nCells === 0 || topN === 0) {
      result.push({ cluster: c, nCells, markers: [] });
      continue;
    }
    const off = c * nGenes;
    const adj = benjaminiHochberg(ps.subarray(off, off + nGenes));
    const order = Array.from({ length: nGenes }, (_, g) => g).sort(
      (a, b) => zs[off + b]! - zs[off + a]! || a - b,
    );
    const markers: MarkerGene[] = order.slice(0, topN).map((g) => ({
      geneIndex: g,
      gene: geneIds[g]!,
      log2FoldChange: lfc[off + g]!,
      z: zs[off + g]!,
      pValue: ps[off + g]!,
      pAdj: adj[g]!,
      fractionIn: fracIn[off + g]!,
      fractionOut: fracOut[off + g]!,
    }));
    result.push({ cluster: c, nCells, markers });
  }
  return result;
}
