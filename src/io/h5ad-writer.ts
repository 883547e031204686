/**
 * Write a finished run as one AnnData `.h5ad` file (bytes), with h5wasm, in Node and in the engine worker.
 *
 *   X                 imputed values (dense float32, cells x genes, log1p; from a dense matrix or from tiles read
 *                     in row blocks) or the raw counts (CSR float32)
 *   obs               index = cell ids; `cluster` (categorical "0".."k-1"); `label` (categorical) when uploaded
 *   var               index = gene names
 *   obsm              `X_scgnn` (the clustered embedding); `X_umap` when a layout exists
 *   obsp              `connectivities`: the final cell graph, symmetric CSR with the edge weights
 *   uns               `scgnn_manifest` (the run manifest as JSON) and a few scalars
 *   layers varm varp  empty
 *
 * Reference: the AnnData on-disk format for anndata >= 0.8 ("On-disk format" in the anndata docs): every element
 * carries `encoding-type` / `encoding-version` attributes; strings are variable-length UTF-8; a dataframe has
 * `_index` and `column-order`; a categorical has `categories`, `codes` (-1 = missing) and `ordered`. Deviations:
 * `ordered` is a uint8 scalar, since h5wasm cannot write the HDF5 enum that h5py uses for a numpy bool (anndata
 * >= 0.8.1 reads it with `bool()`; 0.8.0 alone refuses it), and large dense matrices are written in chunked row
 * blocks so that the WASM heap never holds a second copy of the whole matrix.
 *
 * `writeH5ad` builds the file in h5wasm's in-memory file system (MEMFS) and hands it to a sink in parts (the
 * MEMFS copy is removed); `writeH5adBytes` returns it as one array. X may be given as tiles (the imputed matrix kept outside the heap), written row block by row
 * block. (Writing straight to disk with h5wasm/node was tried: its peak memory was 600 MB higher.)
 */
import type { Dataset, File as H5File, Group } from 'h5wasm';
import type { CellGraph } from '../core/graph/cell-graph.ts';
import type { CsrMatrix } from '../core/matrix/csr.ts';
import type { DenseMatrix } from '../core/matrix/dense.ts';
import { readRowBlock, rowBlockCount, rowBlockRange, type TiledMatrix } from '../core/matrix/tiles.ts';

/** What `X` holds: the imputed values or the raw counts of the selected cells and genes. */
export type H5adX = 'imputed' | 'raw';

export interface H5adContent {
  readonly cellIds: readonly string[];
  readonly geneIds: readonly string[];
  /** Cells x genes: dense (imputed, log1p; held whole, or tiles read in row blocks) or sparse (raw counts). */
  readonly X:
    | { readonly kind: 'dense'; readonly matrix: DenseMatrix }
    | { readonly kind: 'tiles'; readonly matrix: TiledMatrix }
    | { readonly kind: 'csr'; readonly matrix: CsrMatrix };
  /** Cluster of each cell, 0..nClusters-1. */
  readonly clusters: Int32Array;
  /** Number of clusters (default: max label + 1). */
  readonly nClusters?: number;
  /** Uploaded labels of the cells: codes into `classes`, -1 = unlabelled. */
  readonly labels?: { readonly codes: Int32Array; readonly classes: readonly string[] } | null;
  /** The clustered embedding, cells x d. */
  readonly embedding: DenseMatrix;
  /** UMAP positions, cells x 2 row-major, where a layout exists. */
  readonly umap?: Float32Array | null;
  /** The final cell graph (symmetric). */
  readonly graph: CellGraph;
  /** Stored as the JSON string `uns/scgnn_manifest`. */
  readonly manifest: unknown;
  /** Extra scalars for `uns` (strings, or numbers: integers as int64, others as float64). */
  readonly uns?: Readonly<Record<string, string | number>>;
}

/** The parts of a finished run that go into its `.h5ad` (the CLI's result, or the worker's FinishedRun). */
export interface RunH5adParts {
  readonly cellIds: readonly string[];
  readonly geneIds: readonly string[];
  /** Imputed values, cells x genes, log1p scale: held whole, or tiles (written to X in row blocks). */
  readonly imputed: DenseMatrix | TiledMatrix;
  /** Raw counts of the selected cells and genes; needed only for `x: 'raw'`. */
  readonly rawCounts?: () => CsrMatrix;
  readonly clusters: Int32Array;
  readonly nClusters: number;
  readonly truth: H5adContent['labels'];
  readonly embedding: DenseMatrix;
  readonly umap: Float32Array | null;
  readonly graph: CellGraph;
  readonly manifest: { readonly seed: number };
}

