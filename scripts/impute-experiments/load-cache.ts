import { readBinaryCache } from '../lib/binary-cache.ts';
import type { CellGraph } from '../../src/core/graph/cell-graph.ts';
import { denseMatrix, type DenseMatrix } from '../../src/core/matrix/dense.ts';

export interface Cached {
  name: string;
  x: DenseMatrix;
  recon: DenseMatrix;
  z: DenseMatrix;
  graph: CellGraph;
  labels: Int32Array;
  ltmg: Uint8Array | null;
  libsize: Float32Array;
  drop: { rows: Int32Array; cols: Int32Array; values: Float32Array };
  header: Record<string, unknown>;
}

export function loadCache(name: string): Cached {
  const { header: h, parts: p } = readBinaryCache(`.tmp/impute-cache/${name}`);
  const { rows, cols, latent } = h;
  return {
    name,
    x: denseMatrix(rows, cols, p.x),
    recon: denseMatrix(rows, cols, p.recon),
    z: denseMatrix(rows, latent, p.z),
    graph: { nNodes: rows, indptr: p.indptr, indices: p.indices, weights: p.weights },
    labels: p.labels,
    ltmg: p.ltmg.length ? p.ltmg : null,
    libsize: p.libsize,
    drop: { rows: p.dropRows, cols: p.dropCols, values: p.dropValues },
    header: h,
  };
}

export function medianL1(pred: DenseMatrix, c: Cached): number {
  const n = c.drop.rows.length;
  const d = new Float64Array(n);
  for (let e = 0; e < n; e++)
    d[e] = Math.abs(
      pred.data[c.drop.rows[e]! * pred.cols + c.drop.cols[e]!]! - Math.log1p(c.drop.values[e]!),
    );
  d.sort();
  return n % 2 ? d[n >> 1]! : (d[(n >> 1) - 1]! + d[n >> 1]!) / 2;
}

export function predAtDropped(pred: DenseMatrix, c: Cached): Float64Array {
  return Float64Array.from(c.drop.rows, (r, e) => pred.data[r * pred.cols + c.drop.cols[e]!]!);
}

export function med(a: ArrayLike<number>): number {
  const s = Float64Array.from(a).sort();
  const n = s.length;
  return n % 2 ? s[n >> 1]! : (s[(n >> 1) - 1]! + s[n >> 1]!) / 2;
}
