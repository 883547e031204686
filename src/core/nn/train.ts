/**
 * Training and inference of the scGNN autoencoders: the feature AE (reference note §1.4; v2 §2.2), the cluster
 * AEs (§1.8, as intended: one AE per cluster cloned from the feature AE, trained on that cluster's cells only,
 * which fixes the reference's shared-loader bug) and the imputation AE (§1.10: the same loop with per-cell
 * weights for the degree / cluster-size regularisers and, in v1, MSE weight 0).
 *
 * `featureAeDefaults`, `clusterAeDefaults` and `imputeAeDefaults` below are the reference values (full batch,
 * lr 1e-3, 500 / 200 / 200 epochs, L1 1.0). The pipeline does not use them as they are: its defaults
 * (pipeline/params.ts) train on mini-batches of 32 cells, lr 2e-3 (cluster AEs 1e-3), 40 pre-training epochs
 * and 10 per EM iteration / cluster AE, L1 0.1; on a GPU-class backend the batches grow with the data
 * (`growBatch`, pipeline/compute-profile.ts). Decision: docs/decisions/ae-training-schedule.md
 *
 * Deviations from the reference:
 * - Shuffled, seeded mini-batches when batchSize < N; the loss is scaled so the objective is the reference's
 *   whatever the batch size (losses.ts).
 * - A fresh Adam per call (as scGNN 2.0 does per phase); v1 reuses one optimizer across phases.
 * - Batches are assembled on the host and uploaded (B x genes floats): no `gather` (whose gradient the WASM
 *   backend lacks, and which would need the whole matrix on the device).
 * - Gradients are written out (`autoencoderGradients`: dense.ts's backward + losses.ts's analytic loss
 *   gradient) and handed to adam.ts's FusedAdam, with the L1/L2 subgradient folded in: no tape, no registered
 *   tf gradient (plain Node ESM cannot load tfjs-core's `register_all_gradients`), no transposed matMul.
 * - The cluster AEs are trained one after the other; one batched model (rank-3 matMul over stacked weights)
 *   was slower on WASM (6 x 48x2000 · 2000x512: 458 ms batched, 18 ms as six products).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { denseMatrix, type DenseMatrix } from '../matrix/dense.ts';
import { rowRange } from '../matrix/rows.ts';
import { batchTensor, subsetTrainRows, type TrainRows } from './model-rows.ts';
import { subRange, type StageContext, type StageName, type Tf } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { cloneAutoencoder, disposeAutoencoder, type Autoencoder } from './autoencoder.ts';
import { FusedAdam, type PenaltyGradient } from './adam.ts';
import { denseBackward, denseForward, denseTrainForward, type DenseForwardCache } from './dense.ts';
import { lossWithGradients, TERM_NAMES, type BatchTensors, type LossWeights } from './losses.ts';

export interface TrainParams {
  readonly epochs: number;
  /** Cells per Adam step; the last batch of an epoch may be smaller. ≥ N means full batch (the reference). */
  readonly batchSize: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  /** Weight of Σ(x̂−x)² (v1 gammaPara 0.1 pre-EM, 1 in EM phases, 0 in imputation). */
  readonly mseWeight: number;
  /** Weight of Σ(x̂−x)²⊙LTMG (v1 alphaRegularizePara 0.9); needs `entryWeights`. */
  readonly ltmgWeight: number;
  /** Σ|θ| weight over all parameters, for the whole data set (scaled by B/N per batch, see losses.ts). */
  readonly l1: number;
  /** Σθ² weight, like l1. */
  readonly l2: number;
  /** Per-cell multiplier of that cell's SSE, length N (imputation: 0.3·degree + 0.1·cluster size). */
  readonly cellWeights?: Float32Array;
  /** Weight of the scGNN 2.0 term ‖(t − x̂)[t ≠ 0]‖₂ on the observed non-zeros. */
  readonly observedWeight?: number;
  readonly reduction: 'sum' | 'mean';
  /**
   * 'fused' (default): adam.ts's FusedAdam with the L1/L2 gradient folded into the step; 'tfjs':
   * tf.train.adam plus separately materialised penalty gradients (the same update up to float rounding,
   * several times slower per step; kept for comparison).
   */
  readonly optimizer?: 'fused' | 'tfjs';
  /**
   * Grow the batch with the data (the GPU profile, compute-profile.ts): the batch becomes
   * min(maxBatch, ⌊N / minStepsPerEpoch⌋) cells when that exceeds `batchSize`, and the learning rate is
   * scaled by √(batch / batchSize). Unset: `batchSize` as given.
   */
  readonly growBatch?: GrowBatch;
  /**
   * A training budget: at most `epochs` passes over this many cells. Above it the epochs shrink to
   * ⌈epochs · budgetCells / N⌉ (at least 1), so the steps, and the time, stop growing with the cells: a
   * 100,000-cell input trains about as many steps as a 10,000-cell one. 0 or unset: `epochs` whatever N (the
   * reference). Decision: docs/decisions/training-step-budget.md
   */
  readonly budgetCells?: number;
}

