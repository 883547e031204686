/**
 * Streaming writers for the pipeline's outputs, in the layouts the reference writes and Seurat/Scanpy users
 * expect (reference note §1.11):
 *   imputed matrix   genes x cells (default; cells x genes on request), first row cell ids, first column gene
 *                    ids, log1p scale
 *   embedding        cells x d, header `,embedding0,embedding1,…`
 *   graph edge list  `NodeA,NodeB,Weight` with cell ids, one row per undirected edge of the final cell graph
 *   labels           `cell,cluster`
 * Output goes to a `TextSink` in chunks of about 1 MB, so a 100,000 x 2,000 matrix is never one string.
 */
import type { CellGraph } from '../../core/graph/cell-graph.ts';
import type { DenseMatrix } from '../../core/matrix/dense.ts';
import {
  asTiles,
  colBlockCount,
  colBlockRange,
  readColBlock,
  readRowBlock,
  rowBlockCount,
  rowBlockRange,
  type TiledMatrix,
} from '../../core/matrix/tiles.ts';

/** Where CSV text goes: a file stream in Node, blob parts in the browser. */
export interface TextSink {
  write(chunk: string): void | Promise<void>;
}

const CHUNK_CHARS = 1 << 20;

/** Buffers small pieces and forwards ~1 MB chunks to the sink. */
class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly sink: TextSink) {}
  async push(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= CHUNK_CHARS) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.sink.write(chunk);
  }
}

/** Compact decimal: at most `digits` decimals, no trailing zeros, "0" for zero. */
export function formatNumber(v: number, digits = 4): string {
  if (v === 0 || !Number.isFinite(v)) return Number.isFinite(v) ? '0' : String(v);
  const scale = 10 ** digits;
  const r = Math.round(v * scale) / scale;
  return r === 0 ? '0' : String(r);
}

/** Quote a CSV field when it needs it. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export type MatrixLayout = 'genes-x-cells' | 'cells-x-genes';

/**
 * Write a cells x genes matrix as CSV in the requested layout, reading it in blocks: row blocks for cells x
 * genes, column blocks (every cell, a few dozen genes) for genes x cells. A TiledMatrix is never held whole.
 */
export async function writeMatrixCsv(
  sink: TextSink,
  matrix: DenseMatrix | TiledMatrix,
  cellIds: readonly string[],
  geneIds: readonly string[],
  layout: MatrixLayout = 'genes-x-cells',
  digits = 4,
): Promise<void> {
  const m = asTiles(matrix);
  if (m.rows !== cellIds.length || m.cols !== geneIds.length) {
    throw new RangeError(
      `matrix is ${m.rows} x ${m.cols} but there are ${cellIds.length} cells and ${geneIds.length} genes`,
    );
  }
  const w = new ChunkedWriter(sink);
  const byGenes = layout === 'genes-x-cells';
  const [rowIds, colIds] = byGenes ? [geneIds, cellIds] : [cellIds, geneIds];
  await w.push(',' + colIds.map(csvField).join(',') + '\n');
  const line: string[] = new Array<string>(colIds.length + 1);
  const blocks = byGenes ? colBlockCount(m) : rowBlockCount(m);
  for (let blk = 0; blk < blocks; blk++) {
    // A block of output lines: `width` lines of colIds.length values, read from `data` with these strides.
    const [start, end] = byGenes ? colBlockRange(m, blk) : rowBlockRange(m, blk);
    const data = byGenes ? await readColBlock(m, blk) : await readRowBlock(m, blk);
    const width = end - start;
    const [lineStride, valueStride] = byGenes ? [1, width] : [m.cols, 1];
    for (let r = 0; r < width; r++) {
      line[0] = csvField(rowIds[start + r]!);
      for (let c = 0; c < colIds.length; c++)
        line[c + 1] = formatNumber(data[r * lineStride + c * valueStride]!, digits);
      await w.push(line.join(',') + '\n');
    }
  }
  await w.flush();
}

/** Cells x d embedding with header `,embedding0,…`. */
export async function writeEmbeddingCsv(
  sink: TextSink,
  e: DenseMatrix,
  cellIds: readonly string[],
): Promise<void> {
  const header = Array.from({ length: e.cols }, (_, j) => `embedding${j}`);
  const w = new ChunkedWriter(sink);
  await w.push(',' + header.join(',') + '\n');
  for (let i = 0; i < e.rows; i++) {
    const row: string[] = [csvField(cellIds[i]!)];
    for (let j = 0; j < e.cols; j++) row.push(formatNumber(e.data[i * e.cols + j]!, 6));
    await w.push(row.join(',') + '\n');
  }
  await w.flush();
}

/** One row per undirected edge (i < j) of the cell graph, with cell ids. */
export async function writeEdgeListCsv(
  sink: TextSink,
  g: CellGraph,
  cellIds: readonly string[],
): Promise<void> {
  const w = new ChunkedWriter(sink);
  await w.push('NodeA,NodeB,Weight\n');
  for (let i = 0; i < g.nNodes; i++) {
    for (let k = g.indptr[i]!; k < g.indptr[i + 1]!; k++) {
      const j = g.indices[k]!;
      if (j > i)
        await w.push(`${csvField(cellIds[i]!)},${csvField(cellIds[j]!)},${formatNumber(g.weights[k]!, 6)}\n`);
    }
  }
  await w.flush();
}

/** `cell,cluster` with clusters numbered from 0. */
export async function writeLabelsCsv(
  sink: TextSink,
  labels: Int32Array,
  cellIds: readonly string[],
): Promise<void> {
  const w = new ChunkedWriter(sink);
  await w.push('cell,cluster\n');
  for (let i = 0; i < labels.length; i++) await w.push(`${csvField(cellIds[i]!)},${labels[i]}\n`);
  await w.flush();
}

/** `cell,umap1,umap2`: a 2-D layout (nCells x 2, row-major). */
export async function writeLayoutCsv(
  sink: TextSink,
  positions: Float32Array,
  cellIds: readonly string[],
): Promise<void> {
  if (positions.length !== cellIds.length * 2)
    throw new RangeError(`layout has ${positions.length / 2} points for ${cellIds.length} cells`);
  const w = new ChunkedWriter(sink);
  await w.push('cell,umap1,umap2\n');
  for (let i = 0; i < cellIds.length; i++)
    await w.push(
      `${csvField(cellIds[i]!)},${formatNumber(positions[2 * i]!, 5)},${formatNumber(positions[2 * i + 1]!, 5)}\n`,
    );
  await w.flush();
}

/**
 * A sink that turns every chunk into a Blob part at once (the browser keeps large blobs out of the JS heap),
 * so a 100,000 x 2,000 matrix is never held as strings.
 */
export function blobSink(type = 'text/csv'): TextSink & { blob(): Blob } {
  const parts: Blob[] = [];
  return {
    write: (s) => void parts.push(new Blob([s])),
    blob: () => new Blob(parts, { type }),
  };
}

/** A sink that collects the text (tests, small outputs). */
export function stringSink(): TextSink & { text(): string } {
  const parts: string[] = [];
  return { write: (s) => void parts.push(s), text: () => parts.join('') };
}
