/**
 * Reconstruction losses of the scGNN graph autoencoders (reference note §1.6 and §2.2).
 *
 * Reference (dense): with logits X = Z Zᵀ and labels Y = A + I (N x N),
 *   L = norm · mean_ij [ pos_weight · y_ij · softplus(-x_ij) + (1 - y_ij) · softplus(x_ij) ]
 * GCN (scGNN 1.0, and 2.0's GCN path): P = Σ Y, pos_weight = (N² - P) / P, norm = N² / ((N² - P) · 2).
 * GAT (scGNN 2.0): plain BCEWithLogits, pos_weight = norm = 1.
 *
 * Sparse estimate (no N x N tensor):
 *   N² L / norm = Σ_pos pos_weight · softplus(-x)  +  (N² - P) · mean over sampled non-edges of softplus(x).
 * The positive part is exact (padded neighbour lists with self loops). Pairs are sampled with M random
 * permutations π_m: the pairs (i, π_m(i)) for all i, of which those that are positives (edges, self pairs) are
 * dropped. π(i) is uniform over the nodes, so the kept pairs are uniform over the non-edges, and every node
 * appears exactly once per permutation on each side (stratified: lower variance than independent pairs).
 * The non-edge mean is a ratio estimate (consistent; its bias is O(1/samples)) that, unlike "all pairs minus
 * positives", never goes negative. With the N cyclic shifts as "permutations" it enumerates every pair and
 * equals the dense loss exactly (tested). A permutation's gradient is a gather by its inverse, so no scatter /
 * segment-sum kernel is needed.
 *
 * Gradients are written out (no tf autodiff): plain Node ESM cannot load tfjs' registered gradients, and the
 * training loop then runs forward kernels only, without a tape.
 */
