/**
 * Model selection and state assignment for one block of genes (`LTMG:R/RunLTMG.R:270-327`).
 *
 * Two branches, as in R:
 * - `ltmg` (the gene has values below the cut-off, e.g. zeros): left-truncated mixtures for K = 2..maxComponents,
 *   pick the smallest BIC_LTMG (`:24-42`: nparams = 3K − 1, n = all cells, likelihood over y >= Zcut); states are
 *   0..K−1 (0 also for y <= Zcut). A fit left with a single component gives all-zero states (R's
 *   `min(dim(rrr)) == 1` case).
 * - `zimg` (no values below the cut-off): a single Gaussian of y >= Zcut, and in `full` mode plain mixtures for
 *   K = 2..maxComponents−1 compared by BIC_ZIMG (`:45-62`: n and likelihood over y > Zcut); a dummy component is
 *   prepended, so states are 1..K for y > Zcut. In `reference` mode R's `normalmixEM` is unresolved
 *   (see the reference note §1.3), so only the single Gaussian exists.
 */
import type { StageContext } from '../pipeline/context.ts';
import type { GeneSlice, GeneTable } from './ltmg-data.ts';
import { initialParams } from './ltmg-data.ts';
import type { MixtureBlock } from './ltmg-em.ts';
import { assignStates, fitMixture, uploadBlock } from './ltmg-em.ts';
import { LOG_SQRT_2PI } from './truncated-normal.ts';

export type Branch = 'ltmg' | 'zimg';

export interface BlockOptions {
  readonly branch: Branch;
  /** K values to fit with EM (ascending). */
  readonly ks: readonly number[];
  readonly maxComponents: number;
  readonly maxIterations: number;
  readonly tol: number;
  /** Per gene cut-off Zcut (states only for y > Zcut). */
  readonly zcut: Float64Array;
}

export interface BlockResult {
  /** State per distinct value of each slice (row-major slices x width); -1 where the value is <= Zcut. */
  readonly states: Int32Array;
  readonly width: number;
  /** Components of the chosen model per slice (0: none). */
  readonly components: Uint8Array;
}

function toBlock(t: GeneTable, slices: readonly GeneSlice[]): MixtureBlock {
  const nGenes = slices.length;
  const width = Math.max(1, ...slices.map((s) => s.to - s.from));
  const values = new Float32Array(nGenes * width);
  const weights = new Float32Array(nGenes * width);
  const q = new Float32Array(nGenes);
  const censored = new Float32Array(nGenes);
  slices.forEach((s, r) => {
    values.fill(s.to > s.from ? t.vals[s.from]! : 0, r * width, (r + 1) * width);
    for (let i = s.from; i < s.to; i++) {
      values[r * width + i - s.from] = t.vals[i]!;
      weights[r * width + i - s.from] = t.mult[i]!;
    }
    q[r] = s.q;
    censored[r] = s.censored;
  });
  return { nGenes, width, values, weights, q, censored };
}

/** Log-likelihood of one Gaussian over a slice, in float64 (the K = 1 model of the zimg branch). */
function singleGaussianLogLik(t: GeneTable, s: GeneSlice, mu: number, sd: number): number {
  let ll = 0;
  for (let i = s.from; i < s.to; i++) {
    const z = (t.vals[i]! - mu) / sd;
    ll += t.mult[i]! * (-0.5 * z * z - Math.log(sd) - LOG_SQRT_2PI);
  }
  return ll;
}

