/**
 * Deconvolution of bulk RNA-seq samples with the single-cell clusters (scGNN 2.0's `--use_bulk`, reference note
 * §2.4): the clusters' share of each bulk sample (opt 1), per-cluster profiles corrected by the bulk (opt 2) and a
 * gene-wise scale (opt 4), each fitted with Adam on the TensorFlow.js backend. The reference's opt 3 (a dense
 * per-cluster cells x genes matrix with a nuclear norm) has a closed form here, applied row by row in blend.ts.
 * Decision: docs/decisions/bulk-deconvolution.md
 *
 * Linear space. A bulk sample is the sum of its cells' counts, so if a fraction w_k of its cells are of type k
 * and M[k] is type k's mean count vector per cell (over the genes both sides have), the sample is proportional to
 * Σ_k w_k M[k]. With L_k = Σ_g M[k,g] (type k's library on those genes), T = mean_k L_k, Mt = M / T and the bulk
 * normalised to sum 1 (bt = b / Σ_g b), this is exactly
 *
 *   bt = Σ_k u_k Mt[k]   with   u_k = w_k · T / Σ_j w_j L_j,   so   w = u / Σ_k u_k.
 *
 * The fit is on u (one free scale per sample, so the bulk's depth does not matter) and the proportions are u
 * normalised: types with large libraries (more mRNA per cell) are not over-counted, because M carries their
 * libraries. u is O(1) (Σ u ≈ 1), so the reference's learning rate 1e-3 moves it usefully in its 5,000 steps. The
 * reference mixes log-transformed means instead, which is not how reads add up.
 *
 * Units and weights. Both sides are multiplied by G (matched genes): y = G · bt and A = G · Mt, so the average
 * gene is 1 and the average type's profile sums to G. A gene's level ℓ_g is the larger of its mean over the
 * clusters (mean_k A[k,g]) and over the bulk samples (mean_s y_sg), and its squared error is weighted by
 * W_g = 1 / (ℓ_g + 1): Pearson-like (variance ∝ level) for genes above the average gene, so a few very high genes
 * do not decide the fit alone, and flat below it, so that genes seen in a handful of reads, whose relative error
 * is mostly sampling noise, are not blown up. The data term is a sum over genes and
 * a mean over samples,
 *
 *   E(u, P, t) = (1/S) Σ_s Σ_g W_g (y_sg − t_g · Σ_k u_sk P[k,g])²,
 *
 * about G at u = 0; a gene's share of it is O(1), so the reference's penalty weights (1e-2, 1e-2, 1) are small
 * against the data wherever the data determine the answer, and decide only where they do not.
 *
 *   opt 1  u ≥ 0:          E(u, A, 1) + priorWeight · (1/S) Σ_s ‖w_s − w0‖²,  w0 = cluster sizes / N
 *   opt 2  P = A + (ℓ+1)θ: E(u, P, 1) + regularisation · Σ_k Σ_g W_g (P[k,g] − A[k,g])²,  P ≥ 0
 *   opt 4  t ≥ 1:          E(u, P, t) + Σ_g (t_g − 1)²
 *
 * Opt 2's parameter θ is relative to the gene's level plus one average gene, so lr 0.1 moves a profile by a
 * tenth of that per step, and a gene the droplets never saw (ℓ from the bulk) can still be raised. Gradients are written
 * out (no tape: plain Node ESM cannot load tfjs's registered gradients, see nn/train.ts) and applied with
 * nn/adam.ts's FusedAdam; after each step the parameter is clamped to its bounds. Each optimisation stops after
 * maxSteps or when its loss changed by less than `tolerance` (relative) over the last 10 steps.
 *
 * Only clusters × genes and samples × genes arrays are made: the cluster means come from one pass over the CSR
 * counts. Empty clusters (no cell) take no part and get proportion 0.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { FusedAdam } from '../nn/adam.ts';
import type { StageContext, Tf } from '../pipeline/context.ts';
import { BulkInputError, type BulkParams, type Deconvolution, type DeconvolutionInput } from './types.ts';

/** Steps between two loss readings (loss events, the stopping rule). */
const LOSS_EVERY = 10;
/** Steps between two checkpoints (cancellation, yielding to the event loop). */
const CHECKPOINT_EVERY = 50;
/** Share of the progress bar of each optimisation. */
const PROGRESS = { proportions: [0, 0.7], profiles: [0.7, 0.95], geneScale: [0.95, 1] } as const;
/** Weight of Σ_g (t_g − 1)² in opt 4 (the reference's 1, in the units above). */
const GENE_SCALE_PENALTY = 1;

