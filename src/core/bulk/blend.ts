/**
 * The bulk-informed estimate and its blend with the single-cell estimate (scGNN 2.0, reference note §2.4:
 * opt 3 and `imputation.py`), row by row: nothing cells x genes is held.
 *
 * Opt 3 in closed form. The reference fits, per cluster, a dense cells x genes matrix D close to the imputed
 * cells whose mean matches the bulk-corrected profile, plus a small nuclear norm. The smallest change (in squared
 * error) of a cluster's cells that moves their mean from scProfiles[k] to profiles[k] adds the same shift
 * profiles[k] − scProfiles[k] to every cell; that change is rank one per cluster (one vector repeated), so it adds
 * no rank and the nuclear norm is no reason to prefer anything else. It is applied in linear space, where means
 * are taken (x = ln(1 + s_i·count), so the cell's value is expm1(x)), and clamped at zero.
 *
 * Blending. Per gene, the weight of the single-cell estimate is e_bulk / (e_sc + e_bulk), with e the mean
 * absolute error against the observed non-zeros of that gene. The reference divides signed mean errors, so
 * errors of opposite sign give weights below 0 or above 1; absolute errors keep the weight in [0, 1].
 */
import type { RowSource } from '../matrix/rows.ts';
import type { Deconvolution } from './types.ts';

/** Rows read at a time while estimating the blending weights. */
const READ_ROWS = 256;

/** profiles − scProfiles, clusters x genes (float32: it is added to float32 rows). */
function shifts(deconv: Deconvolution, genes: number): Float32Array {
  if (deconv.profiles.length !== deconv.nClusters * genes)
    throw new RangeError(
      `the profiles are for ${deconv.profiles.length / deconv.nClusters} genes, the rows have ${genes}`,
    );
  return Float32Array.from(deconv.profiles, (p, i) => p - deconv.scProfiles[i]!);
}

/** Row i of `estimate` moved by its cluster's shift in linear space (cells with no cluster stay as they are). */
function correctRow(row: Float32Array, shift: Float32Array, k: number, nClusters: number): void {
  if (!(k >= 0 && k < nClusters)) return;
  const G = row.length;
  const d = shift.subarray(k * G, (k + 1) * G);
  for (let g = 0; g < G; g++) row[g] = Math.log1p(Math.max(0, Math.expm1(row[g]!) + d[g]!));
}

/**
 * The bulk-corrected estimate: row i is ln(1 + max(0, expm1(x_i) + profiles[k] − scProfiles[k])), k = labels[i],
 * with x_i row i of `estimate` (model space).
 */
export function bulkCorrectedRows(estimate: RowSource, labels: Int32Array, deconv: Deconvolution): RowSource {
  if (labels.length !== estimate.rows)
    throw new RangeError(`${labels.length} labels for ${estimate.rows} rows`);
  const G = estimate.cols;
  const shift = shifts(deconv, G);
  return {
    rows: estimate.rows,
    cols: G,
    read(idx) {
      const out = estimate.read(idx);
      for (let r = 0; r < idx.length; r++)
        correctRow(out.subarray(r * G, (r + 1) * G), shift, labels[idx[r]!]!, deconv.nClusters);
      return out;
    },
  };
}

/** At most `n` row indices evenly spaced over 0..rows-1 (all of them when rows <= n). */
export function evenlySpaced(rows: number, n: number): Int32Array {
  const m = Math.max(0, Math.min(rows, Math.floor(n)));
  return Int32Array.from({ length: m }, (_, j) => Math.floor((j * rows) / m));
}

export interface BlendWeightInput {
  /** The single-cell estimate, model space. */
  readonly estimate: RowSource;
  /** The observed data X, model space (its non-zeros are the observed entries). */
  readonly observed: RowSource;
  readonly labels: Int32Array;
  readonly deconv: Deconvolution;
  /** Cells read (an evenly spaced subset when there are more). */
  readonly sampleCells: number;
}

/**
 * Per gene, the weight in [0, 1] of the single-cell estimate: e_bulk / (e_sc + e_bulk), e = mean absolute error
 * of the single-cell and the bulk-corrected estimate on the gene's observed non-zeros over the subset of cells;
 * 0.5 where both errors are 0 or the subset has no observed non-zero of the gene.
 */
export function blendWeights(input: BlendWeightInput): Float64Array {
  const { estimate, observed, labels, deconv } = input;
  const G = estimate.cols;
  if (observed.rows !== estimate.rows || observed.cols !== G)
    throw new RangeError(`observed is ${observed.rows} x ${observed.cols}, estimate ${estimate.rows} x ${G}`);
  if (labels.length !== estimate.rows)
    throw new RangeError(`${labels.length} labels for ${estimate.rows} rows`);
  const shift = shifts(deconv, G);
  const cells = evenlySpaced(estimate.rows, input.sampleCells);
  const errSc = new Float64Array(G);
  const errBulk = new Float64Array(G);
  const seen = new Float64Array(G);
  const corrected = new Float32Array(G);
  for (let start = 0; start < cells.length; start += READ_ROWS) {
    const idx = cells.subarray(start, Math.min(cells.length, start + READ_ROWS));
    const x = estimate.read(idx);
    const obs = observed.read(idx);
    for (let r = 0; r < idx.length; r++) {
      const row = x.subarray(r * G, (r + 1) * G);
      corrected.set(row);
      correctRow(corrected, shift, labels[idx[r]!]!, deconv.nClusters);
      for (let g = 0; g < G; g++) {
        const o = obs[r * G + g]!;
        if (o === 0) continue;
        seen[g]!++;
        errSc[g]! += Math.abs(row[g]! - o);
        errBulk[g]! += Math.abs(corrected[g]! - o);
      }
    }
  }
  // The means share their denominator (the gene's observed count), so the sums give the same ratio.
  return Float64Array.from(seen, (n, g) => {
    const total = errSc[g]! + errBulk[g]!;
    return n === 0 || total === 0 ? 0.5 : errBulk[g]! / total;
  });
}

/** w_g · x + (1 − w_g) · corrected, row by row (x: the single-cell estimate, model space). */
export function bulkBlendedRows(
  estimate: RowSource,
  labels: Int32Array,
  deconv: Deconvolution,
  weights: Float64Array,
): RowSource {
  const G = estimate.cols;
  if (weights.length !== G) throw new RangeError(`${weights.length} weights for ${G} genes`);
  if (labels.length !== estimate.rows)
    throw new RangeError(`${labels.length} labels for ${estimate.rows} rows`);
  const shift = shifts(deconv, G);
  const corrected = new Float32Array(G);
  return {
    rows: estimate.rows,
    cols: G,
    read(idx) {
      const out = estimate.read(idx);
      for (let r = 0; r < idx.length; r++) {
        const row = out.subarray(r * G, (r + 1) * G);
        corrected.set(row);
        correctRow(corrected, shift, labels[idx[r]!]!, deconv.nClusters);
        for (let g = 0; g < G; g++) row[g] = weights[g]! * row[g]! + (1 - weights[g]!) * corrected[g]!;
      }
      return out;
    },
  };
}