export interface GrowBatch {
  readonly maxBatch: number;
  readonly minStepsPerEpoch: number;
}

/** The batch size and learning rate `trainAutoencoder` uses for `n` cells. */
export function effectiveBatch(
  params: Pick<TrainParams, 'batchSize' | 'learningRate' | 'growBatch'>,
  n: number,
): { batchSize: number; learningRate: number } {
  const base = Math.max(1, Math.min(Math.floor(params.batchSize), n));
  const grow = params.growBatch;
  if (!grow) return { batchSize: base, learningRate: params.learningRate };
  const grown = Math.min(n, Math.max(base, Math.min(grow.maxBatch, Math.floor(n / grow.minStepsPerEpoch))));
  return { batchSize: grown, learningRate: params.learningRate * Math.sqrt(grown / base) };
}

/** The epochs `trainAutoencoder` runs for `n` cells: `epochs`, cut by the budget (`budgetCells`) above it. */
export function effectiveEpochs(params: Pick<TrainParams, 'epochs' | 'budgetCells'>, n: number): number {
  const budget = params.budgetCells ?? 0;
  if (!(budget > 0) || n <= budget || params.epochs === 0) return params.epochs;
  return Math.min(params.epochs, Math.max(1, Math.ceil((params.epochs * budget) / n)));
}

export interface TrainInput {
  /** Cells x genes, log1p: input and reconstruction target (a row source: each batch is read when needed). */
  readonly x: TrainRows;
  /** Cells x genes per-entry weights (LTMG states): dense, same layout as x, or sparse (zero where not stored). */
  readonly entryWeights?: EntryWeights;
  /**
   * Target of the observed term (scGNN 2.0 fits the non-zeros of the original, dropout-corrupted data while
   * the cluster AE's input is the feature AE's reconstruction). Default: x.
   */
  readonly observed?: TrainRows;
}

export interface TrainResult {
  /** Per epoch ≈ the full-data objective (reduction 'sum': J; 'mean': J / (cells·genes)). */
  readonly losses: number[];
  readonly seconds: number;
}

/**
 * Reference values (v1 `scGNN.py` defaults, §1.4): feature AE pre-EM, 500 epochs, lr 1e-3, 0.1·SSE +
 * 0.9·LTMG-weighted SSE (LTMG only with `--regulized-type LTMG`; set ltmgWeight 0 without LTMG states),
 * L1 1.0 on all parameters. Batch 12,800 = full batch for typical data. The pipeline owner tunes these.
 */
export const featureAeDefaults: TrainParams = {
  epochs: 500,
  batchSize: 12800,
  learningRate: 1e-3,
  mseWeight: 0.1,
  ltmgWeight: 0.9,
  l1: 1.0,
  l2: 0.0,
  reduction: 'sum',
};

/** Cluster AEs (§1.8): 200 epochs per cluster, plain SSE (EM phase), L1 1.0 as in v1 `scGNN.py`. */
export const clusterAeDefaults: TrainParams = {
  epochs: 200,
  batchSize: 12800,
  learningRate: 1e-3,
  mseWeight: 1.0,
  ltmgWeight: 0,
  l1: 1.0,
  l2: 0.0,
  reduction: 'sum',
};

