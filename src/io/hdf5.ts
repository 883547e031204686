/**
 * HDF5 loaders: 10x Genomics HDF5 (Cell Ranger v2 and v3) and AnnData `.h5ad`, detected from the layout.
 *
 * - 10x v3: `/matrix/{barcodes,data,indices,indptr,shape}` and `/matrix/features/{id,name,feature_type}`.
 * - 10x v2: one group per genome (`/hg19/{barcodes,data,indices,indptr,shape,genes,gene_names}`).
 * - h5ad: `/X` (dense 2-D dataset, or a CSR/CSC group), `/obs` and `/var` with their `_index`.
 *
 * 10x stores CSC with one column per cell, which is exactly CSR with rows = cells, so the arrays are read
 * (in blocks, converted straight into the final typed arrays) without any transposition. Rows are then sorted
 * by gene, because Cell Ranger writes indices in descending order. Dense h5ad X is read in row blocks so a
 * dense matrix never exists whole in JS memory. Every numeric read is preceded by a memory-budget check made
 * from the dataset shapes.
 */
import type { Dataset, Group } from 'h5wasm';
import type { DatasetFormat, LoadedDataset } from '../core/dataset.ts';
import { CsrBuilder, sortMergeRow, transposeCsr, type CsrMatrix } from '../core/matrix/csr.ts';
import { InputError, formatBytes, isInputError } from './errors.ts';
import { openH5, type H5File } from './h5-open.ts';
import { readSlice, type InputFile } from './input-file.ts';
import { DEFAULT_MEMORY_BUDGET_BYTES, type LoadOptions } from './load-types.ts';

/** Elements per block when streaming a numeric dataset out of HDF5. */
const BLOCK = 1 << 20;
/** Target elements per row block of a dense X. */
const DENSE_BLOCK = 1 << 22;
const GENE_EXPRESSION = 'Gene Expression';
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

const SUPPORTED_LAYOUTS =
  '10x HDF5 v3 (/matrix with barcodes, data, indices, indptr, shape and features/id, features/name), ' +
  '10x HDF5 v2 (/<genome> with barcodes, data, indices, indptr, shape, genes, gene_names) and ' +
  'AnnData .h5ad (/X as a dense dataset or csr_matrix/csc_matrix group, /obs and /var with an index)';

interface Ctx {
  readonly file: InputFile;
  readonly h5: H5File;
  readonly budget: number;
  readonly opts: LoadOptions;
  readonly warnings: string[];
}

/** A sparse matrix read from the file, rows = the compressed axis. */
interface Compressed {
  readonly matrix: CsrMatrix;
  readonly integerValued: boolean;
}

type Entity = ReturnType<H5File['get']>;

const isDataset = (e: Entity): e is Dataset => (e as { type?: string } | null)?.type === 'Dataset';
const isGroup = (e: Entity): e is Group => (e as { type?: string } | null)?.type === 'Group';

// ---------------------------------------------------------------------------------------------------------
// Entry point