type LossModel = 'bulk proportions' | 'bulk profiles' | 'bulk gene scale';

interface Fit {
  readonly loss: number;
  readonly steps: number;
}

/** Cluster sums of the counts (raw, and times s_i) over every gene, and the cells and Σ s_i per cluster. */
function clusterSums(input: DeconvolutionInput): {
  raw: Float64Array;
  scaled: Float64Array;
  size: Float64Array;
  scaleSum: Float64Array;
} {
  const { raw: m, scale, labels, nClusters } = input;
  const G = m.nCols;
  const raw = new Float64Array(nClusters * G);
  const scaled = new Float64Array(nClusters * G);
  const size = new Float64Array(nClusters);
  const scaleSum = new Float64Array(nClusters);
  for (let i = 0; i < m.nRows; i++) {
    const k = labels[i]!;
    if (!(k >= 0 && k < nClusters)) continue;
    const s = scale ? scale[i]! : 1;
    size[k]!++;
    scaleSum[k]! += s;
    for (let p = m.indptr[i]!; p < m.indptr[i + 1]!; p++) {
      const v = m.values[p]!;
      raw[k * G + m.indices[p]!]! += v;
      scaled[k * G + m.indices[p]!]! += s * v;
    }
  }
  return { raw, scaled, size, scaleSum };
}

function checkInput(input: DeconvolutionInput): void {
  const { raw, scale, labels, nClusters, bulk, match } = input;
  if (labels.length !== raw.nRows) throw new RangeError(`${labels.length} labels for ${raw.nRows} cells`);
  if (scale && scale.length !== raw.nRows)
    throw new RangeError(`${scale.length} scale factors for ${raw.nRows} cells`);
  if (!(nClusters >= 1)) throw new RangeError(`nClusters must be at least 1, got ${nClusters}`);
  if (match.nScGenes !== raw.nCols)
    throw new RangeError(`the gene match is for ${match.nScGenes} genes, the counts have ${raw.nCols}`);
  if (match.scIndex.length !== match.bulkIndex.length || match.scIndex.length === 0)
    throw new RangeError('the gene match is empty or inconsistent');
  if (bulk.values.length !== bulk.geneIds.length * bulk.sampleIds.length)
    throw new RangeError('the bulk matrix values do not match its genes x samples');
}