/** The `.h5ad` content of a run, the same for the CLI and the page: X as chosen, `uns` scalars describing it. */
export function runH5adContent(parts: RunH5adParts, x: H5adX = 'imputed'): H5adContent {
  if (x === 'raw' && !parts.rawCounts) throw new RangeError('The raw counts are not available.');
  return {
    cellIds: parts.cellIds,
    geneIds: parts.geneIds,
    X:
      x === 'raw'
        ? { kind: 'csr', matrix: parts.rawCounts!() }
        : 'readTile' in parts.imputed
          ? { kind: 'tiles', matrix: parts.imputed }
          : { kind: 'dense', matrix: parts.imputed },
    clusters: parts.clusters,
    nClusters: parts.nClusters,
    labels: parts.truth,
    embedding: parts.embedding,
    umap: parts.umap,
    graph: parts.graph,
    manifest: parts.manifest,
    uns: {
      scgnn_x: x === 'raw' ? 'raw counts' : 'imputed, ln(1 + x)',
      scgnn_n_clusters: parts.nClusters,
      scgnn_seed: parts.manifest.seed,
    },
  };
}

/** Just what we use of the Emscripten FS object. */
interface EmFS {
  mkdir(path: string): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  stat(path: string): { size: number };
  open(path: string, flags: string): EmStream;
  read(stream: EmStream, buffer: Uint8Array, offset: number, length: number, position: number): number;
  close(stream: EmStream): void;
}

type EmStream = object;

/** Bytes handed to the sink at a time when the file is read out of MEMFS (`writeH5ad`). */
export const H5AD_PART_BYTES = 64 << 20;

/** Values per block of a dense matrix written at once (4 MB of float32). */
const BLOCK_VALUES = 1 << 20;

let counter = 0;

function setEncoding(node: Group | Dataset, type: string, version: string): void {
  node.create_attribute('encoding-type', type);
  node.create_attribute('encoding-version', version);
}

function stringArray(g: Group, name: string, values: readonly string[]): void {
  const d = g.create_dataset({ name, data: [...values], shape: [values.length] });
  setEncoding(d, 'string-array', '0.2.0');
}

function dict(g: Group, name: string): Group {
  const d = g.create_group(name);
  setEncoding(d, 'dict', '0.1.0');
  return d;
}

/** A dense float32 rows x cols array; large ones in chunked row blocks. */
function denseArray(g: Group, name: string, data: Float32Array, rows: number, cols: number): void {
  if (data.length !== rows * cols)
    throw new RangeError(`${name}: ${data.length} values for ${rows} x ${cols}`);
  if (data.length <= BLOCK_VALUES || cols === 0) {
    setEncoding(g.create_dataset({ name, data, shape: [rows, cols] }), 'array', '0.2.0');
    return;
  }
  const blockRows = Math.max(1, Math.floor(BLOCK_VALUES / cols));
  const d = chunkedDataset(g, name, rows, cols);
  for (let r = 0; r < rows; r += blockRows) {
    const end = Math.min(rows, r + blockRows);
    d.write_slice(
      [
        [r, end],
        [0, cols],
      ],
      data.subarray(r * cols, end * cols),
    );
  }
  setEncoding(d, 'array', '0.2.0');
}

/** An empty rows x cols float32 dataset in chunks of about 1 MB (whole rows), to be written by row slices. */
function chunkedDataset(g: Group, name: string, rows: number, cols: number) {
  const chunkRows = Math.max(1, Math.min(rows, Math.floor((1 << 18) / cols)));
  const d = g.create_dataset({
    name,
    data: new Float32Array(0),
    shape: [0, cols],
    maxshape: [rows, cols],
    chunks: [chunkRows, cols],
  });
  d.resize([rows, cols]);
  return d;
}

/**
 * A dense float32 matrix read from tiles, row block by row block: the same dataset as `denseArray` writes for
 * the whole matrix (contiguous when small, otherwise the same chunks), with at most one row block held.
 */