export async function loadHdf5(file: InputFile, opts: LoadOptions = {}): Promise<LoadedDataset> {
  if (opts.signal?.aborted) throw new InputError('cancelled', file.name, 'loading was cancelled');
  const superblock = await assertHdf5(file);
  const damaged = await superblockProblem(file, superblock);
  if (damaged) throw new InputError('corrupt-file', file.name, `${damaged}. ${REEXPORT}`);
  opts.onProgress?.({ file: file.name, fraction: 0, message: 'opening HDF5 file' });
  let handle;
  try {
    handle = await openH5(file);
  } catch {
    throw new InputError(
      'corrupt-file',
      file.name,
      `the file has an HDF5 signature but HDF5 could not open it: it is truncated or damaged. ${REEXPORT}`,
    );
  }
  try {
    const ctx: Ctx = {
      file,
      h5: handle.h5,
      budget: opts.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES,
      opts,
      warnings: [],
    };
    const h5 = handle.h5;
    const top = h5.keys();
    let result: Omit<LoadedDataset, 'name' | 'sourceFiles' | 'orientation' | 'warnings'>;
    if (is10xGroup(h5, 'matrix', 'v3')) result = read10x(ctx, ['matrix'], 'h5-10x-v3');
    else {
      const genomes = top.filter((k) => is10xGroup(h5, k, 'v2'));
      if (genomes.length > 0) result = read10x(ctx, genomes, 'h5-10x-v2');
      else if (top.includes('X') && top.includes('obs') && top.includes('var')) result = readH5ad(ctx);
      else {
        const found = top.map((k) => `${k}${isGroup(h5.get(k)) ? '/' : ''}`).join(', ') || 'nothing';
        throw new InputError(
          'unsupported-hdf5',
          file.name,
          `no supported layout found; the top level holds: ${found}. Supported: ${SUPPORTED_LAYOUTS}`,
        );
      }
    }
    opts.onProgress?.({ file: file.name, fraction: 1, message: 'done' });
    return {
      ...result,
      name: file.name,
      sourceFiles: [file.relativePath],
      orientation: null,
      warnings: ctx.warnings,
    };
  } catch (e) {
    // h5wasm reports a damaged object as a bare Error ("error - name not defined!"); our own mistakes would
    // be TypeErrors, and allocation failures RangeErrors (turned into "too large" by loadDataset).
    if (isInputError(e) || e instanceof TypeError || e instanceof RangeError || !(e instanceof Error))
      throw e;
    throw new InputError(
      'corrupt-file',
      file.name,
      `HDF5 could not read part of this file: it is truncated or damaged. ${REEXPORT}`,
    );
  } finally {
    handle.close();
  }
}

const REEXPORT = 'Copy or export it again (e.g. with scanpy or Cell Ranger) and load the new file';

/**
 * Refuse non-HDF5 bytes before h5wasm sees them (its errors are cryptic). The superblock may sit after a user
 * block. Returns the superblock's offset.
 */
async function assertHdf5(file: InputFile): Promise<number> {
  if (file.blob.size === 0) throw new InputError('empty-file', file.name, 'the file is empty');
  for (let off = 0; off === 0 || off + 8 <= file.blob.size; off = off === 0 ? 512 : off * 2) {
    const head = await readSlice(file, off, 8);
    if (head.length === 8 && HDF5_MAGIC.every((b, i) => head[i] === b)) return off;
    if (off >= 1 << 20) break;
  }
  const kind = /\.h5ad$/i.test(file.name) ? 'AnnData (.h5ad)' : '10x HDF5 (.h5)';
  throw new InputError(
    'unknown-format',
    file.name,
    `this is not an HDF5 file (no HDF5 signature), although its name says ${kind}. Load the HDF5 file ` +
      'itself; if this is a CSV or TSV matrix, rename it to end in .csv or .tsv',
  );
}

/**
 * Sanity of the superblock (HDF5 format spec, II.A): its version, the sizes of offsets and lengths, and the
 * end-of-file address against the bytes present. A damaged or truncated file is explained here: h5wasm would
 * fail with "name not defined" and print HDF5's error stack on stderr.
 */
