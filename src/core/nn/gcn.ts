/**
 * The scGNN 1.0 graph encoder (reference note §1.6; `v1:gae/model.py:GCNModelVAE`, `gae/layers.py`; Kipf &
 * Welling 2016, "Variational Graph Auto-Encoders"): GraphConvolution(in -> hidden, ReLU) then two
 * GraphConvolutions(hidden -> latent) for μ and log σ², all without bias, Xavier-initialised, with the
 * propagation Â = D̃^-½(A+I)D̃^-½. scGNN 2.0 uses the same encoder by default (§2.1).
 *
 * Each layer computes Â (H W) rather than (Â H) W: W shrinks the width first (128 -> 32), so the sparse
 * propagation moves fewer numbers. μ and log σ² share one propagation (their weights are concatenated).
 * The backward pass is written out (see graph-loss.ts for why there is no autodiff).
 */
import type { Scalar, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../pipeline/context.ts';
import type { Rng } from '../rng.ts';
import { klTerm } from './graph-loss.ts';
import {
  matMulTA,
  matMulTB,
  propagateForward,
  uniformValues,
  variableFrom,
  xavierBound,
  type GraphTensors,
} from './graph-ops.ts';

export interface GcnVars {
  /** [in, hidden]. */
  readonly w1: Variable;
  /** [hidden, latent] (plain GAE) or [hidden, 2 * latent] (μ | log σ², VAE). */
  readonly wOut: Variable;
  readonly latent: number;
  readonly variational: boolean;
}

export function initGcn(
  tf: Tf,
  rng: Rng,
  inDim: number,
  hidden: number,
  latent: number,
  variational: boolean,
): GcnVars {
  const w1 = variableFrom(tf, uniformValues(inDim * hidden, xavierBound(inDim, hidden), rng), [
    inDim,
    hidden,
  ]);
  // μ and log σ² are two separate (hidden x latent) Xavier matrices in the reference; concatenated here.
  const outCols = variational ? 2 * latent : latent;
  const bound = xavierBound(hidden, latent);
  const vals = new Float32Array(hidden * outCols);
  const mu = uniformValues(hidden * latent, bound, rng);
  const lv = variational ? uniformValues(hidden * latent, bound, rng) : null;
  for (let r = 0; r < hidden; r++) {
    for (let c = 0; c < latent; c++) {
      vals[r * outCols + c] = mu[r * latent + c]!;
      if (lv) vals[r * outCols + latent + c] = lv[r * latent + c]!;
    }
  }
  const wOut = variableFrom(tf, vals, [hidden, outCols]);
  return { w1, wOut, latent, variational };
}

export interface GcnOutput {
  readonly mu: Tensor2D;
  /** log σ² (VAE only). */
  readonly logvar: Tensor2D | null;
}

/** What the backward pass needs from the forward pass. */
interface GcnCache {
  readonly h: Tensor2D;
  readonly out: Tensor2D;
}

/** Not tidied: callers run it inside their own tf.tidy. */
function forward(tf: Tf, gt: GraphTensors, x: Tensor2D, vars: GcnVars): GcnOutput & GcnCache {
  {
    const h = tf.relu(propagateForward(tf, gt, tf.matMul(x, vars.w1 as Tensor2D))) as Tensor2D;
    const out = propagateForward(tf, gt, tf.matMul(h, vars.wOut as Tensor2D));
    const n = out.shape[0];
    if (!vars.variational) return { h, out, mu: out, logvar: null };
    return {
      h,
      out,
      mu: tf.slice(out, [0, 0], [n, vars.latent]),
      logvar: tf.slice(out, [0, vars.latent], [n, vars.latent]),
    };
  }
}

/** Encode (inference): μ (the embedding); `gt` must be built with self loops (Â includes I). */
export function gcnEncode(tf: Tf, gt: GraphTensors, x: Tensor2D, vars: GcnVars): Tensor2D {
  return tf.tidy(() => forward(tf, gt, x, vars).mu);
}

/** μ and log σ² (null for the plain GAE), for tests. */
export function gcnEncodeFull(tf: Tf, gt: GraphTensors, x: Tensor2D, vars: GcnVars): GcnOutput {
  const [mu, logvar] = tf.tidy(() => {
    const r = forward(tf, gt, x, vars);
    return r.logvar ? [r.mu, r.logvar] : [r.mu];
  });
  return { mu: mu!, logvar: logvar ?? null };
}

/** The embedding loss: value and gradient with respect to the decoded embedding z. */
export type EmbeddingLoss = (z: Tensor2D) => { loss: Scalar; dZ: Tensor2D };

export interface StepResult {
  readonly loss: Scalar;
  /** [reconstruction, kl]. */
  readonly terms: Tensor1D;
  /** Gradients in the order of `variables`. */
  readonly grads: Tensor2D[];
}

/**
 * One training step's forward and backward pass, written out (no autodiff):
 * z = μ + ε·exp(½ log σ²) (VAE; z = μ otherwise), loss = recon(z) + KL, and back through
 * out = Â (H W_out), H = relu(Â (X W1)), using Âᵀ = Â.
 */
export function gcnStep(
  tf: Tf,
  gt: GraphTensors,
  x: Tensor2D,
  vars: GcnVars,
  eps: Tensor2D | null,
  recon: EmbeddingLoss,
): StepResult {
  return tf.tidy(() => {
    const f = forward(tf, gt, x, vars);
    let dOut: Tensor2D;
    let klLoss: Scalar = tf.scalar(0);
    let reconLoss: Scalar;
    if (f.logvar && eps) {
      const sigmaEps = tf.mul(eps, tf.exp(tf.mul(f.logvar, 0.5)));
      const r = recon(tf.add(f.mu, sigmaEps) as Tensor2D);
      const kl = klTerm(tf, f.mu, f.logvar);
      reconLoss = r.loss;
      klLoss = kl.loss;
      // d z / d log σ² = ½ ε σ.
      const dLogvar = tf.add(tf.mul(r.dZ, tf.mul(sigmaEps, 0.5)), kl.dLogvar);
      dOut = tf.concat([tf.add(r.dZ, kl.dMu), dLogvar], 1) as Tensor2D;
    } else {
      const r = recon(f.mu);
      reconLoss = r.loss;
      dOut = r.dZ;
    }
    const dHW = propagateForward(tf, gt, dOut);
    const dWOut = matMulTA(tf, f.h, dHW);
    const dA1 = tf.mul(matMulTB(tf, dHW, vars.wOut as Tensor2D), tf.step(f.h)) as Tensor2D;
    const dW1 = matMulTA(tf, x, propagateForward(tf, gt, dA1));
    return {
      loss: tf.add(reconLoss, klLoss) as Scalar,
      terms: tf.stack([reconLoss, klLoss]) as Tensor1D,
      grads: [dW1, dWOut],
    };
  });
}

export function gcnVariables(vars: GcnVars): Variable[] {
  return [vars.w1, vars.wOut];
}

export function disposeGcn(vars: GcnVars): void {
  vars.w1.dispose();
  vars.wOut.dispose();
}
