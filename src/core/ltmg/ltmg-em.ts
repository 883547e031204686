/**
 * Batched EM for LTMG's left-truncated Gaussian mixture (`LTMG:R/RunLTMG.R:135-181`, `Fit_LTMG`) and its BIC
 * (`:24-42`, `BIC_LTMG`; `:45-62`, `BIC_ZIMG`), fitting a whole block of genes at once as [genes, values, K]
 * tensors instead of R's gene-by-gene loop.
 *
 * Each gene contributes its observed values (log counts >= its censoring point q), each with a multiplicity
 * weight (so tied counts are fitted once; padding has weight 0), plus `c`, the number of censored values below q
 * whose exact position is unknown. With `c = 0` the same iteration is a plain Gaussian-mixture EM (used for the
 * no-zeros branch and the global cut-off in `full` mode).
 *
 * The iteration reproduces R's update literally, including its quirk of computing the new variance around the
 * previous iteration's means. Per gene, R stops when the mean absolute change of (w, mu, sigma) is <= err or a
 * sigma becomes NaN; here every gene carries an `active` flag on the device and is frozen at the iterate where R
 * would have stopped, so no per-iteration read-back is needed. A component whose total responsibility vanishes is
 * what produces R's NaN (0/0 mean); it is marked dead, the gene stops, and the component is dropped as R's
 * `rrr[!is.na(rrr[,2]),]` does. Responsibilities are computed in the log domain (softmax) because float32
 * densities underflow far sooner than R's doubles.
 */
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { StageContext, Tf } from '../pipeline/context.ts';
import { LOG_SQRT_2PI, inverseMills, logNormalCdf } from './truncated-normal.ts';

/** A block of genes laid out for the device: values padded to a common width. */
export interface MixtureBlock {
  readonly nGenes: number;
  readonly width: number;
  /** nGenes x width observed values (padding: any finite value). */
  readonly values: Float32Array;
  /** nGenes x width multiplicities; 0 marks padding. */
  readonly weights: Float32Array;
  /** Censoring point per gene (ignored where `censored` is 0). */
  readonly q: Float32Array;
  /** Number of censored values per gene. */
  readonly censored: Float32Array;
}

/** The block uploaded once and shared by every K. */
export interface BlockTensors {
  readonly block: MixtureBlock;
  readonly x: Tensor3D; // [G, W, 1]
  readonly m: Tensor3D; // [G, W, 1]
  readonly q: Tensor2D; // [G, 1]
  readonly c: Tensor2D; // [G, 1]
  readonly nTot: Tensor2D; // [G, 1] observed + censored
  dispose(): void;
}

export interface MixtureFit {
  readonly k: number;
  /** nGenes x k parameters (R's `cbind(p, mean, sd)`). */
  readonly w: Float32Array;
  readonly mu: Float32Array;
  readonly sd: Float32Array;
  /** nGenes x k: 0 where the component died (R: NaN, dropped). */
  readonly alive: Uint8Array;
  /** Per gene `Σ m · log Σ_k w_k N(x | mu_k, sd_k)` over the block's values (alive components only). */
  readonly logLik: Float32Array;
  /** Iterations run (the slowest gene). */
  readonly iterations: number;
}

/** A component is dead (R would produce 0/0 = NaN) when its total responsibility is below this. */
const DEAD_MASS = 1e-20;
/** Log-weight used for dead / padded components: exp() of it is 0 in float32 without producing -Inf. */
const LOG_ZERO = -1e30;
/** Iterations between read-backs (early exit when every gene stopped) and cancellation checkpoints. */
const CHUNK = 10;

export function uploadBlock(tf: Tf, block: MixtureBlock): BlockTensors {
  const { nGenes: g, width: w } = block;
  const x = tf.tensor3d(block.values, [g, w, 1]);
  const m = tf.tensor3d(block.weights, [g, w, 1]);
  const q = tf.tensor2d(block.q, [g, 1]);
  const c = tf.tensor2d(block.censored, [g, 1]);
  const nTot = tf.tidy(() => tf.add(tf.sum(m, 1), c) as Tensor2D);
  return { block, x, m, q, c, nTot, dispose: () => tf.dispose([x, m, q, c, nTot]) };
}

interface EmState {
  w: Tensor2D;
  mu: Tensor2D;
  sd: Tensor2D;
  alive: Tensor2D; // float 1/0 per component
  active: Tensor2D; // float 1/0 per gene, [G, 1]
}

