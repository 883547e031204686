/**
 * Random draws for the synthetic count generator: gamma, Poisson, negative binomial (gamma-Poisson) and
 * Dirichlet, all from the project's seeded `Rng`, so a seed gives the same numbers everywhere.
 *
 * The negative binomial NB(mean mu, dispersion phi) is the gamma-Poisson mixture: lambda ~ Gamma(shape 1/phi,
 * scale mu·phi), count ~ Poisson(lambda); variance mu + phi·mu². Single-cell means are mostly far below 1, so
 * for mu below `NB_INVERSION_MAX_MEAN` the same distribution is drawn by inversion of its CDF from one uniform
 * (P(0) = (1 + mu·phi)^(-1/phi), then P(k+1) = P(k)·(k + r)/(k + 1)·q with r = 1/phi, q = mu/(mu + r)): most
 * draws are a zero decided by one uniform and one power. Larger means draw the gamma and the Poisson explicitly.
 */
import type { Rng } from '../rng.ts';
import { logFactorial } from '../eval/thinning.ts';

/** Means below this are drawn by inversion, larger ones as an explicit gamma-Poisson mixture. */
export const NB_INVERSION_MAX_MEAN = 20;

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1)·U^(1/shape). */
export function gamma(shape: number, rng: Rng): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) {
    const u = 1 - rng.next(); // (0, 1]
    return gamma(shape + 1, rng) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Poisson(lambda): multiplication method below 10, Hörmann's PTRS (transformed rejection) above. */
export function poisson(lambda: number, rng: Rng): number {
  if (!(lambda > 0)) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng.next();
    while (p > limit) {
      k++;
      p *= rng.next();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -lambda + k * loglam - logFactorial(k)
    )
      return k;
  }
}

/**
 * One NB(mu, phi) count (mean mu >= 0, dispersion phi > 0). `invPhi` = 1/phi, passed in because callers
 * draw many counts per gene.
 */
export function negativeBinomial(mu: number, phi: number, invPhi: number, rng: Rng): number {
  if (!(mu > 0)) return 0;
  if (mu >= NB_INVERSION_MAX_MEAN) return poisson(gamma(invPhi, rng) * phi * mu, rng);
  const p0 = Math.exp(-invPhi * Math.log1p(mu * phi));
  const u = rng.next();
  if (u < p0) return 0;
  const q = mu / (mu + invPhi);
  let p = p0;
  let cdf = p0;
  let k = 0;
  // u < 1 - 2^-32 and the CDF sums to 1 within rounding, so this ends; the bound only guards the impossible.
  while (u >= cdf && k < 1e7) {
    k++;
    p *= ((k - 1 + invPhi) / k) * q;
    cdf += p;
  }
  return k;
}

/** P(count = 0) under NB(mu, phi). */
export function nbZeroProbability(mu: number, phi: number, invPhi: number): number {
  return Math.exp(-invPhi * Math.log1p(mu * phi));
}

/** Dirichlet(alpha, ..., alpha) over `k` parts. */
export function dirichlet(k: number, alpha: number, rng: Rng): Float64Array {
  const out = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += out[i] = gamma(alpha, rng);
  for (let i = 0; i < k; i++) out[i]! /= sum;
  return out;
}
