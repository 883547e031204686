/**
 * Data for the imputation heatmap: a few genes (rows) by a bounded number of cells (columns), the same cells and
 * genes before and after imputation, cells grouped by cluster.
 *
 * Genes: given indices, or the union of the top marker genes of each cluster (in cluster order, then marker
 * rank; a gene already taken by an earlier cluster is not repeated; genes with z <= 0 are not markers and are
 * skipped), capped at `maxGenes`.
 *
 * Cells: grouped by cluster (cluster order, and by cell index within a cluster), cells with a negative label left
 * out. Above `maxCells` the cells are subsampled, proportionally to the cluster sizes (largest remainder), every
 * non-empty cluster keeping at least one cell when there is room, and deterministically: evenly spaced through
 * the cluster's cells (the j-th of t picked is the member at floor((j + 0.5) · size / t)).
 *
 * `before` and `after` may be just the columns of the shown genes (`heatmapColumns`, read from tiles a column
 * block at a time; `csrColumns`, from sparse counts), so neither matrix need be held whole.
 *
 * Values are copied into two small genes x cells arrays (row-major) with one shared range, so the two panels
 * use the same colour scale.
 */
import type { CsrMatrix } from '../matrix/csr.ts';
import type { DenseMatrix } from '../matrix/dense.ts';
import { colBlockCount, colBlockRange, readColBlock, type TiledMatrix } from '../matrix/tiles.ts';
import type { ClusterMarkers } from './markers.ts';

export interface HeatmapData {
  /** Gene ids of the rows, top to bottom. */
  readonly genes: string[];
  /** Columns of those genes in the input matrices. */
  readonly geneIndices: Int32Array;
  /** Cells of the columns, left to right (grouped by cluster). */
  readonly cellIndices: Int32Array;
  /** Cluster of each column. */
  readonly clusterOfCell: Int32Array;
  /** Before imputation, genes x cells, row-major. */
  readonly before: Float32Array;
  /** After imputation, genes x cells, row-major. */
  readonly after: Float32Array;
  /** Range of before and after together (0 and 0 when empty). */
  readonly min: number;
  readonly max: number;
  /** Labelled cells before subsampling. */
  readonly nCellsTotal: number;
}

export interface HeatmapOptions {
  /** Genes to show (takes precedence over `markers`). */
  geneIndices?: ArrayLike<number>;
  /** Marker tables to take the genes from. */
  markers?: readonly ClusterMarkers[];
  /** Top markers taken per cluster (default 5). */
  genesPerCluster?: number;
  /** At most this many genes (default 60). */
  maxGenes?: number;
  /** At most this many cells (default 2,000). */
  maxCells?: number;
}

/** Some columns of a rows x cols matrix, each whole (every row): gene index -> its values. */
export interface MatrixColumns {
  readonly rows: number;
  readonly cols: number;
  readonly columns: ReadonlyMap<number, Float32Array>;
}

/** The genes `heatmapData` shows for these options (given indices, or the marker union), capped. */
export function heatmapGenes(options: HeatmapOptions): number[] {
  const maxGenes = options.maxGenes ?? 60;
  if (options.geneIndices) return Array.from(options.geneIndices).slice(0, maxGenes);
  if (options.markers) return markerGeneUnion(options.markers, options.genesPerCluster ?? 5, maxGenes);
  throw new RangeError('heatmapData needs geneIndices or markers');
}

/** The columns `genes` of a tiled matrix, reading only the column blocks that hold them. */
export async function heatmapColumns(m: TiledMatrix, genes: readonly number[]): Promise<MatrixColumns> {
  const columns = new Map<number, Float32Array>();
  for (let cb = 0; cb < colBlockCount(m); cb++) {
    const [c0, c1] = colBlockRange(m, cb);
    const wanted = genes.filter((g) => g >= c0 && g < c1 && !columns.has(g));
    if (!wanted.length) continue;
    const block = await readColBlock(m, cb);
    const width = c1 - c0;
    for (const g of wanted) {
      const col = new Float32Array(m.rows);
      for (let i = 0; i < m.rows; i++) col[i] = block[i * width + g - c0]!;
      columns.set(g, col);
    }
  }
  return { rows: m.rows, cols: m.cols, columns };
}

/** The columns `genes` of a CSR matrix, each stored value v of row r read as value(r, v) (zeros elsewhere). */
export function csrColumns(
  m: CsrMatrix,
  genes: readonly number[],
  value: (r: number, v: number) => number,
): MatrixColumns {
  const columns = new Map<number, Float32Array>();
  for (const g of genes) if (!columns.has(g)) columns.set(g, new Float32Array(m.nRows));
  for (let r = 0; r < m.nRows; r++)
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const col = columns.get(m.indices[k]!);
      if (col) col[r] = value(r, m.values[k]!);
    }
  return { rows: m.nRows, cols: m.nCols, columns };
}

/** Union of the top `perCluster` up-regulated markers of each cluster, in cluster then rank order. */
export function markerGeneUnion(
  markers: readonly ClusterMarkers[],
  perCluster = 5,
  maxGenes = Number.POSITIVE_INFINITY,
): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (const cluster of markers) {
    let taken = 0;
    for (const m of cluster.markers) {
      if (taken >= perCluster || out.length >= maxGenes) break;
      if (!(m.z > 0)) break; // ranked by z: the rest are not up-regulated either
      taken++;
      if (seen.has(m.geneIndex)) continue;
      seen.add(m.geneIndex);
      out.push(m.geneIndex);
    }
  }
  return out;
}

