/**
 * Test helpers that write small HDF5 files with the Node build of h5wasm: AnnData `.h5ad` files (dense, CSR or
 * CSC X, modern obs/var groups with `_index`) and 10x v3 files, so that the HDF5 loader can be tested on
 * layouts and faults the real fixtures do not have. Node only; never imported by browser code.
 */
import * as h5wasm from 'h5wasm/node';
import { writeTenxH5, type NumericDtype } from '../tenx-h5-writer.ts';

type Num = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint32Array;

export type XSpec =
  | { kind: 'dense'; data: Float32Array | Float64Array | Int32Array; shape: [number, number] }
  | { kind: 'csr' | 'csc'; data: Num; indices: Num; indptr: Num; shape: [number, number] }
  /** A group whose encoding the loader does not support. */
  | { kind: 'other'; encoding: string };

export interface H5adSpec {
  X: XSpec;
  obs: string[];
  var: string[];
  /** Name of the obs index column (attribute `_index` of /obs); default `_index`. */
  obsIndex?: string;
  /** Extra var columns, e.g. gene_ids. */
  varColumns?: Record<string, string[]>;
  /** Also write /layers/counts (a small dense placeholder), as files with normalised X often do. */
  countsLayer?: boolean;
}

/** Write `spec` as an AnnData file at `path` (overwritten). */
export async function writeH5ad(path: string, spec: H5adSpec): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'w');
  try {
    f.create_attribute('encoding-type', 'anndata');
    f.create_attribute('encoding-version', '0.1.0');
    const X = spec.X;
    if (X.kind === 'dense') {
      f.create_dataset({ name: 'X', data: X.data, shape: X.shape });
    } else if (X.kind === 'other') {
      const g = f.create_group('X');
      g.create_attribute('encoding-type', X.encoding);
    } else {
      const g = f.create_group('X');
      g.create_attribute('encoding-type', X.kind === 'csr' ? 'csr_matrix' : 'csc_matrix');
      g.create_attribute('encoding-version', '0.1.0');
      g.create_attribute('shape', new BigInt64Array(X.shape.map(BigInt)));
      g.create_dataset({ name: 'data', data: X.data });
      g.create_dataset({ name: 'indices', data: X.indices });
      g.create_dataset({ name: 'indptr', data: X.indptr });
    }
    const frame = (
      name: string,
      index: string[],
      indexName: string,
      cols: Record<string, string[]> = {},
    ): void => {
      const g = f.create_group(name);
      g.create_attribute('encoding-type', 'dataframe');
      g.create_attribute('_index', indexName);
      g.create_dataset({ name: indexName, data: index });
      for (const [k, v] of Object.entries(cols)) g.create_dataset({ name: k, data: v });
    };
    frame('obs', spec.obs, spec.obsIndex ?? '_index');
    frame('var', spec.var, '_index', spec.varColumns);
    if (spec.countsLayer) {
      const layers = f.create_group('layers');
      layers.create_dataset({ name: 'counts', data: new Float32Array([0]), shape: [1, 1] });
    }
  } finally {
    f.close();
  }
}

export interface Tenx3Spec {
  barcodes: string[];
  ids: string[];
  names: string[];
  types?: string[];
  shape: [genes: number, cells: number];
  data: Num;
  indices: Num;
  indptr: Num;
}

/** The stored type of a typed array as given (int64 for uint32, which fits). */
function dtypeOf(a: Num): NumericDtype {
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Float64Array) return '<f8';
  return '<i8';
}

/**
 * Write a 10x v3 HDF5 (`/matrix/...`) at `path` with the project's writer (src/io/tenx-h5-writer.ts), keeping the
 * arrays' own types. Nothing is checked, so the malformed corpus can write inconsistent files.
 */
export async function write10xV3(path: string, spec: Tenx3Spec): Promise<void> {
  await writeTenxH5(
    path,
    {
      shape: spec.shape,
      barcodes: spec.barcodes,
      featureIds: spec.ids,
      featureNames: spec.names,
      ...(spec.types ? { featureTypes: spec.types } : {}),
      data: spec.data,
      indices: spec.indices,
      indptr: spec.indptr,
    },
    { dtypes: { data: dtypeOf(spec.data), indices: dtypeOf(spec.indices), indptr: dtypeOf(spec.indptr) } },
  );
}

/** Write an HDF5 file with arbitrary groups and datasets (an unsupported layout). */
export async function writeOtherH5(path: string): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'w');
  try {
    const g = f.create_group('images');
    g.create_dataset({ name: 'frame0', data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] });
    f.create_dataset({ name: 'calibration', data: new Float64Array([0.5]) });
  } finally {
    f.close();
  }
}

/** Read a dataset of a file on disk with h5wasm (the test's independent view of the file). */
export async function readDataset(path: string, dataset: string): Promise<unknown> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'r');
  try {
    const d = f.get(dataset);
    if (!d || !('value' in d)) throw new Error(`no dataset ${dataset} in ${path}`);
    return d.value;
  } finally {
    f.close();
  }
}
