/**
 * Training inputs and targets that are themselves model outputs, computed per batch on the backend instead
 * of stored (issue 12): the feature autoencoder's reconstruction of X that the cluster autoencoders learn, and
 * the cluster autoencoders' output that the feature autoencoder then learns. Each is cells x genes; stored
 * dense at 100,000 cells x 2,000 genes each would be 800 MB. Recomputing costs one forward pass per model per
 * batch instead.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { StageContext, Tf } from '../pipeline/context.ts';
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import { asRows, rowRange, subsetRows, throughSubset, type MatrixRows } from '../matrix/rows.ts';
import type { Autoencoder } from './autoencoder.ts';

/** Rows produced on the backend: `batch` returns a new idx.length x cols tensor the caller disposes. */
export interface BatchRows {
  readonly rows: number;
  readonly cols: number;
  batch(idx: Int32Array): tfc.Tensor2D;
}

/** What training and inference read: host rows (a row source or a dense matrix) or backend rows. */
export type TrainRows = MatrixRows | BatchRows;

const isBatchRows = (m: TrainRows): m is BatchRows => 'batch' in m;

/** The rows `idx` of any source as a tensor (uploaded from the host, or computed on the backend). */
export function batchTensor(tf: Tf, m: TrainRows, idx: Int32Array): tfc.Tensor2D {
  if (isBatchRows(m)) return m.batch(idx);
  return tf.tensor2d(asRows(m).read(idx), [idx.length, m.cols]);
}

/** The rows `idx` of any source as a source of idx.length rows (reads go through to `m`). */
export function subsetTrainRows(m: TrainRows, idx: Int32Array): TrainRows {
  if (!isBatchRows(m)) return subsetRows(asRows(m), idx);
  return {
    rows: idx.length,
    cols: m.cols,
    batch: (local) => m.batch(throughSubset(idx, local)),
  };
}

/**
 * The reconstruction of `input` by `ae`, one batch at a time. `ae` is read at each call: while anything reads
 * these rows its weights must not change (give a frozen copy when the model trains meanwhile).
 */
export function reconRows(ae: Autoencoder, input: TrainRows, tf: Tf): BatchRows {
  if (input.cols !== ae.shape.nGenes)
    throw new RangeError(`input has ${input.cols} genes, the autoencoder ${ae.shape.nGenes}`);
  return {
    rows: input.rows,
    cols: ae.shape.nGenes,
    batch(idx) {
      return tf.tidy(() => ae.forward(batchTensor(tf, input, idx)).recon);
    },
  };
}

/**
 * Each cell's reconstruction of `input` by its own cluster's model (`models` by label; `labels` per cell):
 * a batch is split by cluster, each part goes through its model, and the rows come back in the asked order.
 */
export function perClusterReconRows(
  models: ReadonlyMap<number, Autoencoder>,
  labels: Int32Array,
  input: TrainRows,
  tf: Tf,
): BatchRows {
  if (labels.length !== input.rows)
    throw new RangeError(`labels has ${labels.length} values for ${input.rows} rows`);
  for (const l of labels) if (!models.has(l)) throw new RangeError(`no model for cluster ${l}`);
  return {
    rows: input.rows,
    cols: input.cols,
    batch(idx) {
      const groups = new Map<number, number[]>();
      for (let k = 0; k < idx.length; k++) {
        const l = labels[idx[k]!]!;
        const g = groups.get(l);
        if (g) g.push(k);
        else groups.set(l, [k]);
      }
      // Output row p of the concatenation is batch position order[p]; `back` inverts it.
      const order: number[] = [];
      return tf.tidy(() => {
        const parts: tfc.Tensor2D[] = [];
        for (const [l, ks] of groups) {
          const rows = Int32Array.from(ks, (k) => idx[k]!);
          parts.push(models.get(l)!.forward(batchTensor(tf, input, rows)).recon);
          order.push(...ks);
        }
        if (parts.length === 1) return parts[0]!;
        const back = new Int32Array(idx.length);
        order.forEach((k, p) => (back[k] = p));
        return tf.gather(tf.concat(parts, 0), tf.tensor1d(back, 'int32')) as tfc.Tensor2D;
      });
    },
  };
}

/**
 * Every row of a source as one dense matrix (a dense matrix is returned as it is), read in batches of 1024
 * with `ctx`'s progress and checkpoints: for the steps that still need the whole matrix.
 */
export async function denseOf(
  tf: Tf,
  m: TrainRows,
  ctx?: Pick<StageContext, 'progress' | 'checkpoint'>,
): Promise<DenseMatrix> {
  if ('data' in m) return m;
  const out = new Float32Array(m.rows * m.cols);
  for (let start = 0; start < m.rows; start += DENSE_BATCH) {
    const end = Math.min(m.rows, start + DENSE_BATCH);
    const t = batchTensor(tf, m, rowRange(start, end));
    try {
      out.set(await t.data(), start * m.cols);
    } finally {
      t.dispose();
    }
    ctx?.progress(end / m.rows);
    await ctx?.checkpoint();
  }
  return denseMatrix(m.rows, m.cols, out);
}

const DENSE_BATCH = 1024;
