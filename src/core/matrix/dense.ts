/**
 * Dense row-major float32 matrices: the preprocessed expression (cells x genes), embeddings (cells x d),
 * imputed values. Plain typed arrays, so they move between workers and tensors without conversion.
 */

export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major values, length rows * cols. */
  readonly data: Float32Array;
}

export function denseMatrix(rows: number, cols: number, data = new Float32Array(rows * cols)): DenseMatrix {
  if (data.length !== rows * cols)
    throw new RangeError(`dense matrix ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
  return { rows, cols, data };
}

/** Row `i` as a view (no copy). */
export function denseRow(m: DenseMatrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Rows in the given order, copied. */
export function denseSelectRows(m: DenseMatrix, rows: ArrayLike<number>): DenseMatrix {
  const out = new Float32Array(rows.length * m.cols);
  for (let i = 0; i < rows.length; i++) out.set(denseRow(m, rows[i]!), i * m.cols);
  return { rows: rows.length, cols: m.cols, data: out };
}

/** A copy of `m` with every row scaled to unit Euclidean length (all-zero rows stay zero). */
export function unitRows(m: DenseMatrix): DenseMatrix {
  const { rows, cols, data } = m;
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let s = 0;
    for (let f = 0; f < cols; f++) s += data[o + f]! * data[o + f]!;
    const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let f = 0; f < cols; f++) out[o + f] = data[o + f]! * scale;
  }
  return { rows, cols, data: out };
}