/**
 * Imputation AE (§1.10): 200 epochs from the untrained initial weights, SSE weight 0 (gammaImputePara), the
 * regularisers enter as `cellWeights` = 0.3·degree + 0.1·cluster size (set by the caller), L1 1.0.
 */
export const imputeAeDefaults: TrainParams = {
  epochs: 200,
  batchSize: 12800,
  learningRate: 1e-3,
  mseWeight: 0.0,
  ltmgWeight: 0,
  l1: 1.0,
  l2: 0.0,
  reduction: 'sum',
};

/** Work between two `ctx.checkpoint()` calls, in ms. */
const CHECKPOINT_MS = 100;
/** Minimum gap between two loss events of one model (the last epoch is always reported). */
const REPORT_MS = 50;

function stageOf(model: string): StageName {
  if (model.startsWith('cluster-ae')) return 'cluster-ae';
  if (model.startsWith('impute')) return 'impute';
  return 'feature-ae';
}

/** Copy the rows `idx` of a row-major matrix into a fresh Float32Array. */
/** Per-entry weights: cells x genes row-major, or CSR-like (LTMG's `LtmgStates`: zero where not stored). */
export type EntryWeights =
  | Float32Array
  | Uint8Array
  | {
      readonly nRows: number;
      readonly nCols: number;
      readonly indptr: Uint32Array;
      readonly indices: Int32Array;
      readonly values: Uint8Array | Float32Array;
    };

/** Values of entry weights (rows x cols): dense length, or stored entries of a sparse one. */
function weightRows(w: EntryWeights): number {
  return 'nRows' in w ? w.nRows : Number.NaN;
}

/** The rows idx of sparse entry weights, still sparse. */
function subsetSparseWeights(
  w: Exclude<EntryWeights, Float32Array | Uint8Array>,
  idx: Int32Array,
): EntryWeights {
  const indptr = new Uint32Array(idx.length + 1);
  for (let i = 0; i < idx.length; i++)
    indptr[i + 1] = indptr[i]! + w.indptr[idx[i]! + 1]! - w.indptr[idx[i]!]!;
  const indices = new Int32Array(indptr[idx.length]!);
  const values = new (w.values instanceof Uint8Array ? Uint8Array : Float32Array)(indptr[idx.length]!);
  for (let i = 0; i < idx.length; i++) {
    const from = w.indptr[idx[i]!]!;
    const to = w.indptr[idx[i]! + 1]!;
    indices.set(w.indices.subarray(from, to), indptr[i]!);
    values.set(w.values.subarray(from, to), indptr[i]!);
  }
  return { nRows: idx.length, nCols: w.nCols, indptr, indices, values };
}

/** The rows idx of entry weights (dense stays dense, sparse stays sparse). */
function subsetWeights(w: EntryWeights, cols: number, idx: Int32Array): EntryWeights {
  return 'nRows' in w ? subsetSparseWeights(w, idx) : gatherRows(w, cols, idx);
}

function gatherRows(data: EntryWeights, cols: number, idx: Int32Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(idx.length * cols);
  if ('nRows' in data) {
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      for (let k = data.indptr[r]!; k < data.indptr[r + 1]!; k++)
        out[i * cols + data.indices[k]!] = data.values[k]!;
    }
  } else if (data instanceof Float32Array) {
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      out.set(data.subarray(r * cols, (r + 1) * cols), i * cols);
    }
  } else {
    for (let i = 0; i < idx.length; i++) {
      const base = idx[i]! * cols;
      for (let j = 0; j < cols; j++) out[i * cols + j] = data[base + j]!;
    }
  }
  return out;
}