import type { Scalar, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { Tf } from '../pipeline/context.ts';
import {
  matMulTB,
  pairLogitsBackward,
  pairLogitsForward,
  permutedBackward,
  permutedForward,
  type GraphTensors,
  type PaddedGraph,
  type RowPermutations,
} from './graph-ops.ts';

export interface ReconWeights {
  readonly posWeight: number;
  readonly norm: number;
}

/** The reference's weights: GAE/VAE pos_weight and norm, or plain BCE (GAT). `nPositive` = Σ(A + I). */
export function reconWeights(n: number, nPositive: number, weighted: boolean): ReconWeights {
  if (!weighted) return { posWeight: 1, norm: 1 };
  const n2 = n * n;
  return { posWeight: (n2 - nPositive) / nPositive, norm: n2 / ((n2 - nPositive) * 2) };
}

/** Dense label matrix A + I (row-major N x N) from padded lists built with self loops. Small N only. */
export function denseLabels(pg: PaddedGraph): Float32Array {
  if (!pg.selfLoops) throw new Error('denseLabels needs the padded graph with self loops (labels are A + I)');
  const y = new Float32Array(pg.n * pg.n);
  for (let s = 0; s < pg.n * pg.width; s++) {
    if (pg.mask[s]! > 0) y[Math.floor(s / pg.width) * pg.n + pg.idx[s]!] = 1;
  }
  return y;
}

/** A loss value and its gradient with respect to the embedding. */
export interface LossAndGrad {
  readonly loss: Scalar;
  readonly dZ: Tensor2D;
}

/**
 * The reference loss exactly as written, N x N logits against dense labels, and its gradient:
 * dL/dx_ij = norm/N² ((1 - y)σ(x) - pos_weight·y·(1 - σ(x))) =: G (symmetric), so dL/dZ = (G + Gᵀ) Z = 2 G Z.
 */
export function denseReconLoss(tf: Tf, z: Tensor2D, labels: Tensor2D, w: ReconWeights): LossAndGrad {
  return tf.tidy(() => {
    const n = z.shape[0];
    const c = w.norm / (n * n);
    const x = matMulTB(tf, z, z);
    const pos = tf.mul(tf.mul(labels, tf.softplus(tf.neg(x))), w.posWeight);
    const neg = tf.mul(tf.sub(1, labels), tf.softplus(x));
    const loss = tf.mul(tf.sum(tf.add(pos, neg)), c) as Scalar;
    const s = tf.sigmoid(x);
    const g = tf.sub(tf.mul(tf.sub(1, labels), s), tf.mul(tf.mul(labels, tf.sub(1, s)), w.posWeight));
    const dZ = tf.matMul(tf.mul(g, 2 * c) as Tensor2D, z) as Tensor2D;
    return { loss, dZ };
  });
}

/** Sampled pairs for `sparseReconLoss`: permutation indices (see RowPermutations in graph-ops) and which to keep. */
export interface NegativeSample {
  readonly fwd: Tensor1D;
  readonly inv: Tensor1D;
  readonly m: number;
  /** [m, n]: 1 where (i, π_m(i)) is a non-edge (i ≠ π_m(i) and not adjacent), else 0. */
  readonly keep: Tensor2D;
  /** (N² - P) / Σ keep: weight of each kept pair (0 when none was kept). */
  readonly scale: number;
}

/** Which sampled pairs are non-edges, as [m, n] values and the scale of `NegativeSample`. */
export function nonEdgeMask(pg: PaddedGraph, perms: RowPermutations): { keep: Float32Array; scale: number } {
  if (!pg.selfLoops) throw new Error('nonEdgeMask needs the padded graph with self loops');
  const { n, width } = pg;
  const keep = new Float32Array(perms.m * n);
  let kept = 0;
  for (let s = 0; s < keep.length; s++) {
    const i = s % n;
    const j = perms.fwd[s]!;
    let edge = false;
    for (let k = 0; k < width && !edge; k++)
      edge = pg.mask[i * width + k]! > 0 && pg.idx[i * width + k] === j;
    if (!edge) {
      keep[s] = 1;
      kept++;
    }
  }
  return { keep, scale: kept > 0 ? (n * n - pg.nPositive) / kept : 0 };
}

/** The sparse estimate of `denseReconLoss` and its gradient; `gt` must have self loops (positives = A + I). */
export function sparseReconLoss(
  tf: Tf,
  gt: GraphTensors,
  z: Tensor2D,
  negatives: NegativeSample,
  w: ReconWeights,
): LossAndGrad {
  if (!gt.pg.selfLoops) throw new Error('sparseReconLoss needs the padded graph with self loops');
  return tf.tidy(() => {
    const n = z.shape[0];
    const c = w.norm / (n * n);
    // Positives: exact. Padding slots have x = 0 but softplus(0) != 0, hence the mask.
    const xPos = pairLogitsForward(tf, gt, z);
    const posTerm = tf.mul(tf.sum(tf.mul(tf.softplus(tf.neg(xPos)), gt.mask)), w.posWeight);
    const gPos = tf.mul(tf.sigmoid(tf.neg(xPos)), tf.mul(gt.mask, -c * w.posWeight)) as Tensor2D;
    // Non-edges, estimated from the sampled pairs: x[m,i] = <z_i, z_π_m(i)>.
    const zPerm = permutedForward(tf, z, negatives.fwd, negatives.m);
    const xAll = tf.sum(tf.mul(zPerm, tf.expandDims(z, 0)), 2);
    const allTerm = tf.mul(tf.sum(tf.mul(tf.softplus(xAll), negatives.keep)), negatives.scale);
    const gAll = tf.expandDims(tf.mul(tf.mul(tf.sigmoid(xAll), negatives.keep), c * negatives.scale), 2);
    const dZ = tf.addN([
      pairLogitsBackward(tf, gt, z, gPos),
      tf.sum(tf.mul(gAll, zPerm), 0),
      permutedBackward(tf, tf.mul(gAll, tf.expandDims(z, 0)) as Tensor3D, negatives.inv),
    ]) as Tensor2D;
    return { loss: tf.mul(tf.add(posTerm, allTerm), c) as Scalar, dZ };
  });
}

/**
 * KL term of the VAE with log σ² as the encoder's second output, and its gradients:
 *   KL = -0.5 / N · mean_i Σ_d (1 + log σ² - μ² - σ²);  dμ = μ / N²;  d log σ² = -0.5 (1 - σ²) / N².
 * The reference names that output `logvar` but uses σ = exp(logvar) (so it is really log σ) and writes the KL
 * as (1 + 2·logvar - μ² - exp(logvar)²); that KL is the same function of σ, so only the reparametrisation
 * σ = exp(0.5·log σ²) changes, i.e. the standard VAE.
 */
export function klTerm(
  tf: Tf,
  mu: Tensor2D,
  logvar: Tensor2D,
): { loss: Scalar; dMu: Tensor2D; dLogvar: Tensor2D } {
  return tf.tidy(() => {
    const n = mu.shape[0];
    const c = -0.5 / (n * n);
    const v = tf.exp(logvar);
    const inner = tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), v);
    return {
      loss: tf.mul(tf.sum(inner), c) as Scalar,
      dMu: tf.mul(mu, 1 / (n * n)) as Tensor2D,
      dLogvar: tf.mul(tf.sub(1, v), c) as Tensor2D,
    };
  });
}
