/**
 * Self-supervised refinement of clusters on a learned embedding (DEC, Xie et al. 2016; used by scTAG and
 * scDeepCluster): soft assignments of cells to cluster centres by a Student-t kernel,
 *
 *   q_ij = (1 + |z_i − μ_j|²)⁻¹ / Σ_j' (1 + |z_i − μ_j'|²)⁻¹,
 *
 * a sharpened target p_ij = (q_ij² / f_j) / Σ_j' (q_ij'² / f_j') with f_j = Σ_i q_ij, and the loss
 * KL(P ‖ Q) = (1/N) Σ_ij p_ij log(p_ij / q_ij). P is held fixed between updates (the "self-training"
 * target); the centres μ are trained with the encoder. Gradients are written out, as for the graph models
 * (graph-loss.ts explains why there is no autodiff):
 *
 *   ∂L/∂z_i = (2/N) Σ_j w_ij (z_i − μ_j),   ∂L/∂μ_j = −(2/N) Σ_i w_ij (z_i − μ_j),
 *   w_ij = (1 + |z_i − μ_j|²)⁻¹ (p_ij − q_ij).
 */
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../pipeline/context.ts';

/** Student-t kernel values T (N x K) and soft assignments Q. Not tidied: call inside tf.tidy. */
function kernel(tf: Tf, z: Tensor2D, mu: Tensor2D): { t: Tensor2D; q: Tensor2D } {
  const zz = tf.sum(tf.square(z), 1, true);
  const mm = tf.reshape(tf.sum(tf.square(mu), 1), [1, -1]);
  const d = tf.relu(tf.sub(tf.add(zz, mm), tf.mul(tf.matMul(z, mu, false, true), 2)));
  const t = tf.div(1, tf.add(d, 1)) as Tensor2D;
  const q = tf.div(t, tf.sum(t, 1, true)) as Tensor2D;
  return { t, q };
}

/** Soft assignments Q (N x K) of the rows of z to the centres mu. */
export function softAssign(tf: Tf, z: Tensor2D, mu: Tensor2D): Tensor2D {
  return tf.tidy(() => kernel(tf, z, mu).q);
}

/** The self-training target P from Q (rows sum to 1). */
export function targetDistribution(tf: Tf, q: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const w = tf.div(tf.square(q), tf.add(tf.sum(q, 0, true), 1e-12));
    return tf.div(w, tf.sum(w, 1, true)) as Tensor2D;
  });
}

export interface ClusterHeadLoss {
  readonly loss: Scalar;
  readonly dZ: Tensor2D;
  readonly dMu: Tensor2D;
}

/** KL(P ‖ Q(z, mu)) averaged over cells, and its gradients with respect to z and mu. */
export function clusterHeadLoss(tf: Tf, z: Tensor2D, mu: Tensor2D, p: Tensor2D): ClusterHeadLoss {
  return tf.tidy(() => {
    const n = z.shape[0];
    const { t, q } = kernel(tf, z, mu);
    const eps = 1e-12;
    const loss = tf.div(
      tf.sum(tf.mul(p, tf.sub(tf.log(tf.add(p, eps)), tf.log(tf.add(q, eps))))),
      n,
    ) as Scalar;
    const w = tf.mul(t, tf.sub(p, q)) as Tensor2D;
    const c = 2 / n;
    const dZ = tf.mul(tf.sub(tf.mul(tf.sum(w, 1, true), z), tf.matMul(w, mu)), c) as Tensor2D;
    const dMu = tf.mul(
      tf.sub(tf.mul(tf.reshape(tf.sum(w, 0), [-1, 1]), mu), tf.matMul(w, z, true, false)),
      c,
    ) as Tensor2D;
    return { loss, dZ, dMu };
  });
}

/** Row-wise argmax of Q: each cell's cluster. */
export async function hardAssign(q: Tensor2D): Promise<Int32Array> {
  const [n, k] = q.shape;
  const v = (await q.data()) as Float32Array;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (v[i * k + j]! > v[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** Centroids (K x d, row-major) of the rows of `z` (N x d, row-major) per label 0..K-1. */
export function centroids(z: Float32Array, d: number, labels: Int32Array, k: number): Float32Array {
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (c < 0 || c >= k) continue;
    counts[c]!++;
    for (let f = 0; f < d; f++) sums[c * d + f]! += z[i * d + f]!;
  }
  const out = new Float32Array(k * d);
  for (let c = 0; c < k; c++)
    for (let f = 0; f < d; f++) out[c * d + f] = sums[c * d + f]! / Math.max(1, counts[c]!);
  return out;
}