async function tiledArray(g: Group, name: string, m: TiledMatrix): Promise<void> {
  const { rows, cols } = m;
  if (rows * cols <= BLOCK_VALUES || cols === 0) {
    const data = new Float32Array(rows * cols);
    for (let rb = 0; rb < rowBlockCount(m); rb++)
      data.set(await readRowBlock(m, rb), rowBlockRange(m, rb)[0] * cols);
    denseArray(g, name, data, rows, cols);
    return;
  }
  const d = chunkedDataset(g, name, rows, cols);
  for (let rb = 0; rb < rowBlockCount(m); rb++) {
    const [r0, r1] = rowBlockRange(m, rb);
    d.write_slice(
      [
        [r0, r1],
        [0, cols],
      ],
      await readRowBlock(m, rb),
    );
  }
  setEncoding(d, 'array', '0.2.0');
}

/** Row pointers as int32 (int64 past 2^31 - 1 entries), as scipy expects them. */
function indexArray(a: Uint32Array | Int32Array): Int32Array | BigInt64Array {
  const total = a.length ? a[a.length - 1]! : 0;
  return total > 0x7fffffff ? BigInt64Array.from(a, (v) => BigInt(v)) : Int32Array.from(a);
}

function csrMatrix(
  g: Group,
  name: string,
  m: { nRows: number; nCols: number; indptr: Uint32Array; indices: Int32Array; values: Float32Array },
): void {
  const s = g.create_group(name);
  setEncoding(s, 'csr_matrix', '0.1.0');
  s.create_attribute('shape', new BigInt64Array([BigInt(m.nRows), BigInt(m.nCols)]));
  const nnz = m.indptr[m.nRows] ?? 0;
  s.create_dataset({ name: 'data', data: m.values.subarray(0, nnz), shape: [nnz] });
  s.create_dataset({ name: 'indices', data: m.indices.subarray(0, nnz), shape: [nnz] });
  s.create_dataset({ name: 'indptr', data: indexArray(m.indptr), shape: [m.nRows + 1] });
}

/** Smallest signed integer array that holds codes 0..n-1 and -1 (as pandas and anndata write them). */
function codesArray(codes: Int32Array, nCategories: number): Int8Array | Int16Array | Int32Array {
  if (nCategories < 0x80) return Int8Array.from(codes);
  if (nCategories < 0x8000) return Int16Array.from(codes);
  return codes;
}

function categorical(g: Group, name: string, codes: Int32Array, categories: readonly string[]): void {
  const c = g.create_group(name);
  setEncoding(c, 'categorical', '0.2.0');
  c.create_attribute('ordered', new Uint8Array([0]), []);
  stringArray(c, 'categories', categories);
  const d = c.create_dataset({
    name: 'codes',
    data: codesArray(codes, categories.length),
    shape: [codes.length],
  });
  setEncoding(d, 'array', '0.2.0');
}

function dataframe(
  root: H5File,
  name: string,
  index: readonly string[],
  columns: (g: Group) => string[],
): void {
  const g = root.create_group(name);
  setEncoding(g, 'dataframe', '0.2.0');
  g.create_attribute('_index', '_index');
  stringArray(g, '_index', index);
  const order = columns(g);
  // An empty column list is an empty float64 array, as h5py stores an empty Python list.
  if (order.length) g.create_attribute('column-order', order, [order.length]);
  else g.create_attribute('column-order', new Float64Array(0), [0]);
}

function unsValue(g: Group, name: string, value: string | number): void {
  if (typeof value === 'string') {
    setEncoding(g.create_dataset({ name, data: value }), 'string', '0.2.0');
    return;
  }
  const data = Number.isInteger(value) ? new BigInt64Array([BigInt(value)]) : new Float64Array([value]);
  setEncoding(g.create_dataset({ name, data, shape: [] }), 'numeric-scalar', '0.2.0');
}

