/**
 * LTMG: left-truncated mixture Gaussian model of each gene's log expression, giving an integer regulatory state
 * per (cell, gene) (scGNN's LTMG regulariser; R package `scGNNLTMG`, `LTMG:R/RunLTMG.R`, called from
 * `v1:LTMG_R.py:32-37`). See docs/scgnn-reference.md §1.3.
 *
 * Two modes:
 * - `reference`: what the R package computes as scGNN actually calls it. `mixtools`/`AdaptGauss` are not
 *   attached, so the global cut-off falls back to 0 (`Global_Zcut`, `:6-21`) and a gene without zeros keeps a
 *   single Gaussian (`:279-294`). This reproduces the shipped LTMG files.
 * - `full`: the algorithm as intended: the global cut-off from a 2-component mixture of the per-gene minimum log
 *   values and the intersection of its Gaussians (`AdaptGauss::Intersect2Mixtures`), and plain Gaussian mixtures
 *   with K = 1..maxComponents−1 chosen by BIC for genes with no value at or below that cut-off. Unlike R, which
 *   compares raw counts with the log-scale cut (`all(VEC > Zcut_G)`), the comparison is made on the log scale.
 *
 * Genes are independent; they are fitted in blocks of similar size, every gene of a block at once on tensors
 * (ltmg-em.ts), so memory is bounded by the block budget whatever the dataset size.
 */
import type { CsrMatrix } from '../matrix/csr.ts';
import type { StageContext } from '../pipeline/context.ts';
import type { GeneSlice, GeneTable } from './ltmg-data.ts';
import { R_NOISE_SD, buildGeneTable, initialParams, makeBlocks, sliceCount } from './ltmg-data.ts';
import { fitMixture, uploadBlock } from './ltmg-em.ts';
import type { BlockResult, Branch, Chooser } from './ltmg-fit.ts';
import { blockWork, fitBlock, minBic } from './ltmg-fit.ts';

export type LtmgMode = 'reference' | 'full';

export interface LtmgParams {
  readonly mode: LtmgMode;
  /** EM iterations per fit (R: `Fit_LTMG(y, 100, ...)`). */
  readonly maxIterations: number;
  /** Largest number of mixture components tried (R: `k = 5`). */
  readonly maxComponents: number;
}

export const ltmgDefaults: LtmgParams = { mode: 'reference', maxIterations: 100, maxComponents: 5 };

/**
 * LTMG states on the stored entries of the counts (the same indptr and indices as the input CSR): the state of
 * (cell r, gene indices[k]) is values[k] for k in indptr[r] .. indptr[r + 1]. A count of 0 is never expressed,
 * so every entry not stored has state 0: one byte per non-zero, not per cell x gene (200 MB at 100,000 x 2,000).
 */
export interface LtmgStates {
  readonly nRows: number;
  readonly nCols: number;
  readonly indptr: Uint32Array;
  readonly indices: Int32Array;
  readonly values: Uint8Array;
}

/** The states as one cells x genes row-major array (for tests and the `ltmg` command's table). */
export function denseStates(s: LtmgStates): Uint8Array {
  const out = new Uint8Array(s.nRows * s.nCols);
  for (let r = 0; r < s.nRows; r++)
    for (let k = s.indptr[r]!; k < s.indptr[r + 1]!; k++) out[r * s.nCols + s.indices[k]!] = s.values[k]!;
  return out;
}

export interface LtmgOutput {
  readonly nCells: number;
  readonly nGenes: number;
  /** Integer state per entry, on the counts' stored entries (see `LtmgStates`; `denseStates` for a table). */
  readonly states: LtmgStates;
  /** Number of mixture components chosen per gene (0 for genes left out, e.g. all-zero). */
  readonly components: Uint8Array;
}

/** Knobs that are not part of the method's parameters (exposed for tests and measurements). */
export interface LtmgInternals {
  /**
   * Add R's N(0, 1e-4) noise to the log values (drawn from `ctx.rng.fork('ltmg')`); null: only in `reference`
   * mode, where it decides, as in R, whether each tied minimum value lands above or below the cut-off.
   */
  readonly jitter: boolean | null;
  /** R's `err`: a gene's EM stops when the mean |Δ| of weights, means and sds are all <= tol. */
  readonly tol: number;
  /** Upper bound on genes x width x K elements of one block (bounds device memory). */
  readonly blockElements: number;
}

export const ltmgInternalDefaults: LtmgInternals = { jitter: null, tol: 1e-10, blockElements: 1 << 21 };

