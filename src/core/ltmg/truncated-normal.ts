/**
 * Normal-distribution helpers for LTMG's left-truncated EM (`LTMG:R/RunLTMG.R:135-181`, `Fit_LTMG`): the log
 * normal CDF, the inverse Mills ratio `im = φ(z)/Φ(z)` and the moments of a normal restricted to `X < q`, which
 * the M-step uses to account for the censored (below cut-off) points.
 *
 * Why not `tf.erf`: tensors here are float32 and `Φ(z) = (1 + erf(z/√2))/2` loses every digit in the lower tail
 * (at z = -5, 1 + erf is 1 - 0.99999943, below float32 resolution). Instead `log erfc` is evaluated directly with
 * the Chebyshev fit of Numerical Recipes' `erfcc` (fractional error < 1.2e-7 for every argument), which is a
 * closed form `log t - a² + poly(t)` and therefore stays finite far into the tail. It uses only elementwise
 * ops, so it runs on every backend (cpu, wasm, webgl, webgpu).
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../pipeline/context.ts';

/** Coefficients of `erfcc` (Numerical Recipes, 2nd ed., §6.2), highest order first for Horner's rule. */
const ERFC_COEFFS = [
  0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196,
  1.00002368, -1.26551223,
] as const;

export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_HALF = Math.log(0.5);

/** `log erfc(a)` for `a >= 0`, in float64 (CPU side and tests). */
export function logErfcScalar(a: number): number {
  const t = 1 / (1 + 0.5 * a);
  let poly = 0;
  for (const c of ERFC_COEFFS) poly = poly * t + c;
  return Math.log(t) - a * a + poly;
}

/** `log Φ(z)`, the log of the standard normal CDF, in float64. */
export function logNormalCdfScalar(z: number): number {
  const le = logErfcScalar(Math.abs(z) / Math.SQRT2);
  return z < 0 ? LOG_HALF + le : Math.log1p(-0.5 * Math.exp(le));
}

/** Standard normal log density. */
export function logNormalPdfScalar(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** Inverse Mills ratio `φ(z)/Φ(z)` (R's `im` in `Fit_LTMG`), in float64. */
export function inverseMillsScalar(z: number): number {
  return Math.exp(logNormalPdfScalar(z) - logNormalCdfScalar(z));
}

/**
 * Moments of `X ~ N(mu, sigma²)` given `X < q`: the mean `mu - sigma·im` and the second moment about `mu`,
 * `sigma²(1 - z·im)` with `z = (q - mu)/sigma`. These are exactly the terms `Fit_LTMG` adds for the censored
 * points (`RunLTMG.R:166-169`).
 */
export function truncatedMomentsScalar(
  mu: number,
  sigma: number,
  q: number,
): { mean: number; second: number } {
  const z = (q - mu) / sigma;
  const im = inverseMillsScalar(z);
  return { mean: mu - sigma * im, second: sigma * sigma * (1 - z * im) };
}

/** `log erfc(a)` elementwise for `a >= 0` (float32 tensors). */
export function logErfc(tf: Tf, a: Tensor): Tensor {
  return tf.tidy(() => {
    const t = tf.div(1, tf.add(1, tf.mul(0.5, a)));
    let poly: Tensor = tf.scalar(0);
    for (const c of ERFC_COEFFS) poly = tf.add(tf.mul(poly, t), c);
    return tf.add(tf.sub(tf.log(t), tf.square(a)), poly);
  });
}

/** `log Φ(z)` elementwise; finite for any finite `z` (lower tail via `log erfc`, upper via `log1p`). */
export function logNormalCdf(tf: Tf, z: Tensor): Tensor {
  return tf.tidy(() => {
    const le = logErfc(tf, tf.mul(tf.abs(z), Math.SQRT1_2));
    // Both branches are finite everywhere (erfc(a) <= 1 for a >= 0), so `where` never mixes in a NaN.
    const lower = tf.add(le, LOG_HALF);
    const upper = tf.log1p(tf.mul(-0.5, tf.exp(le)));
    return tf.where(tf.less(z, 0), lower, upper);
  });
}

/** Inverse Mills ratio `φ(z)/Φ(z)` elementwise, computed in the log domain so it is exact deep in the tail. */
export function inverseMills(tf: Tf, z: Tensor): Tensor {
  return tf.tidy(() => tf.exp(tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), LOG_SQRT_2PI), logNormalCdf(tf, z))));
}

/** Tensor version of {@link truncatedMomentsScalar} (broadcasting `mu`, `sigma`, `q`). */
export function truncatedMoments(
  tf: Tf,
  mu: Tensor,
  sigma: Tensor,
  q: Tensor,
): { mean: Tensor; second: Tensor } {
  return tf.tidy(() => {
    const z = tf.div(tf.sub(q, mu), sigma);
    const im = inverseMills(tf, z);
    return {
      mean: tf.sub(mu, tf.mul(sigma, im)),
      second: tf.mul(tf.square(sigma), tf.sub(1, tf.mul(z, im))),
    };
  });
}