function checkShapes(c: H5adContent): void {
  const n = c.cellIds.length;
  const [rows, cols] =
    c.X.kind === 'csr' ? [c.X.matrix.nRows, c.X.matrix.nCols] : [c.X.matrix.rows, c.X.matrix.cols];
  const problems: string[] = [];
  if (rows !== n || cols !== c.geneIds.length)
    problems.push(`X is ${rows} x ${cols} for ${n} cells and ${c.geneIds.length} genes`);
  if (c.clusters.length !== n) problems.push(`${c.clusters.length} cluster labels`);
  if (c.labels && c.labels.codes.length !== n) problems.push(`${c.labels.codes.length} uploaded labels`);
  if (c.embedding.rows !== n) problems.push(`an embedding of ${c.embedding.rows} rows`);
  if (c.umap && c.umap.length !== 2 * n) problems.push(`${c.umap.length / 2} UMAP points`);
  if (c.graph.nNodes !== n) problems.push(`a graph of ${c.graph.nNodes} nodes`);
  if (problems.length) throw new RangeError(`h5ad for ${n} cells: ${problems.join(', ')}.`);
}

async function writeContent(f: H5File, c: H5adContent): Promise<void> {
  setEncoding(f, 'anndata', '0.1.0');
  const n = c.cellIds.length;
  if (c.X.kind === 'dense') denseArray(f, 'X', c.X.matrix.data, c.X.matrix.rows, c.X.matrix.cols);
  else if (c.X.kind === 'tiles') await tiledArray(f, 'X', c.X.matrix);
  else csrMatrix(f, 'X', c.X.matrix);

  const nClusters = c.nClusters ?? c.clusters.reduce((m, v) => Math.max(m, v + 1), 0);
  dataframe(f, 'obs', c.cellIds, (g) => {
    const categories = Array.from({ length: nClusters }, (_, k) => String(k));
    categorical(g, 'cluster', c.clusters, categories);
    if (!c.labels) return ['cluster'];
    categorical(g, 'label', c.labels.codes, c.labels.classes);
    return ['cluster', 'label'];
  });
  dataframe(f, 'var', c.geneIds, () => []);

  const obsm = dict(f, 'obsm');
  denseArray(obsm, 'X_scgnn', c.embedding.data, n, c.embedding.cols);
  if (c.umap) denseArray(obsm, 'X_umap', c.umap, n, 2);
  const obsp = dict(f, 'obsp');
  const g = c.graph;
  csrMatrix(obsp, 'connectivities', {
    nRows: n,
    nCols: n,
    indptr: g.indptr,
    indices: g.indices,
    values: g.weights,
  });

  const uns = dict(f, 'uns');
  unsValue(uns, 'scgnn_manifest', JSON.stringify(c.manifest));
  for (const [k, v] of Object.entries(c.uns ?? {})) unsValue(uns, k, v);
  for (const name of ['layers', 'varm', 'varp']) dict(f, name);
}

/** The run as `.h5ad` bytes, in one array (tests, small runs). */
export async function writeH5adBytes(content: H5adContent): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = [];
  await writeH5ad(content, (part) => {
    parts.push(part);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The run as `.h5ad`, handed to `sink` in parts of at most `partBytes`, in order. The file is built in MEMFS,
 * then read out a part at a time: a sink that lets each part go (a Blob chain in the worker, a file in the
 * CLI) keeps the peak at the file plus one part instead of the file twice (at 100,000 cells x 2,000 genes the
 * file alone is over 800 MB).
 */
export async function writeH5ad(
  content: H5adContent,
  sink: (part: Uint8Array<ArrayBuffer>) => void | Promise<void>,
  partBytes = H5AD_PART_BYTES,
): Promise<void> {
  checkShapes(content);
  const mod = await import('h5wasm');
  const FS = (await mod.ready).FS as unknown as EmFS;
  const dir = `/scgnn-h5ad-out-${++counter}`;
  const path = `${dir}/results.h5ad`;
  FS.mkdir(dir);
  try {
    const f = new mod.File(path, 'w');
    try {
      await writeContent(f, content);
    } finally {
      f.close();
    }
    const size = FS.stat(path).size;
    const stream = FS.open(path, 'r');
    try {
      for (let at = 0; at < size; at += partBytes) {
        const part = new Uint8Array(Math.min(partBytes, size - at));
        let got = 0;
        while (got < part.length) {
          const n = FS.read(stream, part, got, part.length - got, at + got);
          if (n <= 0) throw new Error(`The .h5ad could not be read back at byte ${at + got} of ${size}.`);
          got += n;
        }
        await sink(part);
      }
    } finally {
      FS.close(stream);
    }
  } finally {
    try {
      FS.unlink(path);
    } catch {
      // Not created (the file failed to open).
    }
    FS.rmdir(dir);
  }
}
