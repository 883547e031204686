/**
 * The autoencoder objectives of scGNN, as one mini-batch loss (reference note §1.4, §1.10, §2.2):
 *
 *   J = mseWeight·Σ(x̂−x)²                       plain reconstruction (v1 gammaPara 0.1 pre-EM, 1 in EM phases)
 *     + ltmgWeight·Σ(x̂−x)²⊙T                    LTMG regulariser, T = LTMG state per entry (v1 alphaRegularizePara)
 *     + Σ_i c_i·e_i,  e_i = Σ_g(x̂_ig−x_ig)²     per-cell SSE weights: the v1 "graph" and "cell-type" imputation
 *                                               regularisers are Σ(A@E), Σ(C@E) = degree- and cluster-size-weighted
 *                                               per-cell SSE, so c_i = 0.3·deg_i + 0.1·|cluster(i)| (no N x N)
 *     + observedWeight·‖(t−x̂)[t≠0]‖₂            scGNN 2.0 term on the observed non-zeros of t (`v2:train.py:100`)
 *     + l1·Σ|θ| + l2·Σθ²                        over all weights and biases (v1 L1Para 1.0, L2Para 0.0)
 *
 * with J summed over all N cells (the reference's `reduction='sum'`, full batch).
 *
 * Mini-batches: a batch of B cells yields L_b = (B/N)·Ĵ_b, where Ĵ_b estimates J from the batch (data sums
 * scaled by N/B). So the data terms stay plain batch sums, the parameter penalties are scaled by B/N and the
 * observed-norm term by √(B/N). The balance between the data terms and L1 is then the reference's full-batch
 * balance whatever the batch size (an unscaled Σ|θ| per step would weigh L1 N/B times more than the reference
 * does), and the epoch sum Σ_b L_b ≈ J is comparable with the reference's printed loss.
 *
 * 'mean' reduction divides L_b by B·genes: every term keeps the same relative weight (the objective is J/(N·G));
 * only the scale changes. That matters for Adam only through its ε (gradients ~1e6 times smaller), so 'sum'
 * is the default.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../pipeline/context.ts';
import { scaledSign, type PenaltyGradient } from './adam.ts';

/** The terms reported in loss events, in this order. */
export const TERM_NAMES = ['mse', 'ltmg', 'cell', 'observed', 'l1', 'l2'] as const;
export type TermName = (typeof TERM_NAMES)[number];

export interface LossWeights {
  readonly mseWeight: number;
  readonly ltmgWeight: number;
  readonly l1: number;
  readonly l2: number;
  readonly observedWeight?: number;
  readonly reduction: 'sum' | 'mean';
}

export interface BatchTensors {
  /** Target, B x genes. */
  readonly x: tfc.Tensor2D;
  /** Reconstruction, B x genes. */
  readonly recon: tfc.Tensor2D;
  /** Per-entry weights (LTMG states), B x genes; required when ltmgWeight ≠ 0. */
  readonly entryWeights?: tfc.Tensor2D;
  /** Per-cell SSE multipliers, B x 1. */
  readonly cellWeights?: tfc.Tensor2D;
  /** Matrix whose non-zeros the observed term fits (default: x), B x genes. */
  readonly observedTarget?: tfc.Tensor2D;
}

/** Guards √ at 0 (‖0‖₂ has no gradient); far below any real squared error. */
const NORM_EPS = 1e-12;

/**
 * The mini-batch loss L_b and its weighted terms (order of TERM_NAMES; terms sum to `total`).
 * `batchFraction` = B/N, the batch's share of the cells the objective is defined over.
 */
/**
 * Σ of same-shape tensors, at most 4 per addN: WebGPU's addN binds every input as a storage buffer, and
 * adapters may allow only 8 per shader stage (SwiftShader does), so addN over the autoencoder's 8 parameter
 * sums failed to compile there ("storage buffers (9) ... exceeds the maximum per-stage limit (8)").
 */