/** Deconvolve the bulk samples with the single-cell clusters (see the file comment). */
export async function deconvolve(
  input: DeconvolutionInput,
  params: BulkParams,
  ctx: StageContext,
): Promise<Deconvolution> {
  checkInput(input);
  const { tf } = ctx;
  const { bulk, match, nClusters } = input;
  const G = input.raw.nCols;
  const S = bulk.sampleIds.length;
  const Gm = match.scIndex.length;
  const sums = clusterSums(input);

  // Active clusters (with cells) and their mean raw counts on the matched genes.
  const active: number[] = [];
  for (let k = 0; k < nClusters; k++) if (sums.size[k]! > 0) active.push(k);
  const K = active.length;
  if (K === 0) throw new RangeError('no cell has a cluster label in 0..nClusters-1');
  const nCells = active.reduce((a, k) => a + sums.size[k]!, 0);
  const mean = new Float64Array(K * Gm);
  let libraries = 0;
  active.forEach((k, a) => {
    for (let j = 0; j < Gm; j++) {
      const v = sums.raw[k * G + match.scIndex[j]!]! / sums.size[k]!;
      mean[a * Gm + j] = v;
      libraries += v;
    }
  });
  const T = libraries / K;
  if (!(T > 0)) {
    throw new BulkInputError(
      `${bulk.name}: the single-cell counts are zero on all ${Gm} genes shared with the bulk matrix`,
    );
  }
  // A = G·M/T (clusters x matched genes), its mean over clusters, the weights, y = G·bt (samples x genes).
  const A = new Float32Array(K * Gm);
  for (let p = 0; p < A.length; p++) A[p] = (mean[p]! * Gm) / T;
  const y = new Float32Array(S * Gm);
  for (let s = 0; s < S; s++) {
    let total = 0;
    for (let j = 0; j < Gm; j++) total += bulk.values[match.bulkIndex[j]! * S + s]!;
    if (!(total > 0)) {
      throw new BulkInputError(
        `${bulk.name}: sample "${bulk.sampleIds[s]}" is zero on all ${Gm} genes shared with the single-cell data`,
      );
    }
    for (let j = 0; j < Gm; j++) y[s * Gm + j] = (bulk.values[match.bulkIndex[j]! * S + s]! / total) * Gm;
  }
  // A gene's level: its mean over the clusters or over the bulk samples, whichever is larger.
  const scLevel = new Float64Array(Gm);
  const bulkLevel = new Float64Array(Gm);
  for (let a = 0; a < K; a++) for (let j = 0; j < Gm; j++) scLevel[j]! += A[a * Gm + j]! / K;
  for (let s = 0; s < S; s++) for (let j = 0; j < Gm; j++) bulkLevel[j]! += y[s * Gm + j]! / S;
  const width = Float32Array.from(scLevel, (l, j) => Math.max(l, bulkLevel[j]!) + 1);
  const W = Float32Array.from(width, (v) => 1 / v);
  const w0 = Float32Array.from(active, (k) => sums.size[k]! / nCells);

  const c = {
    A: tf.tensor2d(A, [K, Gm]),
    At: tf.tensor2d(transpose(A, K, Gm), [Gm, K]),
    y: tf.tensor2d(y, [S, Gm]),
    W: tf.tensor2d(W, [1, Gm]),
    w0: tf.tensor2d(w0, [1, K]),
    width: tf.tensor2d(width, [1, Gm]),
  };
  const u = variableOf(
    tf,
    tf.tidy(() => tf.tile(c.w0, [S, 1])),
  );
  const theta = variableOf(tf, tf.zeros([K, Gm]));
  const t = variableOf(tf, tf.ones([1, Gm]));
  const held: tfc.Tensor[] = [...Object.values(c), u, theta, t];
  try {
    // Opt 1: proportions.
    const p = params.proportions;
    const fit1 = await minimise(
      ctx,
      'bulk proportions',
      u,
      p,
      PROGRESS.proportions,
      (uv) => {
        const r = tf.sub(tf.matMul(uv, c.A), c.y);
        const rw = tf.mul(r, c.W);
        const data = tf.div(tf.sum(tf.mul(r, rw)), S);
        const gData = tf.mul(tf.matMul(rw, c.At), 2 / S);
        const sigma = tf.add(tf.sum(uv, 1, true), 1e-12);
        const w = tf.div(uv, sigma);
        const d = tf.sub(w, c.w0);
        const prior = tf.mul(tf.sum(tf.square(d)), p.priorWeight / S);
        // d/du_k of ‖w − w0‖², w = u/σ: 2 (d_k − Σ_j d_j w_j) / σ.
        const inner = tf.sum(tf.mul(d, w), 1, true);
        const gPrior = tf.mul(tf.div(tf.sub(d, inner), sigma), (2 * p.priorWeight) / S);
        return {
          loss: tf.add(data, prior),
          grad: tf.add(gData, gPrior),
          terms: { fit: data, prior },
        };
      },
      (uv) => tf.relu(uv),
    );

    // Opt 2: profiles, with u fixed.
    const q = params.profiles;
    const ut = tf.tidy(() => tf.transpose(u));
    const lower = tf.tidy(() => tf.neg(tf.div(c.A, c.width)));
    held.push(ut, lower);
    const profile = (th: tfc.Tensor): tfc.Tensor => tf.add(c.A, tf.mul(th, c.width));
    const fit2 = await minimise(
      ctx,
      'bulk profiles',
      theta,
      q,
      PROGRESS.profiles,
      (th) => {
        const P = profile(th);
        const r = tf.sub(tf.matMul(u, P), c.y);
        const rw = tf.mul(r, c.W);
        const data = tf.div(tf.sum(tf.mul(r, rw)), S);
        const dev = tf.mul(tf.sub(P, c.A), c.W);
        const reg = tf.mul(tf.sum(tf.mul(tf.sub(P, c.A), dev)), q.regularisation);
        const gP = tf.add(tf.mul(tf.matMul(ut, rw), 2 / S), tf.mul(dev, 2 * q.regularisation));
        return {
          loss: tf.add(data, reg),
          grad: tf.mul(gP, c.width),
          terms: { fit: data, regularisation: reg },
        };
      },
      (th) => tf.maximum(th, lower),
    );

    // Opt 4: gene-wise scale t ≥ 1 of the fitted mixture.
    const z = tf.tidy(() => tf.matMul(u, profile(theta)));
    held.push(z);
    const fit4 = await minimise(
      ctx,
      'bulk gene scale',
      t,
      params.geneScale,
      PROGRESS.geneScale,
      (tv) => {
        const r = tf.sub(tf.mul(z, tv), c.y);
        const rw = tf.mul(r, c.W);
        const data = tf.div(tf.sum(tf.mul(r, rw)), S);
        const dt = tf.sub(tv, 1);
        const reg = tf.mul(tf.sum(tf.square(dt)), GENE_SCALE_PENALTY);
        const grad = tf.add(
          tf.mul(tf.sum(tf.mul(rw, z), 0, true), 2 / S),
          tf.mul(dt, 2 * GENE_SCALE_PENALTY),
        );
        return {
          loss: tf.add(data, reg),
          grad,
          terms: { fit: data, penalty: reg },
        };
      },
      (tv) => tf.maximum(tv, 1),
    );

    const finalP = tf.tidy(() => profile(theta));
    held.push(finalP);
    const [uArr, pArr, tArr] = await Promise.all([u.data(), finalP.data(), t.data()]);
    return assemble(
      input,
      sums,
      active,
      { T, Gm, A, w0 },
      uArr as Float32Array,
      pArr as Float32Array,
      tArr as Float32Array,
      {
        losses: { proportions: fit1.loss, profiles: fit2.loss, geneScale: fit4.loss },
        steps: { proportions: fit1.steps, profiles: fit2.steps, geneScale: fit4.steps },
      },
    );
  } finally {
    for (const x of held) x.dispose();
  }
}

