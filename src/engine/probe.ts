/**
 * The probe that chooses the compute backend: a short piece of the real workload, timed on the active
 * TensorFlow.js backend, and a check that one training step's gradients are right.
 *
 * - `checkGradients`: one forward and backward pass of a small autoencoder through the pipeline's own code
 *   (`autoencoderGradients`, the written-out backward of train.ts) compared with the same step in plain
 *   JavaScript (float64). Some WebGPU devices return all-zero or wrong gradients (tfjs#8590); a backend that
 *   fails here would train nothing, so it is never chosen.
 * - `timeWorkload`: training steps of the feature autoencoder at the dataset's gene count (reference shape
 *   genes → 512 → 128, Adam, a batch uploaded from the host as train.ts does) and one kNN block (scores of
 *   1,024 cells against 4,096, then topk), each after an untimed warm-up that compiles the kernels. The score is
 *   the time of one epoch over 1,024 cells at the backend's batch size plus the kNN block: lower is faster.
 *
 * Both run on whichever backend is active and leave no tensor behind.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { createAutoencoder, disposeAutoencoder, type Autoencoder } from '../core/nn/autoencoder.ts';
import { FusedAdam } from '../core/nn/adam.ts';
import type { LossWeights } from '../core/nn/losses.ts';
import { autoencoderGradients } from '../core/nn/train.ts';
import type { Tf } from '../core/pipeline/context.ts';
import { createRng } from '../core/rng.ts';

/** Plain SSE plus the LTMG-weighted SSE: the feature autoencoder's pre-training terms, no penalties. */
const CHECK_WEIGHTS: LossWeights = { mseWeight: 0.1, ltmgWeight: 0.9, l1: 0, l2: 0, reduction: 'sum' };
const CHECK_SHAPE = { nGenes: 24, hidden: 16, latent: 8 } as const;
const CHECK_BATCH = 6;

export interface GradientCheck {
  readonly ok: boolean;
  /** Largest |got − expected| / (|expected| + scale) over all gradients (scale: 1e-3 · the largest |expected|). */
  readonly maxError: number;
  /** Why it failed, in words. */
  readonly detail: string;
}

/** One layer in float64: y = act(x·W + b), W stored [in, out]. */
function denseF64(x: Float64Array, rows: number, w: Float32Array, b: Float32Array, relu: boolean) {
  const nIn = x.length / rows;
  const nOut = b.length;
  const y = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < nOut; o++) {
      let s = b[o]!;
      for (let i = 0; i < nIn; i++) s += x[r * nIn + i]! * w[i * nOut + o]!;
      y[r * nOut + o] = relu ? Math.max(0, s) : s;
    }
  return y;
}

/**
 * Gradients of CHECK_WEIGHTS' loss for the autoencoder with weights `ws` ([W1, b1, ..., W4, b4]) on batch x
 * (ReLU after every layer), in float64: the independent reference.
 */
export function referenceGradients(
  ws: readonly Float32Array[],
  x: Float32Array,
  states: Float32Array,
  rows: number,
): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(x)];
  for (let l = 0; l < 4; l++) acts.push(denseF64(acts[l]!, rows, ws[2 * l]!, ws[2 * l + 1]!, true));
  const recon = acts[4]!;
  // dL/dx̂ = 2(x̂ − x)(mseWeight + ltmgWeight · state).
  let dy = new Float64Array(recon.length);
  for (let i = 0; i < recon.length; i++)
    dy[i] = 2 * (recon[i]! - x[i]!) * (CHECK_WEIGHTS.mseWeight + CHECK_WEIGHTS.ltmgWeight * states[i]!);
  const grads: Float64Array[] = new Array<Float64Array>(8);
  for (let l = 3; l >= 0; l--) {
    const input = acts[l]!;
    const out = acts[l + 1]!;
    const w = ws[2 * l]!;
    const nOut = ws[2 * l + 1]!.length;
    const nIn = input.length / rows;
    const dz = dy.map((v, i) => (out[i]! > 0 ? v : 0));
    const dw = new Float64Array(nIn * nOut);
    const db = new Float64Array(nOut);
    const dx = new Float64Array(rows * nIn);
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < nOut; o++) {
        const g = dz[r * nOut + o]!;
        if (g === 0) continue;
        db[o]! += g;
        for (let i = 0; i < nIn; i++) {
          dw[i * nOut + o]! += input[r * nIn + i]! * g;
          dx[r * nIn + i]! += w[i * nOut + o]! * g;
        }
      }
    grads[2 * l] = dw;
    grads[2 * l + 1] = db;
    dy = dx;
  }
  return grads;
}