export function sumTensors<T extends tfc.Tensor>(tf: Tf, xs: readonly T[]): T {
  if (xs.length === 0) throw new RangeError('sumTensors needs at least one tensor');
  let level: tfc.Tensor[] = [...xs];
  while (level.length > 1) {
    const next: tfc.Tensor[] = [];
    for (let i = 0; i < level.length; i += 4) {
      const group = level.slice(i, i + 4);
      next.push(group.length === 1 ? group[0]! : tf.addN(group));
    }
    level = next;
  }
  return level[0] as T;
}

export function batchLoss(
  tf: Tf,
  batch: BatchTensors,
  weights: LossWeights,
  parameters: readonly tfc.Tensor[],
  batchFraction: number,
): { total: tfc.Scalar; terms: tfc.Tensor1D } {
  const [b, g] = batch.recon.shape;
  const scale = weights.reduction === 'mean' ? 1 / (b * g) : 1;
  const zero = (): tfc.Scalar => tf.scalar(0);
  const sq = tf.squaredDifference(batch.recon, batch.x);

  const mse = weights.mseWeight !== 0 ? tf.mul(tf.sum(sq), weights.mseWeight * scale) : zero();
  let ltmg = zero();
  if (weights.ltmgWeight !== 0) {
    if (!batch.entryWeights) throw new Error('the LTMG term needs entry weights (LTMG states)');
    ltmg = tf.mul(tf.sum(tf.mul(sq, batch.entryWeights)), weights.ltmgWeight * scale);
  }
  const cell = batch.cellWeights ? tf.mul(tf.sum(tf.mul(sq, batch.cellWeights)), scale) : zero();

  let observed = zero();
  const wObs = weights.observedWeight ?? 0;
  if (wObs !== 0) {
    const t = batch.observedTarget ?? batch.x;
    const mask = tf.cast(tf.notEqual(t, 0), 'float32');
    const ssObs = tf.sum(tf.mul(tf.squaredDifference(batch.recon, t), mask));
    observed = tf.mul(tf.sqrt(tf.add(ssObs, NORM_EPS)), wObs * Math.sqrt(batchFraction) * scale);
  }

  const penalty = (w: number, f: (p: tfc.Tensor) => tfc.Tensor): tfc.Scalar =>
    w === 0 || parameters.length === 0
      ? zero()
      : tf.mul(
          sumTensors(
            tf,
            parameters.map((p) => tf.sum(f(p))),
          ),
          w * batchFraction * scale,
        );
  const l1 = penalty(weights.l1, (p) => tf.abs(p));
  const l2 = penalty(weights.l2, (p) => tf.square(p));

  const parts = [mse, ltmg, cell, observed, l1, l2];
  return { total: sumTensors(tf, parts) as tfc.Scalar, terms: tf.stack(parts) as tfc.Tensor1D };
}

export interface LossGradients {
  /** Weighted terms, order of TERM_NAMES (equal to batchLoss's). */
  readonly terms: tfc.Tensor1D;
  /** dL_b / d recon, B x genes. */
  readonly dRecon: tfc.Tensor2D;
  /**
   * dL_b / dθ of the L1/L2 penalties, one per parameter; null when both weights are 0 or when the caller
   * asked for `penalty` only (`penaltyGradients: false`).
   */
  readonly dParams: (tfc.Tensor | null)[];
  /** dL_b / dθ = penalty.l1·sign θ + penalty.l2·θ, as coefficients (for FusedAdam, adam.ts). */
  readonly penalty: PenaltyGradient;
}

export interface LossGradientOptions {
  /**
   * Whether to materialise `dParams` (default true). The training loop passes false and folds `penalty`
   * into the optimizer step instead (one pass over the parameters instead of three).
   */
  readonly penaltyGradients?: boolean;
}