/** log(w) with dead components mapped to a finite very negative value. */
function logWeights(tf: Tf, w: Tensor, alive: Tensor): Tensor {
  return tf.where(tf.greater(alive, 0), tf.log(tf.maximum(w, 1e-37)), tf.fill(w.shape, LOG_ZERO));
}

/** One EM iteration for every gene of the block (R `RunLTMG.R:150-176`), frozen where `active` is 0. */
function emStep(tf: Tf, bt: BlockTensors, s: EmState, tol: number): EmState {
  return tf.tidy(() => {
    const g = bt.block.nGenes;
    const k = s.mu.shape[1];
    const mu3 = tf.reshape(s.mu, [g, 1, k]);
    const sd3 = tf.reshape(s.sd, [g, 1, k]);
    const lw = logWeights(tf, s.w, s.alive);
    // E-step on observed values: r_jk ∝ w_k N(x_j | mu_k, sd_k), times the multiplicity of x_j.
    const z = tf.div(tf.sub(bt.x, mu3), sd3);
    const z2 = tf.square(z);
    const logits = tf.sub(tf.reshape(tf.sub(lw, tf.log(s.sd)), [g, 1, k]), tf.mul(0.5, z2));
    const r = tf.mul(tf.softmax(logits), bt.m);
    const s0 = tf.sum(r, 1);
    const s1 = tf.sum(tf.mul(r, bt.x), 1);
    const s2 = tf.mul(tf.sum(tf.mul(r, z2), 1), tf.square(s.sd)); // Σ r (x - mu_old)²
    // Censored values: shared out in proportion to w_k Φ((q - mu_k)/sd_k).
    const zq = tf.div(tf.sub(bt.q, s.mu), s.sd);
    const cq = tf.mul(tf.softmax(tf.add(lw, logNormalCdf(tf, zq))), bt.c);
    const im = inverseMills(tf, zq);
    const denom = tf.add(s0, cq);
    const safe = tf.maximum(denom, DEAD_MASS);
    const wNew = tf.div(denom, bt.nTot);
    const muNew = tf.div(tf.add(s1, tf.mul(tf.sub(s.mu, tf.mul(s.sd, im)), cq)), safe);
    const varNew = tf.div(tf.add(s2, tf.mul(tf.mul(tf.square(s.sd), tf.sub(1, tf.mul(zq, im))), cq)), safe);
    const aliveNew = tf.mul(s.alive, tf.cast(tf.greater(denom, DEAD_MASS), 'float32'));
    // A collapsed variance (all mass on one tied value) is R's NaN sigma on the next step: stop there.
    const sdNew = tf.sqrt(varNew);
    const collapsed = tf.any(tf.logicalAnd(tf.greater(aliveNew, 0), tf.lessEqual(sdNew, 0)), 1, true);
    const sdKeep = tf.where(tf.greater(sdNew, 0), sdNew, s.sd);
    const meanAbs = (a: Tensor, b: Tensor): Tensor => tf.mean(tf.abs(tf.sub(a, b)), 1, true);
    const converged = tf.logicalAnd(
      tf.logicalAnd(tf.lessEqual(meanAbs(wNew, s.w), tol), tf.lessEqual(meanAbs(muNew, s.mu), tol)),
      tf.lessEqual(meanAbs(sdKeep, s.sd), tol),
    );
    const died = tf.less(tf.sum(aliveNew, 1, true), tf.sum(s.alive, 1, true));
    const act = tf.greater(s.active, 0);
    const stop = tf.logicalOr(tf.logicalOr(converged, died), collapsed);
    const pick = (n: Tensor, o: Tensor): Tensor2D => tf.where(act, n, o) as Tensor2D;
    return {
      w: pick(tf.mul(wNew, aliveNew), s.w),
      mu: pick(tf.where(tf.greater(aliveNew, 0), muNew, s.mu), s.mu),
      sd: pick(sdKeep, s.sd),
      alive: pick(aliveNew, s.alive),
      active: tf.cast(tf.logicalAnd(act, tf.logicalNot(stop)), 'float32') as Tensor2D,
    };
  });
}

/** `Σ_j m_j log Σ_k w_k N(x_j | mu_k, sd_k)` per gene, alive components only: [G]. */
export function mixtureLogLik(
  tf: Tf,
  bt: BlockTensors,
  w: Tensor2D,
  mu: Tensor2D,
  sd: Tensor2D,
  alive: Tensor2D,
) {
  return tf.tidy(() => {
    const g = bt.block.nGenes;
    const k = mu.shape[1];
    const z = tf.div(tf.sub(bt.x, tf.reshape(mu, [g, 1, k])), tf.reshape(sd, [g, 1, k]));
    const lw = tf.reshape(tf.sub(logWeights(tf, w, alive), tf.log(sd)), [g, 1, k]);
    const ll = tf.sub(tf.logSumExp(tf.sub(lw, tf.mul(0.5, tf.square(z))), 2, true), LOG_SQRT_2PI);
    return tf.sum(tf.mul(ll, bt.m), [1, 2]);
  });
}