/** counts: raw values, cells x genes (CSR; rows = cells). LTMG takes log of the non-zero values itself. */
export async function runLtmg(counts: CsrMatrix, params: LtmgParams, ctx: StageContext): Promise<LtmgOutput> {
  return runLtmgWith(counts, params, ctx, ltmgInternalDefaults);
}

export async function runLtmgWith(
  counts: CsrMatrix,
  params: LtmgParams,
  ctx: StageContext,
  internals: LtmgInternals,
): Promise<LtmgOutput> {
  if (params.maxComponents < 2 || params.maxComponents > 254)
    throw new RangeError('maxComponents must be 2..254');
  const jitter = internals.jitter ?? params.mode === 'reference';
  const t = buildGeneTable(counts, jitter ? ctx.rng.fork('ltmg') : null);
  const nCells = counts.nRows;
  const nGenes = counts.nCols;
  const states = new Uint8Array(counts.indptr[nCells]!);
  const components = new Uint8Array(nGenes);
  if (params.mode === 'full') ctx.progress(0, 'global cut-off');
  const zcutG = params.mode === 'reference' ? 0 : await globalZcut(ctx, t, params, internals);

  // Per gene (R `:270-278`): Zcut = max(min log positive, Zcut_G), then the branch.
  const zcut = new Float64Array(nGenes);
  const slices: Record<Branch, GeneSlice[]> = { ltmg: [], zimg: [] };
  for (let g = 0; g < nGenes; g++) {
    if (t.nPos[g] === 0) continue; // all-zero gene: dropped by R (`:248`), states stay 0
    zcut[g] = Math.max(t.minLogPos[g]!, zcutG);
    const start = t.uOffsets[g]!;
    const end = t.uOffsets[g + 1]!;
    const noZeros = t.nPos[g] === t.nCellsActive;
    // R tests `all(VEC > Zcut_G)` on raw values: with Zcut_G = 0 that is "no zeros"; full mode compares logs.
    const noneBelow = noZeros && (params.mode === 'reference' || t.minLogPos[g]! > zcutG);
    let from = start;
    if (noneBelow) {
      while (from < end && t.vals[from]! <= zcut[g]!) from++; // normalmixEM(y[y > Zcut])
      const nObs = sliceCount(t, from, end);
      slices.zimg.push({ gene: g, from, to: end, nObs, censored: 0, q: 0 });
    } else {
      while (from < end && t.vals[from]! < zcut[g]!) from++; // Fit_LTMG: x >= q observed, c = #(x < q)
      const nObs = sliceCount(t, from, end);
      slices.ltmg.push({ gene: g, from, to: end, nObs, censored: t.nCellsActive - nObs, q: zcut[g]! });
    }
  }

  const kMax = params.maxComponents;
  const range = (a: number, b: number): number[] =>
    Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
  // Reference mode: R's state loop `for (k in 1:nrow(rrr_use))` (`RunLTMG.R:318`) overwrites the function's
  // `k = 5`, so after the first gene that gets states, later genes only try K = 2..(rows of that gene's model).
  // A zimg gene has 2 rows (dummy + one Gaussian), so from the first such gene on, every fit is K = 2. Genes
  // before that point are walked in order (`prefix`), fitting K = 2..k and following k as R does.
  const prefixEnd = params.mode === 'reference' ? firstZimgGene(slices.zimg, nGenes) : 0;
  const prefix = slices.ltmg.filter((s) => s.gene < prefixEnd).reverse(); // popped from the end, in gene order
  slices.ltmg = slices.ltmg.filter((s) => s.gene >= prefixEnd);
  const baseOpts = { maxComponents: kMax, maxIterations: params.maxIterations, tol: internals.tol, zcut };
  const store = (blk: readonly GeneSlice[], res: BlockResult): void =>
    blk.forEach((s, r) => {
      components[s.gene] = res.components[r]!;
      scatterStates(t, s, res.states.subarray(r * res.width, (r + 1) * res.width), states);
    });
  const plans: { branch: Branch; ks: number[]; blocks: GeneSlice[][] }[] = [
    { branch: 'ltmg', ks: params.mode === 'reference' ? [2] : range(2, kMax), blocks: [] },
    {
      branch: 'zimg',
      ks: params.mode === 'full' ? range(2, kMax - 1) : [],
      blocks: makeBlocks(slices.zimg, kMax + 1, internals.blockElements),
    },
  ];
  // Progress in proportion to the EM work (blockWork). The prefix's length is known only once R's k has
  // fallen to 2; it is estimated as one chunk at the full K range, the rest of its genes fitted with the
  // other blocks (as on every dataset measured). When the prefix ends, the rest of the bar is re-spread
  // over the blocks actually left, so it never jumps back or ahead.
  const mainWork = (ltmgSlices: GeneSlice[]): number =>
    makeBlocks(ltmgSlices, kMax + 1, internals.blockElements).reduce(
      (w, b) => w + blockWork(b, plans[0]!.ks),
      0,
    ) + plans[1]!.blocks.reduce((w, b) => w + blockWork(b, plans[1]!.ks), 0);
  const firstChunk = prefixChunk(prefix, kMax, internals.blockElements);
  const prefixEstimate = firstChunk.length ? blockWork(firstChunk, range(2, kMax)) : 0;
  let total =
    prefixEstimate + mainWork([...slices.ltmg, ...prefix.slice(0, prefix.length - firstChunk.length)]);
  let base = 0; // fraction of the bar already spent when the current phase began
  let done = 0;
  const report = (work: number, message: string) => (f: number) =>
    ctx.progress(base + ((1 - base) * (done + work * f)) / Math.max(1, total), message);

  let kCur = kMax;
  let firstOfPrefix = true;
  while (prefix.length > 0 && kCur > 2) {
    // A chunk of genes is fitted with K up to the current k (k never grows), then chosen in gene order.
    const chunk = prefixChunk(prefix, kMax, internals.blockElements);
    prefix.length -= chunk.length;
    const walk: Chooser = (all) =>
      all.map((cands) => {
        const best = minBic(cands, kCur);
        if (best && best.w.length >= 2) kCur = best.w.length;
        return best;
      });
    const ks = range(2, kCur);
    const work = blockWork(chunk, ks);
    // Later chunks were counted among the K = 2 blocks; they turned out to need more K.
    if (!firstOfPrefix) total += work - blockWork(chunk, [2]);
    firstOfPrefix = false;
    const message = `genes in R's order (K up to ${kCur})`;
    store(
      chunk,
      await fitBlock(ctx, t, chunk, { ...baseOpts, branch: 'ltmg', ks }, report(work, message), walk),
    );
    done += work;
    await ctx.checkpoint();
  }
  slices.ltmg.push(...prefix); // k reached 2: the rest of the prefix is fitted like every other gene
  base = Math.min(1, base + ((1 - base) * done) / Math.max(1, total));
  done = 0;
  total = mainWork(slices.ltmg);
  plans[0]!.blocks = makeBlocks(slices.ltmg, kMax + 1, internals.blockElements);
  let blocksDone = 0;
  const nBlocks = plans.reduce((a, p) => a + p.blocks.length, 0);
  for (const p of plans) {
    for (const blk of p.blocks) {
      const work = blockWork(blk, p.ks);
      const message = `gene block ${++blocksDone} of ${nBlocks}`;
      store(
        blk,
        await fitBlock(ctx, t, blk, { ...baseOpts, branch: p.branch, ks: p.ks }, report(work, message)),
      );
      done += work;
      await ctx.checkpoint();
    }
  }
  ctx.progress(1);
  const { indptr, indices } = counts;
  return {
    nCells,
    nGenes,
    states: { nRows: nCells, nCols: nGenes, indptr, indices, values: states },
    components,
  };
}