/**
 * The same loss as `batchLoss` with its gradients written out, so that training needs no registered tf
 * gradient (plain Node ESM cannot load `register_all_gradients`) and runs only forward-mode kernels:
 *   d/dx̂ = 2·s·(x̂−x)⊙(mseWeight + ltmgWeight·T + c_i) + s·w·√(B/N)·(x̂−t)⊙[t≠0] / ‖(x̂−t)[t≠0]‖₂
 *   d/dθ = s·(B/N)·(l1·sign θ + 2·l2·θ)          (sign 0 = 0, as torch's subgradient of |θ|)
 * with s the reduction scale.
 */
export function lossWithGradients(
  tf: Tf,
  batch: BatchTensors,
  weights: LossWeights,
  parameters: readonly tfc.Tensor[],
  batchFraction: number,
  options: LossGradientOptions = {},
): LossGradients {
  const [b, g] = batch.recon.shape;
  const scale = weights.reduction === 'mean' ? 1 / (b * g) : 1;
  const zero = (): tfc.Scalar => tf.scalar(0);
  const diff = tf.sub(batch.recon, batch.x);
  const sq = tf.square(diff);

  // Per-entry weight of the squared error: mseWeight + ltmgWeight·T + c_i.
  let entryWeight: tfc.Tensor | null = weights.mseWeight !== 0 ? tf.scalar(weights.mseWeight) : null;
  const addWeight = (w: tfc.Tensor): void => {
    entryWeight = entryWeight ? tf.add(entryWeight, w) : w;
  };
  const mse = weights.mseWeight !== 0 ? tf.mul(tf.sum(sq), weights.mseWeight * scale) : zero();
  let ltmg = zero();
  if (weights.ltmgWeight !== 0) {
    if (!batch.entryWeights) throw new Error('the LTMG term needs entry weights (LTMG states)');
    const wT = tf.mul(batch.entryWeights, weights.ltmgWeight);
    ltmg = tf.mul(tf.sum(tf.mul(sq, wT)), scale);
    addWeight(wT);
  }
  let cell = zero();
  if (batch.cellWeights) {
    cell = tf.mul(tf.sum(tf.mul(sq, batch.cellWeights)), scale);
    addWeight(batch.cellWeights);
  }
  let dRecon: tfc.Tensor2D =
    entryWeight !== null ? tf.mul(diff, tf.mul(entryWeight, 2 * scale)) : tf.zerosLike(batch.recon);

  let observed = zero();
  const wObs = weights.observedWeight ?? 0;
  if (wObs !== 0) {
    const t = batch.observedTarget ?? batch.x;
    const mask = tf.cast(tf.notEqual(t, 0), 'float32');
    const r = tf.mul(tf.sub(batch.recon, t), mask);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(r)), NORM_EPS));
    const coef = wObs * Math.sqrt(batchFraction) * scale;
    observed = tf.mul(norm, coef);
    dRecon = tf.add(dRecon, tf.mul(tf.div(r, norm), coef));
  }

  const k = batchFraction * scale;
  let l1 = zero();
  let l2 = zero();
  const penalty: PenaltyGradient = { l1: weights.l1 * k, l2: 2 * weights.l2 * k };
  const dParams = parameters.map((p) => {
    if ((weights.l1 === 0 && weights.l2 === 0) || options.penaltyGradients === false) return null;
    let grad: tfc.Tensor | null = null;
    if (weights.l1 !== 0) grad = scaledSign(tf, p, penalty.l1);
    if (weights.l2 !== 0) {
      const g2 = tf.mul(p, penalty.l2);
      grad = grad ? tf.add(grad, g2) : g2;
    }
    return grad;
  });
  if (weights.l1 !== 0 && parameters.length > 0)
    l1 = tf.mul(
      sumTensors(
        tf,
        parameters.map((p) => tf.sum(tf.abs(p))),
      ),
      weights.l1 * k,
    );
  if (weights.l2 !== 0 && parameters.length > 0)
    l2 = tf.mul(
      sumTensors(
        tf,
        parameters.map((p) => tf.sum(tf.square(p))),
      ),
      weights.l2 * k,
    );

  return {
    terms: tf.stack([mse, ltmg, cell, observed, l1, l2]) as tfc.Tensor1D,
    dRecon,
    dParams,
    penalty,
  };
}