async function superblockProblem(file: InputFile, at: number): Promise<string | null> {
  const sb = await readSlice(file, at, 64);
  const version = sb[8];
  if (version === undefined || version > 3) return 'the HDF5 superblock is damaged (unknown version)';
  const [offsets, lengths, base] =
    version < 2 ? [sb[13], sb[14], version === 0 ? 24 : 28] : [sb[9], sb[10], 12];
  const sizes = [2, 4, 8];
  if (!sizes.includes(offsets ?? 0) || !sizes.includes(lengths ?? 0))
    return 'the HDF5 superblock is damaged (invalid field sizes)';
  // Addresses: base, then free-space (v0/1) or extension (v2/3), then the end-of-file address.
  const eofAt = base + 2 * offsets!;
  if (sb.length < eofAt + offsets!) return 'the file is truncated (it ends inside the HDF5 superblock)';
  let eof = 0n;
  for (let i = offsets! - 1; i >= 0; i--) eof = (eof << 8n) | BigInt(sb[eofAt + i]!);
  const undefinedAddress = (1n << BigInt(8 * offsets!)) - 1n;
  // The address is relative to the base address, so `eof` never exceeds the size of an intact file.
  if (eof !== undefinedAddress && eof > BigInt(file.blob.size)) {
    return (
      `the file is truncated: HDF5 says it holds ${formatBytes(Number(eof))} but only ` +
      `${formatBytes(file.blob.size)} are present (an interrupted download or copy?)`
    );
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Small HDF5 helpers

function is10xGroup(h5: H5File, path: string, version: 'v2' | 'v3'): boolean {
  const g = h5.get(path);
  if (!isGroup(g)) return false;
  const keys = new Set(g.keys());
  const base = ['barcodes', 'data', 'indices', 'indptr', 'shape'].every((k) => keys.has(k));
  return base && (version === 'v3' ? keys.has('features') : keys.has('genes'));
}

function requireDataset(ctx: Ctx, path: string): Dataset {
  const e = ctx.h5.get(path);
  if (!isDataset(e)) {
    throw new InputError('unsupported-hdf5', ctx.file.name, `expected a dataset at /${path}`, {
      field: path,
    });
  }
  return e;
}

/** First dimension of a dataset (its length for 1-D). */
function length1d(ds: Dataset): number {
  const shape = ds.shape ?? [];
  return shape.length === 0 ? 1 : shape[0]!;
}

function toText(v: unknown): string {
  if (typeof v === 'string') return v.replace(/\0+$/, '');
  if (v instanceof Uint8Array) return new TextDecoder().decode(v).replace(/\0+$/, '');
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  return String(v);
}

/**
 * Read a string dataset. 10x writes fixed-length byte strings (e.g. `|S18`), AnnData variable-length UTF-8;
 * h5wasm returns a string, an array of strings or byte arrays depending on type and shape.
 */
function readStrings(ctx: Ctx, path: string): string[] {
  const ds = requireDataset(ctx, path);
  const v = ds.value;
  if (Array.isArray(v)) return v.map(toText);
  if (v === null) return [];
  if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array && ds.metadata.type === 3)) {
    return Array.from(v as unknown as ArrayLike<number | bigint>, toText);
  }
  return [toText(v)];
}

function attrText(obj: Group | Dataset, name: string): string | null {
  const a = obj.attrs[name];
  if (!a) return null;
  const v = a.value;
  if (Array.isArray(v)) return v.length ? toText(v[0]) : null;
  return v === null ? null : toText(v);
}

function attrNumbers(obj: Group | Dataset, name: string): number[] | null {
  const a = obj.attrs[name];
  if (!a) return null;
  const v = a.value;
  if (v === null) return null;
  if (Array.isArray(v)) return v.map((x) => Number(x));
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, Number);
  return [Number(v)];
}

function checkUnique(ctx: Ctx, ids: string[], path: string, what: string): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    const prev = seen.get(ids[i]!);
    if (prev !== undefined) {
      throw new InputError(
        'duplicate-id',
        ctx.file.name,
        `${what} "${ids[i]}" appears twice (entries ${prev + 1} and ${i + 1})`,
        { field: path },
      );
    }
    seen.set(ids[i]!, i);
  }
}

function checkBudget(ctx: Ctx, bytes: number, what: string, field: string): void {
  if (bytes > ctx.budget) {
    throw new InputError(
      'too-large',
      ctx.file.name,
      `${what} needs about ${formatBytes(bytes)} to load, more than the memory budget of ${formatBytes(ctx.budget)}`,
      { field },
    );
  }
}

function checkCancelled(ctx: Ctx): void {
  if (ctx.opts.signal?.aborted) throw new InputError('cancelled', ctx.file.name, 'loading was cancelled');
}

/** Stream a 1-D numeric dataset in blocks; int64 blocks (BigInt64Array) are converted to numbers. */
function forEachBlock(ds: Dataset, n: number, fn: (block: ArrayLike<number>, offset: number) => void): void {
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    const raw = ds.slice([[start, end]]);
    fn(toNumbers(raw), start);
  }
}

function toNumbers(raw: unknown): ArrayLike<number> {
  if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) {
    const out = new Float64Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = Number(raw[i]!);
    return out;
  }
  if (ArrayBuffer.isView(raw)) return raw as unknown as ArrayLike<number>;
  if (Array.isArray(raw)) return raw.map((x) => (typeof x === 'boolean' ? (x ? 1 : 0) : Number(x)));
  if (typeof raw === 'number' || typeof raw === 'bigint') return [Number(raw)];
  throw new Error(`unexpected HDF5 data of type ${typeof raw}`);
}

function isNumericDataset(ds: Dataset): boolean {
  const t = ds.metadata.type;
  return t === 0 || t === 1; // H5T_INTEGER, H5T_FLOAT
}

