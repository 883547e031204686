/**
 * Adam with the L1/L2 penalty gradients folded in, in as few (and as cheap) tfjs kernels as possible.
 *
 * Same update as `tf.train.adam` (Kingma & Ba; tfjs `AdamOptimizer`), rewritten so that every step is a
 * handful of elementwise ops per variable with JS-number scalars:
 *
 *   tf.train.adam:  m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *                   θ ← θ − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 *   here:           m̃ ← β1·m̃ + g,  ṽ ← β2·ṽ + g²          (m = (1−β1)·m̃, v = (1−β2)·ṽ)
 *                   θ ← θ − αₜ · m̃ / (√ṽ + εₜ),   r = √((1−β2)/(1−β2ᵗ)),
 *                   αₜ = lr·(1−β1)/(1−β1ᵗ)/r,  εₜ = ε/r
 *
 * which is the same arithmetic up to float rounding (the bias corrections and the (1−β) factors move into
 * the two scalars αₜ, εₜ): 10 elementwise kernels per variable instead of 14, and no scalar-tensor ops.
 * Intermediates are disposed as soon as they are consumed, so the next kernel's output tends to reuse a block
 * that is still in cache (the step is memory-bound: ~16 passes over 2.2 M floats for the reference AE).
 *
 * The penalty subgradient `l1·sign(θ) + l2·θ` is added to g in the same pass. `tf.sign` is one of the
 * slowest WASM kernels (~50x an add), and on WASM it also returns 0 for |θ| ≲ 1.1e-7 (measured: sign(1e-7)
 * = 0, sign(1.2e-7) = 1; the CPU backend and torch give ±1 for every θ ≠ 0). So l1·sign(θ) is computed as
 * clip(θ·2¹²⁷·2¹²⁷, −l1, l1): every non-zero finite float32 (subnormals included) times 2²⁵⁴ is ≥ 2¹⁰⁵ in
 * magnitude (or ±∞), so the clip returns exactly ±l1, and 0 stays 0 (torch's subgradient of |θ| at 0), on
 * every backend.
 *
 * Deviation from the reference: torch's Adam with autograd's L1 gradient; here one fused pass, faster per step
 * than tf.train.adam + a separate l1·sign(θ) gradient. Decision: docs/decisions/fused-adam.md
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../pipeline/context.ts';

export interface AdamConfig {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  /** Default: the backend's epsilon (1e-7 on float32 backends), as tf.train.adam. */
  readonly epsilon?: number;
}

/** Coefficients of the penalty gradient added to every variable's gradient: l1·sign(θ) + l2·θ. */
export interface PenaltyGradient {
  readonly l1: number;
  readonly l2: number;
}

const BIG = 2 ** 127;

/** `c·sign(θ)` (sign 0 = 0) from fast elementwise kernels only (see the file comment). Exact for finite θ. */
export function scaledSign(tf: Tf, theta: tfc.Tensor, c: number): tfc.Tensor {
  const a = Math.abs(c);
  const t1 = tf.mul(theta, BIG);
  const t2 = tf.mul(t1, BIG);
  t1.dispose();
  const s = tf.clipByValue(t2, -a, a);
  t2.dispose();
  if (c >= 0) return s;
  const n = tf.neg(s);
  s.dispose();
  return n;
}

export class FusedAdam {
  private readonly lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly m: tfc.Variable[];
  private readonly v: tfc.Variable[];
  private t = 0;

  constructor(
    private readonly tf: Tf,
    private readonly variables: readonly tfc.Variable[],
    config: AdamConfig,
  ) {
    this.lr = config.learningRate;
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? tf.backend().epsilon();
    this.m = variables.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.v = variables.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.t;
  }

  /**
   * One Adam step: θ ← Adam(θ, g + l1·sign(θ) + l2·θ) for every variable (grads in variable order).
   * The gradients are not disposed.
   */
  applyGradients(grads: readonly tfc.Tensor[], penalty: PenaltyGradient = { l1: 0, l2: 0 }): void {
    const tf = this.tf;
    if (grads.length !== this.variables.length)
      throw new RangeError(`${grads.length} gradients for ${this.variables.length} variables`);
    this.t++;
    const { beta1: b1, beta2: b2, t } = this;
    const r = Math.sqrt((1 - b2) / (1 - b2 ** t));
    const alpha = (this.lr * (1 - b1)) / (1 - b1 ** t) / r;
    const eps = this.epsilon / r;
    // Each intermediate is disposed as soon as it has been consumed (see the file comment).
    const then = (t: tfc.Tensor, f: (t: tfc.Tensor) => tfc.Tensor): tfc.Tensor => {
      const r = f(t);
      t.dispose();
      return r;
    };
    // (tidy only as a safety net: everything is disposed explicitly.)
    tf.tidy(() =>
      this.variables.forEach((theta, i) => {
        let g = grads[i]!;
        const owned = (next: tfc.Tensor): void => {
          if (g !== grads[i]) g.dispose();
          g = next;
        };
        if (penalty.l1 !== 0) {
          const s = scaledSign(tf, theta, penalty.l1);
          owned(tf.add(g, s));
          s.dispose();
        }
        if (penalty.l2 !== 0) {
          const s = tf.mul(theta, penalty.l2);
          owned(tf.add(g, s));
          s.dispose();
        }
        const m = then(tf.mul(this.m[i]!, b1), (t) => tf.add(t, g));
        const g2 = tf.square(g);
        if (g !== grads[i]) g.dispose();
        const v = then(tf.mul(this.v[i]!, b2), (t) => tf.add(t, g2));
        g2.dispose();
        let step = then(tf.sqrt(v), (t) => tf.add(t, eps));
        step = then(step, (t) => tf.div(m, t));
        step = then(step, (t) => tf.mul(t, alpha));
        const next = then(step, (t) => tf.sub(theta, t));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        theta.assign(next);
        m.dispose();
        v.dispose();
        next.dispose();
      }),
    );
  }

  dispose(): void {
    for (const s of [...this.m, ...this.v]) s.dispose();
  }
}