/** Cells grouped by cluster and, above `maxCells`, subsampled proportionally and evenly spaced. */
export function groupAndSubsampleCells(
  labels: ArrayLike<number>,
  maxCells = 2000,
): { cellIndices: Int32Array; clusterOfCell: Int32Array; nCellsTotal: number } {
  let k = 0;
  for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i]! + 1);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0) members[labels[i]!]!.push(i);
  const nCellsTotal = members.reduce((s, m) => s + m.length, 0);
  const total = Math.max(0, Math.min(Math.floor(maxCells), nCellsTotal));

  const take = members.map((m) => m.length);
  if (total < nCellsTotal) {
    const quota = members.map((m) => (m.length * total) / nCellsTotal);
    for (let c = 0; c < k; c++) take[c] = Math.floor(quota[c]!);
    let left = total - take.reduce((s, t) => s + t, 0);
    const byRemainder = Array.from({ length: k }, (_, c) => c).sort(
      (a, b) => quota[b]! - take[b]! - (quota[a]! - take[a]!) || a - b,
    );
    for (const c of byRemainder) {
      if (left === 0) break;
      take[c]!++;
      left--;
    }
    // Every non-empty cluster visible, when there is room: move one cell from the largest share.
    const nonEmpty = members.filter((m) => m.length > 0).length;
    if (nonEmpty <= total) {
      for (let c = 0; c < k; c++) {
        if (members[c]!.length === 0 || take[c]! > 0) continue;
        let largest = 0;
        for (let d = 1; d < k; d++) if (take[d]! > take[largest]!) largest = d;
        take[largest]!--;
        take[c] = 1;
      }
    }
  }

  const cellIndices = new Int32Array(total);
  const clusterOfCell = new Int32Array(total);
  let at = 0;
  for (let c = 0; c < k; c++) {
    const m = members[c]!;
    const t = take[c]!;
    for (let j = 0; j < t; j++) {
      cellIndices[at] = t === m.length ? m[j]! : m[Math.floor(((j + 0.5) * m.length) / t)]!;
      clusterOfCell[at++] = c;
    }
  }
  return { cellIndices, clusterOfCell, nCellsTotal };
}

/**
 * The heatmap of `before` (input, log1p) and `after` (imputed) values, both cells x genes with the same shape,
 * for the genes of `options` and the cells of `labels`.
 */
export function heatmapData(
  before: DenseMatrix | MatrixColumns,
  after: DenseMatrix | MatrixColumns,
  labels: ArrayLike<number>,
  geneIds: readonly string[],
  options: HeatmapOptions = {},
): HeatmapData {
  if (before.rows !== after.rows || before.cols !== after.cols)
    throw new RangeError(
      `before is ${before.rows} x ${before.cols} but after is ${after.rows} x ${after.cols}`,
    );
  if (labels.length !== before.rows)
    throw new RangeError(`${labels.length} labels for a matrix of ${before.rows} cells`);
  if (geneIds.length !== before.cols)
    throw new RangeError(`${geneIds.length} gene ids for a matrix of ${before.cols} genes`);
  const genes = heatmapGenes(options);
  for (const g of genes)
    if (!Number.isInteger(g) || g < 0 || g >= before.cols)
      throw new RangeError(`gene index ${g} outside 0..${before.cols - 1}`);
  const column = (m: DenseMatrix | MatrixColumns, name: string, g: number): Float32Array | null => {
    if ('data' in m) return null;
    const col = m.columns.get(g);
    if (!col) throw new RangeError(`the columns of '${name}' lack gene ${g}`);
    return col;
  };

  const { cellIndices, clusterOfCell, nCellsTotal } = groupAndSubsampleCells(labels, options.maxCells);
  const nc = cellIndices.length;
  const outBefore = new Float32Array(genes.length * nc);
  const outAfter = new Float32Array(genes.length * nc);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const stride = before.cols;
  for (let r = 0; r < genes.length; r++) {
    const g = genes[r]!;
    const colBefore = column(before, 'before', g);
    const colAfter = column(after, 'after', g);
    for (let j = 0; j < nc; j++) {
      const at = cellIndices[j]! * stride + g;
      const b = colBefore ? colBefore[cellIndices[j]!]! : (before as DenseMatrix).data[at]!;
      const a = colAfter ? colAfter[cellIndices[j]!]! : (after as DenseMatrix).data[at]!;
      outBefore[r * nc + j] = b;
      outAfter[r * nc + j] = a;
      if (b < min) min = b;
      if (a < min) min = a;
      if (b > max) max = b;
      if (a > max) max = a;
    }
  }
  if (min > max) min = max = 0;
  return {
    genes: genes.map((g) => geneIds[g]!),
    geneIndices: Int32Array.from(genes),
    cellIndices,
    clusterOfCell,
    before: outBefore,
    after: outAfter,
    min,
    max,
    nCellsTotal,
  };
}