function validate(ae: Autoencoder, input: TrainInput, params: TrainParams): void {
  const { rows, cols } = input.x;
  if (cols !== ae.shape.nGenes)
    throw new RangeError(`input has ${cols} genes, the autoencoder ${ae.shape.nGenes}`);
  const w = input.entryWeights;
  if (w && 'nRows' in w ? w.nRows !== rows || w.nCols !== cols : w && w.length !== rows * cols)
    throw new RangeError(
      `entryWeights has ${w && 'nRows' in w ? `${weightRows(w)} x ${w.nCols}` : w?.length} values, expected ${rows} x ${cols}`,
    );
  if (params.ltmgWeight !== 0 && !input.entryWeights)
    throw new Error('ltmgWeight ≠ 0 needs entryWeights (LTMG states); set ltmgWeight 0 without LTMG');
  if (params.cellWeights && params.cellWeights.length !== rows)
    throw new RangeError(`cellWeights has ${params.cellWeights.length} values, expected ${rows}`);
  if (input.observed && (input.observed.rows !== rows || input.observed.cols !== cols))
    throw new RangeError('the observed matrix must have the shape of x');
  if (!(params.batchSize >= 1) || !(params.epochs >= 0) || !(params.learningRate > 0))
    throw new RangeError('batchSize ≥ 1, epochs ≥ 0 and learningRate > 0 are required');
}

/**
 * Train `ae` in place with Adam on shuffled mini-batches (shuffles drawn from ctx.rng). Reports one `loss`
 * event per epoch (throttled to ≤ 20/s; terms are the weighted terms of losses.ts), yields to ctx.checkpoint
 * about every 100 ms, and leaves no tensor behind.
 */
export async function trainAutoencoder(
  ae: Autoencoder,
  input: TrainInput,
  params: TrainParams,
  ctx: StageContext,
  model: string,
  stage: StageName = stageOf(model),
): Promise<TrainResult> {
  validate(ae, input, params);
  const { tf, rng } = ctx;
  const t0 = performance.now();
  const n = input.x.rows;
  const losses: number[] = [];
  const epochs = effectiveEpochs(params, n);
  if (n === 0 || epochs === 0) return { losses, seconds: 0 };
  const { batchSize, learningRate } = effectiveBatch(params, n);
  const fused = (params.optimizer ?? 'fused') === 'fused';
  const optimizer = fused ? new FusedAdam(tf, ae.variables, { learningRate }) : tf.train.adam(learningRate);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // A full batch never changes: upload it once.
  const fixed = batchSize === n ? uploadBatch(tf, input, params, order) : null;
  let lastCheckpoint = performance.now();
  let lastReport = -Infinity;
  // The epoch's running sum of the loss terms; disposed in `finally` too (a cancelled checkpoint throws).
  let acc: tfc.Tensor1D | null = null;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (!fixed) {
        // Fisher-Yates with the seeded generator.
        for (let i = n - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          const t = order[i]!;
          order[i] = order[j]!;
          order[j] = t;
        }
      }
      acc = tf.zeros([TERM_NAMES.length]);
      for (let start = 0; start < n; start += batchSize) {
        const idx = order.subarray(start, Math.min(n, start + batchSize));
        const batch = fixed ?? uploadBatch(tf, input, params, idx);
        const fraction = idx.length / n;
        const terms = tf.tidy(() => {
          const { terms, grads, penalty } = autoencoderGradients(tf, ae, batch, params, fraction, {
            penaltyGradients: !fused,
          });
          if (optimizer instanceof FusedAdam) optimizer.applyGradients(grads, penalty);
          else optimizer.applyGradients(ae.variables.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
          return terms;
        });
        if (!fixed) disposeBatch(batch);
        // 'sum': the epoch objective is Σ_b L_b; 'mean': each L_b estimates J/(N·G), so weight by B/N.
        const w = params.reduction === 'mean' ? fraction : 1;
        const prev: tfc.Tensor1D = acc;
        const next = tf.tidy(() => tf.add(prev, tf.mul(terms, w)) as tfc.Tensor1D);
        prev.dispose();
        terms.dispose();
        acc = next;
        ctx.progress((epoch + (start + idx.length) / n) / epochs);
        if (performance.now() - lastCheckpoint >= CHECKPOINT_MS) {
          await ctx.checkpoint();
          lastCheckpoint = performance.now();
        }
      }
      const values = await acc.data();
      acc.dispose();
      acc = null;
      let total = 0;
      const named: Record<string, number> = {};
      TERM_NAMES.forEach((name, i) => {
        const v = values[i]!;
        total += v;
        if (v !== 0) named[name] = v;
      });
      losses.push(total);
      const now = performance.now();
      if (now - lastReport >= REPORT_MS || epoch === epochs - 1) {
        ctx.report({ type: 'loss', stage, model, epoch, epochs, loss: total, terms: named });
        lastReport = now;
      }
    }
  } finally {
    acc?.dispose();
    if (fixed) disposeBatch(fixed);
    optimizer.dispose();
  }
  return { losses, seconds: (performance.now() - t0) / 1000 };
}