/** Compare the backend's training-step gradients with `referenceGradients`. */
export async function checkGradients(tf: Tf, signal?: AbortSignal): Promise<GradientCheck> {
  const rng = createRng(20240917);
  const ae = createAutoencoder(CHECK_SHAPE, tf, rng, { latentBiasInit: 0.1 });
  const n = CHECK_BATCH * CHECK_SHAPE.nGenes;
  const x = new Float32Array(n);
  const states = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.next() < 0.4 ? 0 : 3 * rng.next();
    states[i] = x[i]! > 0 ? 1 + rng.int(2) : 0;
  }
  try {
    const weights = await Promise.all(ae.variables.map(async (v) => new Float32Array(await v.data())));
    const expected = referenceGradients(weights, x, states, CHECK_BATCH);
    stopIfAborted(signal);
    const grads = tf.tidy(() => {
      const xt = tf.tensor2d(x, [CHECK_BATCH, CHECK_SHAPE.nGenes]);
      const st = tf.tensor2d(states, [CHECK_BATCH, CHECK_SHAPE.nGenes]);
      return autoencoderGradients(tf, ae, { x: xt, xT: tf.transpose(xt), entryWeights: st }, CHECK_WEIGHTS, 1)
        .grads;
    });
    const got = await Promise.all(grads.map((g) => g.data()));
    tf.dispose(grads);
    let largest = 0;
    for (const e of expected) for (const v of e) largest = Math.max(largest, Math.abs(v));
    if (!(largest > 0)) return { ok: false, maxError: Infinity, detail: 'the reference gradient is zero' };
    const scale = 1e-3 * largest;
    let maxError = 0;
    let nonZero = 0;
    for (let k = 0; k < expected.length; k++) {
      const e = expected[k]!;
      const g = got[k]!;
      for (let i = 0; i < e.length; i++) {
        const v = g[i]!;
        if (v !== 0) nonZero++;
        const err = Number.isFinite(v) ? Math.abs(v - e[i]!) / (Math.abs(e[i]!) + scale) : Infinity;
        maxError = Math.max(maxError, err);
      }
    }
    if (nonZero === 0) return { ok: false, maxError, detail: 'every gradient came back 0' };
    if (!(maxError <= 1e-2))
      return {
        ok: false,
        maxError,
        detail: `gradients differ from plain JavaScript (relative error ${maxError.toPrecision(2)})`,
      };
    return { ok: true, maxError, detail: '' };
  } finally {
    disposeAutoencoder(ae);
  }
}

export interface WorkloadTiming {
  /** Milliseconds of one training step at `batchSize` (mean of the timed steps). */
  readonly stepMs: number;
  /** Milliseconds of one kNN block. */
  readonly knnMs: number;
  /** stepMs · ⌈1024 / batchSize⌉ + knnMs: the score compared between backends. */
  readonly score: number;
}

export interface WorkloadOptions {
  readonly nGenes: number;
  /** Cells per training step on this backend. */
  readonly batchSize: number;
  /** Timed training steps after the warm-up step (default 2). */
  readonly steps?: number;
  /** Checked between steps: once aborted the probe stops issuing work and throws. */
  readonly signal?: AbortSignal;
  /**
   * Stop after the first timed step when its score estimate already exceeds this (the backend cannot win):
   * throws `ProbeSlower` with the estimate.
   */
  readonly giveUpAbove?: number;
}

/** The probe stopped early: the first timed step already put the score above the limit. */
export class ProbeSlower extends Error {
  override readonly name = 'ProbeSlower';
  constructor(readonly estimate: number) {
    super('estimated from one timed step');
  }
}

const HIDDEN = 512;
const LATENT = 128;
const KNN_QUERY = 1024;
const KNN_CELLS = 4096;
const KNN_CANDIDATES = 15;

function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('The probe was stopped.', 'AbortError');
}

/** Time the workload (see the file comment) on the active backend. */
export async function timeWorkload(tf: Tf, opts: WorkloadOptions): Promise<WorkloadTiming> {
  stopIfAborted(opts.signal);
  const { nGenes, batchSize } = opts;
  const steps = Math.max(1, opts.steps ?? 2);
  const rng = createRng(7);
  const ae: Autoencoder = createAutoencoder({ nGenes, hidden: HIDDEN, latent: LATENT }, tf, rng, {
    latentBiasInit: 0.1,
  });
  const optimizer = new FusedAdam(tf, ae.variables, { learningRate: 1e-3 });
  const host = new Float32Array(batchSize * nGenes);
  for (let i = 0; i < host.length; i++) host[i] = rng.next() < 0.8 ? 0 : 4 * rng.next();
  const weights: LossWeights = { mseWeight: 1, ltmgWeight: 0, l1: 0.1, l2: 0, reduction: 'sum' };
  const step = async (): Promise<void> => {
    stopIfAborted(opts.signal);
    const terms = tf.tidy(() => {
      const x = tf.tensor2d(host, [batchSize, nGenes]);
      const out = autoencoderGradients(tf, ae, { x, xT: tf.transpose(x) }, weights, 0.1, {
        penaltyGradients: false,
      });
      optimizer.applyGradients(out.grads, out.penalty);
      return out.terms;
    });
    try {
      await terms.data(); // training reads the loss once per epoch; here once per step, to time it
    } finally {
      terms.dispose();
    }
  };
  const all = tf.tidy(() => tf.randomUniform([KNN_CELLS, LATENT], -1, 1, 'float32', 3) as tfc.Tensor2D);
  const allT = tf.tidy(() => tf.transpose(all));
  const sqNorms = tf.tidy(() => tf.reshape(tf.sum(tf.square(all), 1), [1, KNN_CELLS]));
  const knnBlock = async (): Promise<void> => {
    stopIfAborted(opts.signal);
    const idx = tf.tidy(() => {
      const block = tf.slice(all, [0, 0], [KNN_QUERY, LATENT]);
      const score = tf.sub(tf.mul(tf.matMul(block, allT), 2), sqNorms);
      return tf.topk(score, KNN_CANDIDATES, true).indices;
    });
    try {
      await idx.data();
    } finally {
      idx.dispose();
    }
  };
  try {
    await step(); // warm-up: compiles the kernels, packs nothing twice
    const perEpoch = Math.ceil(1024 / batchSize);
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) {
      await step();
      const estimate = ((performance.now() - t0) / (s + 1)) * perEpoch;
      if (s === 0 && opts.giveUpAbove !== undefined && estimate > opts.giveUpAbove)
        throw new ProbeSlower(estimate);
    }
    const stepMs = (performance.now() - t0) / steps;
    await knnBlock();
    const t1 = performance.now();
    await knnBlock();
    const knnMs = performance.now() - t1;
    return { stepMs, knnMs, score: stepMs * perEpoch + knnMs };
  } finally {
    optimizer.dispose();
    disposeAutoencoder(ae);
    tf.dispose([all, allT, sqNorms]);
  }
}