/**
 * Fit a k-component mixture to every gene of the block. `initMeans` is nGenes x k, `initSd` one per gene (R
 * starts every component at sd(x)), weights start uniform. `skip` marks genes that R would not fit (too few
 * values): they are never active and their result is meaningless.
 */
export async function fitMixture(
  ctx: StageContext,
  bt: BlockTensors,
  k: number,
  initMeans: Float32Array,
  initSd: Float32Array,
  skip: Uint8Array,
  maxIterations: number,
  tol: number,
  /** Called after every CHUNK iterations with the iterations run so far (of at most maxIterations). */
  onIterations?: (done: number) => void,
): Promise<MixtureFit> {
  const { tf } = ctx;
  const g = bt.block.nGenes;
  const sdInit = new Float32Array(g * k);
  const active = new Float32Array(g);
  for (let i = 0; i < g; i++) {
    active[i] = skip[i] ? 0 : 1;
    sdInit.fill(initSd[i]! > 0 ? initSd[i]! : 1, i * k, (i + 1) * k);
  }
  let s: EmState = {
    w: tf.fill([g, k], 1 / k) as Tensor2D,
    mu: tf.tensor2d(initMeans, [g, k]),
    sd: tf.tensor2d(sdInit, [g, k]),
    alive: tf.ones([g, k]) as Tensor2D,
    active: tf.tensor2d(active, [g, 1]),
  };
  const disposeState = (st: EmState): void => tf.dispose([st.w, st.mu, st.sd, st.alive, st.active]);
  let iterations = 0;
  try {
    while (iterations < maxIterations) {
      const n = Math.min(CHUNK, maxIterations - iterations);
      for (let i = 0; i < n; i++) {
        const next = emStep(tf, bt, s, tol);
        disposeState(s);
        s = next;
      }
      iterations += n;
      const anyActive = tf.tidy(() => tf.max(s.active));
      const stillRunning = (await anyActive.data())[0]! > 0;
      anyActive.dispose();
      onIterations?.(iterations);
      await ctx.checkpoint();
      if (!stillRunning) break;
    }
    const ll = mixtureLogLik(tf, bt, s.w, s.mu, s.sd, s.alive);
    const [w, mu, sd, alive, logLik] = await Promise.all([
      s.w.data(),
      s.mu.data(),
      s.sd.data(),
      s.alive.data(),
      ll.data(),
    ]);
    ll.dispose();
    return {
      k,
      w: Float32Array.from(w),
      mu: Float32Array.from(mu),
      sd: Float32Array.from(sd),
      alive: Uint8Array.from(alive, (a) => (a > 0 ? 1 : 0)),
      logLik: Float32Array.from(logLik),
      iterations,
    };
  } finally {
    disposeState(s);
  }
}

/**
 * State of every value of the block: `argmax_k w_k N(x | mu_k, sd_k)` over components given in ascending-mean
 * order (R `RunLTMG.R:311-327`; ties go to the first, like R's `order(decreasing = TRUE)[1]`). Params are
 * nGenes x k; dead/padded components have `alive` 0. Returns nGenes x width component indices.
 */
export async function assignStates(
  tf: Tf,
  bt: BlockTensors,
  k: number,
  w: Float32Array,
  mu: Float32Array,
  sd: Float32Array,
  alive: Float32Array,
): Promise<Int32Array> {
  const g = bt.block.nGenes;
  const idx = tf.tidy(() => {
    const wt = tf.tensor2d(w, [g, k]);
    const mut = tf.tensor3d(mu, [g, 1, k]);
    const sdt = tf.tensor2d(sd, [g, k]);
    const lw = tf.reshape(tf.sub(logWeights(tf, wt, tf.tensor2d(alive, [g, k])), tf.log(sdt)), [g, 1, k]);
    const z = tf.div(tf.sub(bt.x, mut), tf.reshape(sdt, [g, 1, k]));
    return tf.argMax(tf.sub(lw, tf.mul(0.5, tf.square(z))), 2);
  });
  const out = Int32Array.from(await idx.data());
  idx.dispose();
  return out;
}