/**
 * One forward and backward pass of the autoencoder on a batch: the weighted loss terms (order of TERM_NAMES)
 * and dL_b/dθ for every variable, in `ae.variables` order. Written out layer by layer (dense.ts's backward),
 * so no registered tf gradient and no transposed product is needed. Call inside `tf.tidy`.
 * With `penaltyGradients: false` the L1/L2 part of dL_b/dθ is left out of `grads` and returned as the
 * coefficients `penalty` only (FusedAdam adds it inside its step).
 */
export function autoencoderGradients(
  tf: Tf,
  ae: Autoencoder,
  batch: Omit<BatchTensors, 'recon'> & { readonly xT?: tfc.Tensor2D },
  weights: LossWeights,
  batchFraction: number,
  options: { readonly penaltyGradients?: boolean } = {},
): { terms: tfc.Tensor1D; grads: tfc.Tensor[]; penalty: PenaltyGradient } {
  const mode = ae.options.gradient ?? 'custom';
  const v = ae.variables as tfc.Tensor[];
  const w = (i: number): tfc.Tensor2D => v[2 * i] as tfc.Tensor2D;
  const b = (i: number): tfc.Tensor1D => v[2 * i + 1] as tfc.Tensor1D;
  const acts: tfc.Tensor2D[] = [batch.x];
  const caches: DenseForwardCache[] = [];
  // Layer 1 (the bottleneck z) may be linear; every other layer is ReLU (reference model.py).
  const act = (i: number): 'relu' | 'linear' => (i === 1 ? (ae.options.latentActivation ?? 'relu') : 'relu');
  for (let i = 0; i < 4; i++) {
    const c =
      mode === 'custom'
        ? denseTrainForward(tf, acts[i]!, w(i), b(i), act(i), i === 0 ? batch.xT : undefined)
        : { y: denseForward(tf, acts[i]!, w(i), b(i), act(i)) };
    caches.push(c);
    acts.push(c.y);
  }
  const recon = acts[4]!;
  const loss = lossWithGradients(tf, { ...batch, recon }, weights, v, batchFraction, options);
  const grads: tfc.Tensor[] = new Array<tfc.Tensor>(v.length);
  let dy = loss.dRecon;
  for (let i = 3; i >= 0; i--) {
    const g = denseBackward(tf, dy, acts[i]!, w(i), acts[i + 1]!, act(i), i > 0, mode, caches[i]);
    grads[2 * i] = g.dw;
    grads[2 * i + 1] = g.db;
    if (g.dx) dy = g.dx;
  }
  loss.dParams.forEach((d, i) => {
    if (d) grads[i] = tf.add(grads[i]!, d);
  });
  return { terms: loss.terms, grads, penalty: loss.penalty };
}

interface UploadedBatch {
  readonly x: tfc.Tensor2D;
  /** xᵀ, made once per batch (a full batch: once per call) for the first layer's products. */
  readonly xT: tfc.Tensor2D;
  readonly entryWeights?: tfc.Tensor2D;
  readonly cellWeights?: tfc.Tensor2D;
  readonly observedTarget?: tfc.Tensor2D;
}

