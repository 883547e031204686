/**
 * The published imputation benchmark (reference note §5.1, `impute_dropout` in scGNN 1.0/2.0): choose
 * floor(rate x nnz) of the non-zero raw entries uniformly without replacement (seeded) and set them to zero.
 * Only non-zero entries are ever corrupted. The pipeline then runs on the corrupted matrix; the imputation
 * is scored on exactly these entries (see imputation-metrics.ts).
 *
 * As in scGNN 2.0, corruption is applied after cell/gene selection (to the raw counts of the selected
 * cells x genes) and before log1p, LTMG and everything else. The seeded generator is ours, so the chosen
 * entries differ from numpy's for the same seed; the protocol is the same.
 */
import type { CsrMatrix } from '../matrix/csr.ts';
import type { Rng } from '../rng.ts';

export interface Dropout {
  /** The corrupted matrix (same shape; the chosen entries removed). */
  readonly corrupted: CsrMatrix;
  /** Row (cell) and column (gene) of each corrupted entry, and its original raw value. */
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly values: Float32Array;
}

/** Zero `rate` of the stored non-zero entries of `m`, chosen with `rng` (partial Fisher-Yates). */
export function simulateDropout(m: CsrMatrix, rate: number, rng: Rng): Dropout {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  // Positions of non-zero stored entries.
  const total = m.indptr[m.nRows]!;
  const positions: number[] = [];
  for (let k = 0; k < total; k++) if (m.values[k] !== 0) positions.push(k);
  const nDrop = Math.floor(rate * positions.length);
  const pool = Int32Array.from(positions);
  for (let i = 0; i < nDrop; i++) {
    const j = i + rng.int(pool.length - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  const dropped = new Uint8Array(total);
  const chosen = pool.subarray(0, nDrop).slice().sort();
  for (const k of chosen) dropped[k] = 1;

  const rowOf = new Int32Array(total);
  for (let r = 0; r < m.nRows; r++) for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) rowOf[k] = r;
  const rows = new Int32Array(nDrop);
  const cols = new Int32Array(nDrop);
  const values = new Float32Array(nDrop);
  chosen.forEach((k, i) => {
    rows[i] = rowOf[k]!;
    cols[i] = m.indices[k]!;
    values[i] = m.values[k]!;
  });

  const indptr = new Uint32Array(m.nRows + 1);
  const indices = new Int32Array(total - nDrop);
  const vals = new Float32Array(total - nDrop);
  let out = 0;
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      if (dropped[k]) continue;
      indices[out] = m.indices[k]!;
      vals[out] = m.values[k]!;
      out++;
    }
    indptr[r + 1] = out;
  }
  return { corrupted: { nRows: m.nRows, nCols: m.nCols, indptr, indices, values: vals }, rows, cols, values };
}