/** A variable holding `init`'s values (`init` is disposed: tf.variable keeps its own reference). */
function variableOf(tf: Tf, init: tfc.Tensor): tfc.Variable {
  const v = tf.variable(init);
  init.dispose();
  return v;
}

/** Row-major transpose of a rows x cols array. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

interface StepTensors {
  readonly loss: tfc.Tensor;
  readonly grad: tfc.Tensor;
  /** The loss's parts, for the loss events. */
  readonly terms: Record<string, tfc.Tensor>;
}

/**
 * Adam on one variable: `step(v)` gives the loss at v and its gradient; after each update the variable is
 * replaced by `project(v)` (clamped to its bounds). Reads the loss every 10 steps (loss events, stopping rule)
 * and at the last step.
 */
async function minimise(
  ctx: StageContext,
  model: LossModel,
  v: tfc.Variable,
  opt: { readonly learningRate: number; readonly maxSteps: number; readonly tolerance: number },
  range: readonly [number, number],
  step: (v: tfc.Tensor) => StepTensors,
  project: (v: tfc.Tensor) => tfc.Tensor,
): Promise<Fit> {
  const { tf } = ctx;
  const adam = new FusedAdam(tf, [v], { learningRate: opt.learningRate });
  const [from, to] = range;
  const maxSteps = Math.max(0, Math.floor(opt.maxSteps));
  let previous = NaN;
  let last = NaN;
  let steps = 0;
  try {
    if (maxSteps === 0) {
      const loss = tf.tidy(() => step(v).loss);
      last = (await loss.data())[0]!;
      loss.dispose();
      return { loss: last, steps: 0 };
    }
    for (let n = 1; n <= maxSteps; n++) {
      steps = n;
      const read = n % LOSS_EVERY === 0 || n === maxSteps;
      let names: string[] = [];
      const out = tf.tidy(() => {
        const s = step(v);
        adam.applyGradients([s.grad]);
        v.assign(project(v));
        names = Object.keys(s.terms);
        return read ? [s.loss, ...Object.values(s.terms)] : [];
      });
      if (read) {
        const values = await Promise.all(out.map((x) => x.data()));
        for (const x of out) x.dispose();
        last = values[0]![0]!;
        const terms = Object.fromEntries(names.map((name, i) => [name, values[i + 1]![0]!]));
        ctx.report({ type: 'loss', stage: 'bulk', model, epoch: n, epochs: maxSteps, loss: last, terms });
        ctx.progress(from + ((to - from) * n) / maxSteps, `${model}: step ${n}`);
        const converged =
          Number.isFinite(previous) && Math.abs(previous - last) < opt.tolerance * Math.abs(previous);
        previous = last;
        if (converged) break;
      }
      if (n % CHECKPOINT_EVERY === 0) await ctx.checkpoint();
    }
    ctx.progress(to, `${model}: done`);
    return { loss: last, steps };
  } finally {
    adam.dispose();
  }
}