// ---------------------------------------------------------------------------------------------------------
// Compressed sparse (CSR/CSC) reading, shared by 10x and h5ad

interface CompressedSpec {
  /** Group path holding data/indices/indptr ('' for the root). */
  readonly base: string;
  readonly nMajor: number;
  readonly nMinor: number;
  /** Maps a minor index to its output column, or -1 to drop it; null keeps all. */
  readonly minorMap: Int32Array | null;
  readonly nMinorOut: number;
  /** Extra bytes beyond the CSR arrays the caller will need (e.g. a transpose). */
  readonly extraBytesPerEntry: number;
  /** Describe entry (major, minor) for error messages, e.g. 'cell "AAAC-1", gene "CD3E"'. */
  readonly describe: (major: number, minor: number) => string;
  readonly progress: [number, number];
}

function readCompressed(ctx: Ctx, spec: CompressedSpec): Compressed {
  const p = (name: string): string => (spec.base ? `${spec.base}/${name}` : name);
  const name = ctx.file.name;
  const dataDs = requireDataset(ctx, p('data'));
  const indicesDs = requireDataset(ctx, p('indices'));
  const indptrDs = requireDataset(ctx, p('indptr'));
  for (const ds of [dataDs, indicesDs, indptrDs]) {
    if (!isNumericDataset(ds) || (ds.shape?.length ?? 0) !== 1) {
      throw new InputError(
        'unsupported-hdf5',
        name,
        `/${ds.path.replace(/^\//, '')} is not a 1-D numeric dataset`,
        {
          field: ds.path.replace(/^\//, ''),
        },
      );
    }
  }
  const nnz = length1d(dataDs);
  const { nMajor, nMinor } = spec;
  if (length1d(indptrDs) !== nMajor + 1) {
    throw new InputError(
      'dimension-mismatch',
      name,
      `${p('indptr')} has ${length1d(indptrDs)} entries but the shape needs ${nMajor} + 1 = ${nMajor + 1}`,
      { field: p('indptr') },
    );
  }
  if (length1d(indicesDs) !== nnz) {
    throw new InputError(
      'dimension-mismatch',
      name,
      `${p('indices')} has ${length1d(indicesDs)} entries but ${p('data')} has ${nnz}`,
      { field: p('indices') },
    );
  }
  checkBudget(
    ctx,
    // CSR arrays + indptr (float64 while read, uint32 kept) + one block of raw int64/float64 in flight.
    nnz * (8 + spec.extraBytesPerEntry) + (nMajor + 1) * 12 + Math.min(nnz, BLOCK) * 16,
    `${nnz} stored values (${spec.nMajor} x ${spec.nMinor})`,
    p('data'),
  );

  // indptr (one per cell; small next to the entries): must run 0 .. nnz without decreasing.
  const ptr = new Float64Array(nMajor + 1);
  forEachBlock(indptrDs, nMajor + 1, (b, off) => ptr.set(b, off));
  if (ptr[0] !== 0 || ptr[nMajor] !== nnz) {
    throw new InputError(
      'dimension-mismatch',
      name,
      `${p('indptr')} must start at 0 and end at the number of stored values (${nnz}); ` +
        `it runs from ${ptr[0]} to ${ptr[nMajor]}`,
      { field: p('indptr') },
    );
  }
  for (let r = 0; r < nMajor; r++) {
    if (ptr[r + 1]! < ptr[r]!) {
      throw new InputError('dimension-mismatch', name, `${p('indptr')} decreases at position ${r + 1}`, {
        field: p('indptr'),
      });
    }
  }
  const majorOf = (k: number): number => {
    let lo = 0;
    let hi = nMajor - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (ptr[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const [p0, p1] = spec.progress;
  forEachBlock(indicesDs, nnz, (b, off) => {
    checkCancelled(ctx);
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (!(c >= 0 && c < nMinor) || !Number.isInteger(c)) {
        throw new InputError(
          'dimension-mismatch',
          name,
          `${p('indices')}[${off + i}] = ${c} is outside 0..${nMinor - 1} (row ${majorOf(off + i)})`,
          { field: p('indices') },
        );
      }
      indices[off + i] = c;
    }
    ctx.opts.onProgress?.({
      file: name,
      fraction: p0 + ((p1 - p0) * (off + b.length)) / (2 * nnz),
      message: 'reading indices',
    });
  });
  let integerValued = true;
  forEachBlock(dataDs, nnz, (b, off) => {
    checkCancelled(ctx);
    for (let i = 0; i < b.length; i++) {
      const v = b[i]!;
      if (!Number.isFinite(v) || v < 0) {
        const k = off + i;
        const where = spec.describe(majorOf(k), indices[k]!);
        throw new InputError(
          Number.isFinite(v) ? 'negative-value' : 'non-finite',
          name,
          `${p('data')}[${k}] = ${v} at ${where}; values must be finite and >= 0`,
          { field: p('data') },
        );
      }
      if (integerValued && !Number.isInteger(v)) integerValued = false;
      values[off + i] = v;
    }
    ctx.opts.onProgress?.({
      file: name,
      fraction: p0 + ((p1 - p0) * (nnz + off + b.length)) / (2 * nnz || 1),
      message: 'reading values',
    });
  });
  return { matrix: normalizeRows(ptr, indices, values, spec.minorMap, spec.nMinorOut), integerValued };
}

/**
 * In place: map columns (dropping -1), then sort each row by column and sum duplicate columns
 * (`sortMergeRow`; Cell Ranger writes each cell's genes in descending order), compacting the arrays.
 */
function normalizeRows(
  ptr: ArrayLike<number>,
  indices: Int32Array,
  values: Float32Array,
  map: Int32Array | null,
  nCols: number,
): CsrMatrix {
  const nRows = ptr.length - 1;
  const indptr = new Uint32Array(nRows + 1);
  let out = 0;
  for (let r = 0; r < nRows; r++) {
    const start = out;
    for (let k = ptr[r]!; k < ptr[r + 1]!; k++) {
      const c = map ? map[indices[k]!]! : indices[k]!;
      if (c < 0) continue;
      indices[out] = c;
      values[out] = values[k]!;
      out++;
    }
    out = sortMergeRow(indices, values, start, out, start);
    indptr[r + 1] = out;
  }
  const total = indices.length;
  return {
    nRows,
    nCols,
    indptr,
    // Only copy when entries were dropped or merged; otherwise hand over the arrays as they are.
    indices: out === total ? indices : indices.slice(0, out),
    values: out === total ? values : values.slice(0, out),
  };
}

// ---------------------------------------------------------------------------------------------------------
// 10x Genomics HDF5

interface TenxPart {
  genome: string;
  barcodes: string[];
  geneIds: string[];
  geneSymbols: string[];
  counts: Compressed;
}

function read10xShape(ctx: Ctx, path: string): [number, number] {
  const shape = toNumbers(requireDataset(ctx, path).value);
  if (shape.length !== 2) {
    throw new InputError('unsupported-hdf5', ctx.file.name, `${path} should hold [genes, cells]`, {
      field: path,
    });
  }
  return [shape[0]!, shape[1]!];
}

function read10xGroup(ctx: Ctx, g: string, v3: boolean, progress: [number, number]): TenxPart {
  const name = ctx.file.name;
  const [nFeatures, nCells] = read10xShape(ctx, `${g}/shape`);
  const barcodes = readStrings(ctx, `${g}/barcodes`);
  if (barcodes.length !== nCells) {
    throw new InputError(
      'dimension-mismatch',
      name,
      `${g}/barcodes has ${barcodes.length} entries but ${g}/shape says ${nCells} cells`,
      { field: `${g}/barcodes` },
    );
  }
  checkUnique(ctx, barcodes, `${g}/barcodes`, 'barcode');
  const idPath = v3 ? `${g}/features/id` : `${g}/genes`;
  const namePath = v3 ? `${g}/features/name` : `${g}/gene_names`;
  const ids = readStrings(ctx, idPath);
  const symbols = ctx.h5.get(namePath) ? readStrings(ctx, namePath) : ids.slice();
  for (const [path, list] of [
    [idPath, ids],
    [namePath, symbols],
  ] as const) {
    if (list.length !== nFeatures) {
      throw new InputError(
        'dimension-mismatch',
        name,
        `${path} has ${list.length} entries but ${g}/shape says ${nFeatures} features`,
        { field: path },
      );
    }
  }
  checkUnique(ctx, ids, idPath, 'feature id');

  // Feature-type filter (v3): keep Gene Expression when other types are present, like scanpy's gex_only.
  let map: Int32Array | null = null;
  let geneIds = ids;
  let geneSymbols = symbols;
  const typePath = `${g}/features/feature_type`;
  if (v3 && ctx.h5.get(typePath)) {
    const types = readStrings(ctx, typePath);
    if (types.length !== nFeatures) {
      throw new InputError(
        'dimension-mismatch',
        name,
        `${typePath} has ${types.length} entries but ${g}/shape says ${nFeatures} features`,
        { field: typePath },
      );
    }
    if (types.includes(GENE_EXPRESSION) && types.some((t) => t !== GENE_EXPRESSION)) {
      map = new Int32Array(nFeatures);
      geneIds = [];
      geneSymbols = [];
      const dropped = new Map<string, number>();
      for (let i = 0; i < nFeatures; i++) {
        if (types[i] === GENE_EXPRESSION) {
          map[i] = geneIds.length;
          geneIds.push(ids[i]!);
          geneSymbols.push(symbols[i]!);
        } else {
          map[i] = -1;
          dropped.set(types[i]!, (dropped.get(types[i]!) ?? 0) + 1);
        }
      }
      const what = [...dropped].map(([t, n]) => `${n} "${t}"`).join(', ');
      ctx.warnings.push(
        `${name}: kept the ${geneIds.length} "${GENE_EXPRESSION}" features and dropped ${what} ` +
          `feature${nFeatures - geneIds.length === 1 ? '' : 's'} (as scanpy's gex_only does)`,
      );
    }
  }
  const counts = readCompressed(ctx, {
    base: g,
    nMajor: nCells,
    nMinor: nFeatures,
    minorMap: map,
    nMinorOut: geneIds.length,
    extraBytesPerEntry: 0,
    describe: (c, f) => `cell "${barcodes[c]}", feature "${ids[f]}"`,
    progress,
  });
  return { genome: g, barcodes, geneIds, geneSymbols, counts };
}

function read10x(
  ctx: Ctx,
  groups: string[],
  format: DatasetFormat,
): Omit<LoadedDataset, 'name' | 'sourceFiles' | 'orientation' | 'warnings'> {
  const v3 = format === 'h5-10x-v3';
  const parts: TenxPart[] = [];
  groups.forEach((g, i) => {
    const a = 0.05 + (0.9 * i) / groups.length;
    parts.push(read10xGroup(ctx, g, v3, [a, a + 0.9 / groups.length]));
  });
  const first = parts[0]!;
  if (parts.length === 1) {
    return {
      format,
      matrix: {
        counts: first.counts.matrix,
        cellIds: first.barcodes,
        geneIds: first.geneIds,
        geneSymbols: first.geneSymbols,
      },
      integerValued: first.counts.integerValued,
    };
  }
  // Several genomes (barnyard experiments): the same cells measured against each reference. Merge the gene
  // sets side by side when every genome lists the same barcodes in the same order.
  for (const part of parts.slice(1)) {
    const same =
      part.barcodes.length === first.barcodes.length &&
      part.barcodes.every((b, i) => b === first.barcodes[i]);
    if (!same) {
      throw new InputError(
        'unsupported-hdf5',
        ctx.file.name,
        `the file holds ${parts.length} genomes (${groups.join(', ')}) whose barcode lists differ ` +
          `(${first.genome}: ${first.barcodes.length}, ${part.genome}: ${part.barcodes.length} barcodes); ` +
          `only multi-genome files with identical barcodes can be merged`,
        { field: `${part.genome}/barcodes` },
      );
    }
  }
  const geneIds = parts.flatMap((p) => p.geneIds);
  const geneSymbols = parts.flatMap((p) => p.geneSymbols);
  checkUnique(ctx, geneIds, groups.map((g) => `${g}/genes`).join(' + '), 'gene id');
  const nCells = first.barcodes.length;
  const total = parts.reduce((s, p) => s + p.counts.matrix.indices.length, 0);
  checkBudget(ctx, total * 16, `merging ${parts.length} genomes (${total} stored values)`, groups.join(', '));
  const indptr = new Uint32Array(nCells + 1);
  const indices = new Int32Array(total);
  const values = new Float32Array(total);
  let out = 0;
  for (let c = 0; c < nCells; c++) {
    let offset = 0;
    for (const part of parts) {
      const m = part.counts.matrix;
      for (let k = m.indptr[c]!; k < m.indptr[c + 1]!; k++) {
        indices[out] = m.indices[k]! + offset;
        values[out] = m.values[k]!;
        out++;
      }
      offset += m.nCols;
    }
    indptr[c + 1] = out;
  }
  ctx.warnings.push(
    `${ctx.file.name}: merged ${parts.length} genomes sharing the same ${nCells} barcodes into one matrix (` +
      parts.map((p) => `${p.genome}: ${p.geneIds.length} genes`).join(', ') +
      ')',
  );
  return {
    format,
    matrix: {
      counts: { nRows: nCells, nCols: geneIds.length, indptr, indices, values },
      cellIds: first.barcodes,
      geneIds,
      geneSymbols,
    },
    integerValued: parts.every((p) => p.counts.integerValued),
  };
}

// ---------------------------------------------------------------------------------------------------------
// AnnData .h5ad

/**
 * The index of `obs` or `var`: modern files have a group whose `_index` attribute names the index dataset;
 * anndata < 0.7 wrote a compound dataset with an `index` field.
 */
function readAnnIndex(ctx: Ctx, axis: 'obs' | 'var'): { ids: string[]; path: string } {
  const e = ctx.h5.get(axis);
  if (isGroup(e)) {
    const col = attrText(e, '_index') ?? '_index';
    const path = `${axis}/${col}`;
    if (!isDataset(ctx.h5.get(path))) {
      throw new InputError(
        'unsupported-hdf5',
        ctx.file.name,
        `/${axis} has no index dataset "${col}" (found: ${e.keys().join(', ') || 'nothing'})`,
        { field: path },
      );
    }
    return { ids: readStrings(ctx, path), path };
  }
  if (isDataset(e)) {
    const members = e.metadata.compound_type?.members ?? [];
    const at = members.findIndex((m) => m.name === 'index' || m.name === '_index');
    if (at >= 0) {
      const rows = e.value;
      if (Array.isArray(rows)) {
        return {
          ids: rows.map((row) => toText(Array.isArray(row) ? row[at] : row)),
          path: `${axis}.${members[at]!.name}`,
        };
      }
    }
  }
  throw new InputError(
    'unsupported-hdf5',
    ctx.file.name,
    `/${axis} is neither an AnnData group with an _index nor a compound table with an "index" field`,
    { field: axis },
  );
}

function readH5ad(ctx: Ctx): Omit<LoadedDataset, 'name' | 'sourceFiles' | 'orientation' | 'warnings'> {
  const name = ctx.file.name;
  const obs = readAnnIndex(ctx, 'obs');
  const vr = readAnnIndex(ctx, 'var');
  const cellIds = obs.ids;
  const geneIds = vr.ids;
  checkUnique(ctx, cellIds, obs.path, 'cell id');
  checkUnique(ctx, geneIds, vr.path, 'gene id');
  const x = ctx.h5.get('X');
  const describe = (c: number, g: number): string => `cell "${cellIds[c]}", gene "${geneIds[g]}"`;
  const checkShape = (nObs: number, nVar: number): void => {
    if (nObs !== cellIds.length) {
      throw new InputError(
        'dimension-mismatch',
        name,
        `X has ${nObs} rows (cells) but ${obs.path} has ${cellIds.length} entries`,
        { field: obs.path },
      );
    }
    if (nVar !== geneIds.length) {
      throw new InputError(
        'dimension-mismatch',
        name,
        `X has ${nVar} columns (genes) but ${vr.path} has ${geneIds.length} entries`,
        { field: vr.path },
      );
    }
  };

  let counts: CsrMatrix;
  let integerValued: boolean;
  if (isDataset(x)) {
    const shape = x.shape ?? [];
    if (shape.length !== 2 || !isNumericDataset(x)) {
      throw new InputError(
        'unsupported-hdf5',
        name,
        `X is a dataset of shape [${shape.join(', ')}], not a 2-D numeric matrix`,
        {
          field: 'X',
        },
      );
    }
    const [nObs, nVar] = shape as [number, number];
    checkShape(nObs, nVar);
    ({ matrix: counts, integerValued } = readDenseX(ctx, x, nObs, nVar, describe));
  } else if (isGroup(x)) {
    const enc = (attrText(x, 'encoding-type') ?? attrText(x, 'h5sparse_format') ?? '').toLowerCase();
    const shape = attrNumbers(x, 'shape') ?? attrNumbers(x, 'h5sparse_shape');
    const kind =
      enc === 'csr_matrix' || enc === 'csr' ? 'csr' : enc === 'csc_matrix' || enc === 'csc' ? 'csc' : null;
    if (!kind || !shape || shape.length !== 2) {
      throw new InputError(
        'unsupported-hdf5',
        name,
        `X is a group with encoding-type "${enc || 'none'}"${shape ? '' : ' and no shape attribute'}; ` +
          `supported: a dense 2-D dataset, csr_matrix or csc_matrix`,
        { field: 'X' },
      );
    }
    const [nObs, nVar] = shape as [number, number];
    checkShape(nObs, nVar);
    if (kind === 'csr') {
      ({ matrix: counts, integerValued } = readCompressed(ctx, {
        base: 'X',
        nMajor: nObs,
        nMinor: nVar,
        minorMap: null,
        nMinorOut: nVar,
        extraBytesPerEntry: 0,
        describe,
        progress: [0.05, 0.95],
      }));
    } else {
      // CSC: genes x cells as CSR, then one O(nnz) transpose (needs a second copy, budgeted above).
      const csc = readCompressed(ctx, {
        base: 'X',
        nMajor: nVar,
        nMinor: nObs,
        minorMap: null,
        nMinorOut: nObs,
        extraBytesPerEntry: 8,
        describe: (g, c) => describe(c, g),
        progress: [0.05, 0.9],
      });
      counts = transposeCsr(csc.matrix);
      integerValued = csc.integerValued;
    }
  } else {
    throw new InputError('unsupported-hdf5', name, 'X is neither a dataset nor a group', { field: 'X' });
  }
  if (!integerValued) {
    // Normalised X is common in .h5ad; scGNN wants counts, which many files keep elsewhere (not loaded here).
    const raw = ['layers/counts', 'raw/X'].filter((p) => ctx.h5.get(p) !== null);
    if (raw.length > 0) {
      ctx.warnings.push(
        `${name}: X holds non-integer values (normalised?); the file also has ${raw.join(' and ')}, ` +
          'which may hold the raw counts but is not loaded',
      );
    }
  }
  return { format: 'h5ad', matrix: { counts, cellIds, geneIds }, integerValued };
}

/** Dense X, read a block of rows at a time; only non-zeros are kept. */
function readDenseX(
  ctx: Ctx,
  x: Dataset,
  nObs: number,
  nVar: number,
  describe: (c: number, g: number) => string,
): Compressed {
  const rowsPerBlock = Math.max(1, Math.floor(DENSE_BLOCK / Math.max(1, nVar)));
  const b = new CsrBuilder(nVar, 1 << 16);
  let integerValued = true;
  for (let r0 = 0; r0 < nObs; r0 += rowsPerBlock) {
    checkCancelled(ctx);
    const r1 = Math.min(nObs, r0 + rowsPerBlock);
    const block = toNumbers(x.slice([[r0, r1], []]));
    for (let r = r0; r < r1; r++) {
      const base = (r - r0) * nVar;
      for (let g = 0; g < nVar; g++) {
        const v = block[base + g]!;
        if (v === 0) continue;
        if (!Number.isFinite(v) || v < 0) {
          throw new InputError(
            Number.isFinite(v) ? 'negative-value' : 'non-finite',
            ctx.file.name,
            `X[${r}, ${g}] = ${v} at ${describe(r, g)}; values must be finite and >= 0`,
            { field: 'X' },
          );
        }
        if (integerValued && !Number.isInteger(v)) integerValued = false;
        b.push(g, v);
      }
      b.endRow();
    }
    checkBudget(ctx, b.reservedBytes, `the non-zeros of X (${b.nnz} after ${r1} of ${nObs} rows)`, 'X');
    ctx.opts.onProgress?.({ file: ctx.file.name, fraction: 0.05 + (0.9 * r1) / nObs, message: 'reading X' });
  }
  return { matrix: b.finish(nVar), integerValued };
}