function uploadBatch(tf: Tf, input: TrainInput, params: TrainParams, idx: Int32Array): UploadedBatch {
  const g = input.x.cols;
  const b = idx.length;
  const x = batchTensor(tf, input.x, idx);
  const xT = tf.transpose(x);
  const entryWeights =
    input.entryWeights && params.ltmgWeight !== 0
      ? tf.tensor2d(gatherRows(input.entryWeights, g, idx), [b, g])
      : undefined;
  let cellWeights: tfc.Tensor2D | undefined;
  if (params.cellWeights) {
    const c = new Float32Array(b);
    for (let i = 0; i < b; i++) c[i] = params.cellWeights[idx[i]!]!;
    cellWeights = tf.tensor2d(c, [b, 1]);
  }
  const observedTarget =
    input.observed && (params.observedWeight ?? 0) !== 0 ? batchTensor(tf, input.observed, idx) : undefined;
  return { x, xT, entryWeights, cellWeights, observedTarget };
}

function disposeBatch(b: UploadedBatch): void {
  b.x.dispose();
  b.xT.dispose();
  b.entryWeights?.dispose();
  b.cellWeights?.dispose();
  b.observedTarget?.dispose();
}

/**
 * Batched inference: z (cells x latent) and the reconstruction (cells x genes); no tensor left behind. With
 * `ctx`, reports its progress and yields to its checkpoint after every batch.
 */
export async function embedAndReconstruct(
  ae: Autoencoder,
  x: TrainRows,
  tf: Tf,
  batchSize = 1024,
  ctx?: StageContext,
): Promise<{ z: DenseMatrix; recon: DenseMatrix }> {
  const out = await embedRows(ae, x, tf, { batchSize, ctx, reconstruct: true });
  return { z: out.z, recon: out.recon! };
}

/**
 * Batched inference of z (cells x latent) and, with `reconstruct`, the reconstruction (cells x genes): the
 * input is read one batch at a time, and without `reconstruct` nothing cells x genes is held.
 */
export async function embedRows(
  ae: Autoencoder,
  input: TrainRows,
  tf: Tf,
  options: { batchSize?: number; ctx?: StageContext; reconstruct?: boolean } = {},
): Promise<{ z: DenseMatrix; recon: DenseMatrix | null }> {
  const { nGenes, latent } = ae.shape;
  const { ctx, reconstruct = false } = options;
  const x = input;
  if (x.cols !== nGenes) throw new RangeError(`input has ${x.cols} genes, the autoencoder ${nGenes}`);
  const z = new Float32Array(x.rows * latent);
  const recon = reconstruct ? new Float32Array(x.rows * nGenes) : null;
  const step = Math.max(1, Math.floor(options.batchSize ?? 1024));
  for (let start = 0; start < x.rows; start += step) {
    const end = Math.min(x.rows, start + step);
    const [zt, rt] = tf.tidy(() => {
      const out = ae.forward(batchTensor(tf, x, rowRange(start, end)));
      return [out.z, out.recon];
    });
    try {
      z.set(await zt.data(), start * latent);
      if (recon) recon.set(await rt.data(), start * nGenes);
    } finally {
      zt.dispose();
      rt.dispose();
    }
    if (ctx) {
      ctx.progress(end / x.rows);
      await ctx.checkpoint();
    }
  }
  return { z: denseMatrix(x.rows, latent, z), recon: recon && denseMatrix(x.rows, nGenes, recon) };
}

/** Each cluster's cells (every distinct label value is a cluster), clusters in ascending label order. */
function clusterMembers(labels: Int32Array): { label: number; idx: Int32Array }[] {
  const members = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = members.get(labels[i]!);
    if (list) list.push(i);
    else members.set(labels[i]!, [i]);
  }
  return [...members.keys()]
    .sort((a, b) => a - b)
    .map((label) => ({ label, idx: Int32Array.from(members.get(label)!) }));
}

/**
 * The cluster autoencoders trained (§1.8, as the papers intend and scGNN 2.0 implements): for every cluster,
 * an independent copy of `base` trained on that cluster's cells only, returned by label; the caller disposes
 * them. Shuffle streams are seeded per cluster from ctx.rng, so the result does not depend on cluster order.
 * `onTrained(label, model, idx, share)` runs after each cluster's training with the rest of its progress share.
 */