/** Proportions and profiles back in the caller's layout (all clusters, all single-cell genes). */
function assemble(
  input: DeconvolutionInput,
  sums: ReturnType<typeof clusterSums>,
  active: readonly number[],
  fit: { T: number; Gm: number; A: Float32Array; w0: Float32Array },
  u: Float32Array,
  P: Float32Array,
  t: Float32Array,
  rest: Pick<Deconvolution, 'losses' | 'steps'>,
): Deconvolution {
  const { nClusters, match, bulk } = input;
  const G = input.raw.nCols;
  const S = bulk.sampleIds.length;
  const K = active.length;
  const { T, Gm, A, w0 } = fit;

  const proportions = new Float64Array(S * nClusters);
  for (let s = 0; s < S; s++) {
    let total = 0;
    for (let a = 0; a < K; a++) total += Math.max(0, u[s * K + a]!);
    active.forEach((k, a) => {
      proportions[s * nClusters + k] = total > 0 ? Math.max(0, u[s * K + a]!) / total : w0[a]!;
    });
  }

  const scProfiles = new Float64Array(nClusters * G);
  for (const k of active)
    for (let g = 0; g < G; g++) scProfiles[k * G + g] = sums.scaled[k * G + g]! / sums.size[k]!;
  const profiles = scProfiles.slice();
  const geneScale = new Float64Array(G).fill(1);
  for (let j = 0; j < Gm; j++) geneScale[match.scIndex[j]!] = t[j]!;
  // Back from A's units (G·count/T per cell) to s_i·count per cell: × mean s_i of the cluster × T / G.
  active.forEach((k, a) => {
    const toModel = ((sums.scaleSum[k]! / sums.size[k]!) * T) / Gm;
    for (let j = 0; j < Gm; j++) {
      const g = match.scIndex[j]!;
      const shift = (t[j]! * P[a * Gm + j]! - A[a * Gm + j]!) * toModel;
      profiles[k * G + g] = Math.max(0, scProfiles[k * G + g]! + shift);
    }
  });
  return {
    sampleIds: bulk.sampleIds,
    nClusters,
    proportions,
    profiles,
    scProfiles,
    geneScale,
    ...rest,
  };
}