/** Mean and sd (n − 1) of all positive values of a gene: R's `mean(y[y>=Zcut])`, `sd(y[y>=Zcut])`. */
function geneMoments(t: GeneTable, g: number): { mean: number; sd: number } {
  let n = 0;
  let sum = 0;
  for (let i = t.uOffsets[g]!; i < t.uOffsets[g + 1]!; i++) {
    n += t.mult[i]!;
    sum += t.mult[i]! * t.vals[i]!;
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = t.uOffsets[g]!; i < t.uOffsets[g + 1]!; i++) ss += t.mult[i]! * (t.vals[i]! - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

/** One fitted model of a gene (alive components only, in fit order). */
export interface Candidate {
  readonly k: number;
  readonly bic: number;
  readonly w: number[];
  readonly mu: number[];
  readonly sd: number[];
}

/** Picks each slice's model from its candidates (ascending k); null: no model (all states 0). */
export type Chooser = (candidates: readonly (readonly Candidate[])[]) => (Candidate | null)[];

/** R's rule: the smallest BIC, earlier (smaller) K on ties (`if (TEMP < MARK)`). */
export function minBic(candidates: readonly Candidate[], kLimit = Infinity): Candidate | null {
  let best: Candidate | null = null;
  for (const c of candidates) if (c.k <= kLimit && (!best || c.bic < best.bic)) best = c;
  return best;
}

export const chooseMinBic: Chooser = (all) => all.map((c) => minBic(c));

/**
 * Relative cost of a block's parts, in units of one gene x width value. One EM fit of K components (up to
 * `maxIterations` iterations) costs FIT_BASE + K per value, plus FIT_OVERHEAD whatever the block's size (the
 * iterations' kernel launches and convergence reads); the state assignment ASSIGN_WEIGHT per value. Measured
 * on WASM (2 threads): a block of 870 genes x 400 values at K = 2 took 3.2 s and the 99 x 3,506 prefix of
 * pbmc4k at K = 2..5 took 14.0 s (4.4x per value: the cost barely grows with K); the 11 x 258 prefix of
 * cellbench_celseq2_3cl took 0.7 s, ~130 ms per fit of launches alone; the assignment of goolam's zimg block
 * (1,600 x 124) 0.11 s. Progress in these units stayed proportional to time within 10 % on all three.
 */
const FIT_BASE = 13;
const FIT_OVERHEAD = 150_000;
const ASSIGN_WEIGHT = 0.6;

const fitWork = (values: number, k: number): number => values * (FIT_BASE + k) + FIT_OVERHEAD;

/** Work of a block in those units; `fitBlock` reports its progress in the same proportions. */
export function blockWork(slices: readonly GeneSlice[], ks: readonly number[]): number {
  const values = slices.length * Math.max(1, ...slices.map((s) => s.to - s.from));
  return ks.reduce((w, k) => w + fitWork(values, k), values * ASSIGN_WEIGHT);
}

export async function fitBlock(
  ctx: StageContext,
  t: GeneTable,
  slices: readonly GeneSlice[],
  opts: BlockOptions,
  onProgress: (fraction: number) => void,
  choose: Chooser = chooseMinBic,
): Promise<BlockResult> {
  const { tf } = ctx;
  const block = toBlock(t, slices);
  const bt = uploadBlock(tf, block);
  const candidates: Candidate[][] = slices.map(() => []);
  const values = slices.length * Math.max(1, ...slices.map((s) => s.to - s.from));
  const units = blockWork(slices, opts.ks);
  let unitsDone = 0;
  try {
    if (opts.branch === 'zimg') {
      slices.forEach((s, r) => {
        const { mean, sd } = geneMoments(t, s.gene);
        const bic = 2 * Math.log(s.nObs) - 2 * singleGaussianLogLik(t, s, mean, sd);
        // Always a candidate (R keeps it even when its BIC is not finite); an empty slice just has no states.
        candidates[r]!.push({ k: 1, bic: Number.isNaN(bic) ? Infinity : bic, w: [1], mu: [mean], sd: [sd] });
      });
    }
    for (const k of opts.ks) {
      const means = new Float32Array(slices.length * k);
      const sds = new Float32Array(slices.length);
      const skip = new Uint8Array(slices.length);
      slices.forEach((s, r) => {
        const init = s.nObs > k ? initialParams(t, s, k) : null;
        // R returns cbind(0,0,0) for length(x) <= k (infinite BIC); a zero sd would only give NaNs.
        if (!init || !(init.sd > 0)) {
          skip[r] = 1;
          return;
        }
        means.set(init.means, r * k);
        sds[r] = init.sd;
      });
      const fit = await fitMixture(ctx, bt, k, means, sds, skip, opts.maxIterations, opts.tol, (done) =>
        onProgress((unitsDone + (fitWork(values, k) * done) / opts.maxIterations) / units),
      );
      unitsDone += fitWork(values, k);
      const nBicOf = (s: GeneSlice): number => (opts.branch === 'ltmg' ? t.nCellsActive : s.nObs);
      slices.forEach((s, r) => {
        if (skip[r]) return;
        const w: number[] = [];
        const mu: number[] = [];
        const sd: number[] = [];
        for (let j = r * k; j < (r + 1) * k; j++) {
          if (!fit.alive[j]) continue;
          w.push(fit.w[j]!);
          mu.push(fit.mu[j]!);
          sd.push(fit.sd[j]!);
        }
        const bic = (3 * w.length - 1) * Math.log(nBicOf(s)) - 2 * fit.logLik[r]!;
        if (w.length > 0 && Number.isFinite(bic)) candidates[r]!.push({ k, bic, w, mu, sd });
      });
      onProgress(unitsDone / units);
    }
    const result = await statesOf(ctx, t, slices, opts, bt, block.width, choose(candidates));
    onProgress(1);
    return result;
  } finally {
    bt.dispose();
  }
}

async function statesOf(
  ctx: StageContext,
  t: GeneTable,
  slices: readonly GeneSlice[],
  opts: BlockOptions,
  bt: ReturnType<typeof uploadBlock>,
  width: number,
  chosen: readonly (Candidate | null)[],
): Promise<BlockResult> {
  const slots = opts.maxComponents + 1;
  const offset = opts.branch === 'zimg' ? 1 : 0; // the dummy component (w = 0, mu = −Inf) of R's zimg branch
  const w = new Float32Array(slices.length * slots);
  const mu = new Float32Array(slices.length * slots);
  const sd = new Float32Array(slices.length * slots).fill(1);
  const alive = new Float32Array(slices.length * slots);
  const components = new Uint8Array(slices.length);
  const assign = new Uint8Array(slices.length);
  chosen.forEach((c, r) => {
    if (!c) return;
    components[r] = c.w.length;
    // ltmg with a single surviving component: R's `min(dim(rrr_LTMG)) == 1` gives all-zero states.
    if (opts.branch === 'ltmg' && c.w.length < 2) return;
    if (!(c.sd.every((v) => v > 0) && slices[r]!.to > slices[r]!.from)) return;
    assign[r] = 1;
    const order = c.mu.map((_, i) => i).sort((a, b) => c.mu[a]! - c.mu[b]!);
    order.forEach((i, rank) => {
      const j = r * slots + offset + rank;
      w[j] = c.w[i]!;
      mu[j] = c.mu[i]!;
      sd[j] = c.sd[i]!;
      alive[j] = 1;
    });
  });
  const idx = await assignStates(ctx.tf, bt, slots, w, mu, sd, alive);
  const states = new Int32Array(slices.length * width).fill(-1);
  slices.forEach((s, r) => {
    if (!assign[r]) {
      states.fill(0, r * width, (r + 1) * width);
      return;
    }
    const zcut = opts.zcut[s.gene]!;
    for (let i = s.from; i < s.to; i++) {
      const j = r * width + i - s.from;
      states[j] = t.vals[i]! > zcut ? idx[j]! : 0;
    }
  });
  return { states, width, components };
}
