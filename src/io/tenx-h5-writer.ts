/**
 * Write a 10x Genomics v3 feature-barcode matrix HDF5 (`filtered_feature_bc_matrix.h5`) with the Node build of
 * h5wasm, the layout Cell Ranger writes:
 *
 *   /matrix/barcodes                    fixed-length ASCII strings, one per cell
 *   /matrix/data, indices, indptr       CSC by cell: cell c's genes are indices[indptr[c] .. indptr[c+1])
 *   /matrix/shape                       [features, cells] (int32)
 *   /matrix/features/{id,name,feature_type,genome,_all_tag_keys}
 *
 * plus the root attributes `filetype = "matrix"` and `version = 2`. Numeric datasets are chunked (80,000 values,
 * as Cell Ranger) and gzip-compressed (without Cell Ranger's shuffle filter, which h5wasm cannot set), and are
 * written a block of chunks at a time: the WASM heap holds one block, never a whole array, so a matrix with tens
 * of millions of non-zeros costs no second full copy. Defaults follow Cell Ranger's types (data int32, indices
 * and indptr int64); integer data must hold integers.
 *
 * The arrays are written as given, without checking them against each other, so tests can also write
 * inconsistent files on purpose. Node only; never imported by browser code.
 */
import * as h5wasm from 'h5wasm/node';
import type { Group } from 'h5wasm';

/** The typed arrays accepted for the numeric datasets. */
export type NumericArray = Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array;

/** Stored type of a numeric dataset (little-endian). */
export type NumericDtype = '<i4' | '<i8' | '<f4' | '<f8';

export interface TenxH5Content {
  /** [features, cells]. */
  readonly shape: readonly [number, number];
  readonly barcodes: readonly string[];
  readonly featureIds: readonly string[];
  readonly featureNames: readonly string[];
  /** Default "Gene Expression" for every feature. */
  readonly featureTypes?: readonly string[];
  /** Genome of every feature (default "synthetic"). */
  readonly genome?: string;
  readonly data: NumericArray;
  readonly indices: NumericArray;
  readonly indptr: NumericArray;
}

export interface TenxH5WriteOptions {
  /** Stored types; default data '<i4', indices and indptr '<i8' (Cell Ranger's). */
  readonly dtypes?: {
    readonly data?: NumericDtype;
    readonly indices?: NumericDtype;
    readonly indptr?: NumericDtype;
  };
  /** gzip level 1-9, or 0 for none (default 4, as Cell Ranger). */
  readonly compression?: number;
}

/** Values per chunk (Cell Ranger's). */
const CHUNK = 80_000;
/** Chunks per written block: about 1 M values. */
const CHUNKS_PER_BLOCK = 13;

type Accessor =
  Int32ArrayConstructor | BigInt64ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor;

/** h5wasm's dtype codes are Python struct's, where the digits are ignored: 'i' is int32, 'q' int64. */
const H5WASM_DTYPE: Record<NumericDtype, string> = { '<i4': '<i', '<i8': '<q', '<f4': '<f', '<f8': '<d' };

const ACCESSORS: Record<NumericDtype, Accessor> = {
  '<i4': Int32Array,
  '<i8': BigInt64Array,
  '<f4': Float32Array,
  '<f8': Float64Array,
};

/** `src[from, to)` as the typed array of `dtype` (a view when it already is one). */
function block(src: NumericArray, from: number, to: number, dtype: NumericDtype, name: string) {
  const Type = ACCESSORS[dtype];
  const part = src.subarray(from, to);
  if (part instanceof Type) return part;
  const out = new Type(to - from);
  const integer = dtype === '<i4' || dtype === '<i8';
  for (let i = 0; i < part.length; i++) {
    const v = Number(part[i]!);
    if (integer && !Number.isInteger(v))
      throw new RangeError(`${name}[${from + i}] = ${v} is not an integer; write it as '<f4' or '<f8'`);
    if (out instanceof BigInt64Array) out[i] = BigInt(v);
    else out[i] = v;
  }
  return out;
}

function writeNumeric(
  g: Group,
  name: string,
  src: NumericArray,
  dtype: NumericDtype,
  compression: number,
): void {
  const n = src.length;
  const step = CHUNK * CHUNKS_PER_BLOCK;
  const first = Math.min(n, step);
  const ds = g.create_dataset({
    name,
    data: block(src, 0, first, dtype, name),
    shape: [first],
    dtype: H5WASM_DTYPE[dtype],
    maxshape: [null],
    chunks: [CHUNK],
    ...(compression > 0 ? { compression: 'gzip' as const, compression_opts: compression } : {}),
  });
  for (let from = first; from < n; from += step) {
    const to = Math.min(n, from + step);
    ds.resize([to]);
    ds.write_slice([[from, to]], block(src, from, to, dtype, name));
  }
}

/** Fixed-length strings as Cell Ranger stores them: ASCII when every string is, else UTF-8. */
function writeStrings(g: Group, name: string, values: readonly string[]): void {
  const enc = new TextEncoder();
  let width = 1;
  let ascii = true;
  for (const v of values) {
    const bytes = enc.encode(v);
    width = Math.max(width, bytes.length);
    if (bytes.length !== v.length) ascii = false;
  }
  g.create_dataset({
    name,
    data: [...values],
    shape: [values.length],
    dtype: `${ascii ? 'A' : 'S'}${width}`,
  });
}

/** Write `content` as a 10x v3 HDF5 at `path` (overwritten). */
export async function writeTenxH5(
  path: string,
  content: TenxH5Content,
  options: TenxH5WriteOptions = {},
): Promise<void> {
  await h5wasm.ready;
  const compression = options.compression ?? 4;
  const dtypes = { data: '<i4', indices: '<i8', indptr: '<i8', ...options.dtypes } as const;
  const f = new h5wasm.File(path, 'w');
  try {
    f.create_attribute('filetype', 'matrix', null, 'A6');
    f.create_attribute('version', new BigInt64Array([2n]), []);
    const m = f.create_group('matrix');
    writeStrings(m, 'barcodes', content.barcodes);
    writeNumeric(m, 'data', content.data, dtypes.data, compression);
    writeNumeric(m, 'indices', content.indices, dtypes.indices, compression);
    writeNumeric(m, 'indptr', content.indptr, dtypes.indptr, compression);
    m.create_dataset({ name: 'shape', data: new Int32Array(content.shape) });
    const feats = m.create_group('features');
    const nFeatures = content.featureIds.length;
    writeStrings(feats, 'id', content.featureIds);
    writeStrings(feats, 'name', content.featureNames);
    writeStrings(
      feats,
      'feature_type',
      content.featureTypes ?? new Array<string>(nFeatures).fill('Gene Expression'),
    );
    writeStrings(feats, 'genome', new Array<string>(nFeatures).fill(content.genome ?? 'synthetic'));
    writeStrings(feats, '_all_tag_keys', ['genome']);
  } finally {
    f.close();
  }
}