export async function trainClusterModels(
  base: Autoencoder,
  input: TrainInput,
  labels: Int32Array,
  params: TrainParams,
  ctx: StageContext,
  options: {
    /** Part of each cluster's progress share spent training (the rest is left to `onTrained`). */
    readonly trainShare?: number;
    readonly onTrained?: (m: Autoencoder, idx: Int32Array, rest: StageContext) => Promise<void>;
    /** Keep the models (returned); otherwise each is disposed after `onTrained`. */
    readonly keep?: boolean;
  } = {},
): Promise<Map<number, Autoencoder>> {
  const { rows: n, cols: g } = input.x;
  if (labels.length !== n) throw new RangeError(`labels has ${labels.length} values, expected ${n}`);
  const clusters = clusterMembers(labels);
  const seeds = clusters.map(() => Math.floor(ctx.rng.next() * 2 ** 32));
  const stageEpochs = effectiveEpochs(params, n);
  const trainShare = options.trainShare ?? 1;
  const models = new Map<number, Autoencoder>();
  let cellsBefore = 0;
  try {
    for (let c = 0; c < clusters.length; c++) {
      const { label, idx } = clusters[c]!;
      const sub: TrainInput = {
        x: subsetTrainRows(input.x, idx),
        ...(input.entryWeights && { entryWeights: subsetWeights(input.entryWeights, g, idx) }),
        ...(input.observed && { observed: subsetTrainRows(input.observed, idx) }),
      };
      // The budget holds for the stage (all cells), so every cluster trains the same, possibly cut, epochs.
      const subParams: TrainParams = {
        ...params,
        epochs: stageEpochs,
        budgetCells: 0,
        ...(params.cellWeights && { cellWeights: Float32Array.from(idx, (i) => params.cellWeights![i]!) }),
      };
      // Progress by cells: this cluster's share of the stage.
      const share = subRange(ctx, cellsBefore / n, (cellsBefore + idx.length) / n);
      cellsBefore += idx.length;
      const subCtx: StageContext = { ...subRange(share, 0, trainShare), rng: createRng(seeds[c]!) };
      const ae = cloneAutoencoder(base, ctx.tf);
      models.set(label, ae);
      await trainAutoencoder(ae, sub, subParams, subCtx, `cluster-ae ${label}`, 'cluster-ae');
      await options.onTrained?.(ae, idx, subRange(share, trainShare, 1));
      if (!options.keep) {
        disposeAutoencoder(ae);
        models.delete(label);
      }
    }
  } catch (e) {
    for (const m of models.values()) disposeAutoencoder(m);
    throw e;
  }
  return models;
}

/**
 * The cluster autoencoders (trainClusterModels) and their output: each cell's reconstruction and z come from
 * its own cluster's model. Each copy is disposed after use.
 */
export async function trainClusterAutoencoders(
  base: Autoencoder,
  input: TrainInput,
  labels: Int32Array,
  params: TrainParams,
  ctx: StageContext,
): Promise<{ recon: DenseMatrix; z: DenseMatrix }> {
  const { rows: n, cols: g } = input.x;
  const latent = base.shape.latent;
  const recon = new Float32Array(n * g);
  const z = new Float32Array(n * latent);
  // 90 % of each cluster's share training, 10 % inference.
  await trainClusterModels(base, input, labels, params, ctx, {
    trainShare: 0.9,
    onTrained: async (ae, idx, rest) => {
      const out = await embedAndReconstruct(ae, subsetTrainRows(input.x, idx), ctx.tf, undefined, rest);
      for (let k = 0; k < idx.length; k++) {
        const i = idx[k]!;
        recon.set(out.recon.data.subarray(k * g, (k + 1) * g), i * g);
        z.set(out.z.data.subarray(k * latent, (k + 1) * latent), i * latent);
      }
    },
  });
  return { recon: denseMatrix(n, g, recon), z: denseMatrix(n, latent, z) };
}
