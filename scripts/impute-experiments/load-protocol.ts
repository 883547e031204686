/** Load a cache written by cache-protocol.ts and score imputations on it (thinning figures or median L1). */
import { readBinaryCache } from '../lib/binary-cache.ts';
import type { CellGraph } from '../../src/core/graph/cell-graph.ts';
import { thinningScorer, type ThinningMetrics } from '../../src/core/eval/thinning.ts';
import type { CsrMatrix } from '../../src/core/matrix/csr.ts';
import { denseMatrix, type DenseMatrix } from '../../src/core/matrix/dense.ts';

export interface ProtocolCache {
  name: string;
  protocol: 'thin' | 'dropout';
  seed: number;
  /** Model input (library-size normalised log1p) and its row scale s_i: x = ln(1 + s_i c). */
  x: DenseMatrix;
  scale: Float64Array;
  /** Feature AE's last reconstruction; the closed loop's cluster-AE reconstruction (x's scale). */
  recon: DenseMatrix;
  clRecon: DenseMatrix;
  z: DenseMatrix;
  graph: CellGraph;
  labels: Int32Array;
  raw: CsrMatrix;
  /** Scoring only. */
  full: CsrMatrix;
  truthLabels: Int32Array;
  drop: { rows: Int32Array; cols: Int32Array; values: Float32Array };
}

export function loadProtocolCache(name: string, protocol: 'thin' | 'dropout', seed: number): ProtocolCache {
  const file = `.tmp/impute-cache/${name}-${protocol}-s${seed}`;
  const { header: h, parts: p } = readBinaryCache(file);
  const { rows, cols, latent } = h;
  return {
    name,
    protocol,
    seed,
    x: denseMatrix(rows, cols, p.x),
    scale: Float64Array.from(p.scale),
    recon: denseMatrix(rows, cols, p.recon),
    clRecon: denseMatrix(rows, cols, p.clRecon),
    z: denseMatrix(rows, latent, p.z),
    graph: { nNodes: rows, indptr: p.indptr, indices: p.indices, weights: p.weights },
    labels: p.labels,
    raw: { nRows: rows, nCols: cols, indptr: p.rawIndptr, indices: p.rawIndices, values: p.rawValues },
    full: { nRows: rows, nCols: cols, indptr: p.fullIndptr, indices: p.fullIndices, values: p.fullValues },
    truthLabels: p.truthLabels,
    drop: { rows: p.dropRows, cols: p.dropCols, values: p.dropValues },
  };
}

/** ln(1 + s c) → ln(1 + c), a copy. */
export function unscaled(m: DenseMatrix, scale: Float64Array): DenseMatrix {
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++)
    for (let c = 0; c < m.cols; c++) {
      const i = r * m.cols + c;
      out[i] = Math.log1p(Math.expm1(Math.max(0, m.data[i]!)) / scale[r]!);
    }
  return denseMatrix(m.rows, m.cols, out);
}

export function medianL1(pred: DenseMatrix, c: ProtocolCache): number {
  const n = c.drop.rows.length;
  const d = new Float64Array(n);
  for (let e = 0; e < n; e++)
    d[e] = Math.abs(
      pred.data[c.drop.rows[e]! * pred.cols + c.drop.cols[e]!]! - Math.log1p(c.drop.values[e]!),
    );
  d.sort();
  return n % 2 ? d[n >> 1]! : (d[(n >> 1) - 1]! + d[n >> 1]!) / 2;
}

const scorers = new Map<ProtocolCache, (m: DenseMatrix) => ThinningMetrics>();
export function thinScore(pred: DenseMatrix, c: ProtocolCache): ThinningMetrics {
  let s = scorers.get(c);
  if (!s) {
    const scorer = thinningScorer(c.full, 0.2, c.truthLabels);
    s = (m) => scorer.score(m);
    scorers.set(c, s);
  }
  return s(pred);
}