/** Most genes of one chunk of the reference-mode prefix. */
const PREFIX_CHUNK = 256;

/** EM iterations for the single global-cut-off fit (cheap; normalmixEM allows 1000). */
const GLOBAL_ITERATIONS = 1000;

/**
 * The next chunk of the prefix (`prefix` holds the genes in reverse order, the next one last): in gene order,
 * at most PREFIX_CHUNK genes and, beyond the first, within the block budget. `prefix` is not changed.
 */
function prefixChunk(prefix: readonly GeneSlice[], kMax: number, blockElements: number): GeneSlice[] {
  const chunk: GeneSlice[] = [];
  let width = 1;
  for (let i = prefix.length - 1; i >= 0 && chunk.length < PREFIX_CHUNK; i--) {
    const next = prefix[i]!;
    width = Math.max(width, next.to - next.from);
    if (chunk.length > 0 && (chunk.length + 1) * width * (kMax + 1) > blockElements) break;
    chunk.push(next);
  }
  return chunk;
}

/** Index of the first zimg gene (or nGenes): the gene after which R's k is 2 in reference mode. */
function firstZimgGene(zimg: readonly GeneSlice[], nGenes: number): number {
  return zimg.reduce((m, s) => Math.min(m, s.gene), nGenes);
}

/** Write a slice's per-value states onto the counts' stored entries (values outside the slice stay 0). */
function scatterStates(t: GeneTable, s: GeneSlice, st: Int32Array, out: Uint8Array): void {
  for (let e = t.eOffsets[s.gene]!; e < t.eOffsets[s.gene + 1]!; e++) {
    const v = t.entryValue[e]!;
    if (v < s.from || v >= s.to) continue;
    const state = st[v - s.from]!;
    if (state > 0) out[t.entryPos[e]!] = state;
  }
}

/**
 * `Global_Zcut` (`RunLTMG.R:6-21`) as intended: a 2-component Gaussian mixture of the per-gene minimum positive
 * log values, and the point between the means where the weighted densities cross (`Intersect2Mixtures`, grid of
 * 20,001 points from min(mean) − 2 sd to max(mean) + 2 sd, closest crossing). Falls back to 0, as R's tryCatch
 * does, when the fit fails.
 */
async function globalZcut(
  ctx: StageContext,
  t: GeneTable,
  params: LtmgParams,
  internals: LtmgInternals,
): Promise<number> {
  // R adds N(0, 1e-4) to the raw minima before the log (`:9`). It matters: many genes share the minimum 1
  // (log 0), and without it that tie is a zero-variance spike the EM cannot fit.
  const noise = ctx.rng.fork('ltmg-global-zcut');
  const mins = Array.from(t.minLogPos)
    .filter((v) => Number.isFinite(v))
    .map((v) => Math.log(Math.exp(v) + R_NOISE_SD * noise.normal()));
  mins.sort((a, b) => a - b);
  const vals: number[] = [];
  const mult: number[] = [];
  for (const v of mins) {
    if (vals.length > 0 && vals[vals.length - 1] === v) mult[mult.length - 1]!++;
    else {
      vals.push(v);
      mult.push(1);
    }
  }
  if (mins.length <= 2) return 0;
  const table: GeneTable = { ...t, vals: Float64Array.from(vals), mult: Float64Array.from(mult) };
  const slice: GeneSlice = { gene: 0, from: 0, to: vals.length, nObs: mins.length, censored: 0, q: 0 };
  // normalmixEM starts from a random split; Fit_LTMG's min − 1 / max + 1 start lets one component chase the
  // top outlier here, so start at the quartiles instead (deterministic, and a split of the bulk).
  const init = initialParams(table, slice, 3);
  if (!(init.sd > 0)) return 0;
  const quartile = (f: number): number => mins[Math.min(mins.length - 1, Math.floor(f * mins.length))]!;
  init.means = [quartile(0.25), quartile(0.75)];
  const bt = uploadBlock(ctx.tf, {
    nGenes: 1,
    width: vals.length,
    values: Float32Array.from(vals),
    weights: Float32Array.from(mult),
    q: new Float32Array(1),
    censored: new Float32Array(1),
  });
  try {
    const fit = await fitMixture(
      ctx,
      bt,
      2,
      Float32Array.from(init.means),
      Float32Array.of(init.sd),
      new Uint8Array(1),
      GLOBAL_ITERATIONS,
      internals.tol,
    );
    if (!fit.alive[0] || !fit.alive[1]) return 0;
    return intersect2Mixtures(fit.mu[0]!, fit.sd[0]!, fit.w[0]!, fit.mu[1]!, fit.sd[1]!, fit.w[1]!);
  } finally {
    bt.dispose();
  }
}

/** `AdaptGauss::Intersect2Mixtures` (v1.6) CutX; 0 (R's fallback) where it would return NA. */
export function intersect2Mixtures(
  m1: number,
  s1: number,
  w1: number,
  m2: number,
  s2: number,
  w2: number,
): number {
  if (Math.abs(m1 - m2) < 1e-5) return m1;
  if (w1 === 0 || w2 === 0 || !(s1 > 0) || !(s2 > 0)) return 0;
  const lo = Math.min(m1, m2) - 2 * (m1 < m2 ? s1 : s2);
  const hi = Math.max(m1, m2) + 2 * (m1 < m2 ? s2 : s1);
  const steps = 20000;
  const dens = (x: number, m: number, s: number, w: number): number =>
    (w * Math.exp(-0.5 * ((x - m) / s) ** 2)) / (s * Math.sqrt(2 * Math.PI));
  let best = Infinity;
  let cut = 0;
  let pos = false;
  let neg = false;
  for (let i = 0; i <= steps; i++) {
    const x = lo + ((hi - lo) * i) / steps;
    const d = dens(x, m1, s1, w1) - dens(x, m2, s2, w2);
    if (d > 0) pos = true;
    if (d < 0) neg = true;
    if (Math.abs(d) < best) {
      best = Math.abs(d);
      cut = x;
    }
  }
  if (!(pos && neg)) return m1 < m2 ? lo : hi; // the densities never cross
  return cut;
}
