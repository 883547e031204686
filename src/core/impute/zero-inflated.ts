/**
 * Zero-inflated imputation on the scGNN cell graph (`impute.mode: 'zero-inflated'`, the default): every entry,
 * observed or zero, is replaced by its posterior mean under a zero-inflated negative binomial (ZINB) whose mean
 * comes from the cell's neighbours in the scGNN cell graph (the pruned kNN graph of the autoencoder embedding
 * that the clustering used).
 *
 * Notation, for cell i and gene g: x = ln(1 + s_i·c) the model input (s_i the library-size factor, c the
 * count), y = expm1(x) / s_i the cell's count, N(i) its neighbours (weights w_ij).
 *
 * - Neighbourhood mean: μ⁰_ig = Σ_j w_ij·expm1(x_jg) / Σ_j w_ij / s_i, the neighbours' mean normalised count
 *   (zeros included) at cell i's depth. Where no neighbour detects the gene (μ⁰ = 0) the entry is kept as it
 *   is (a zero stays 0). The prior mean is μ = μ⁰/(1 − π): the neighbours' own failed detections put back.
 * - Shape (biological variability) per gene, by the method of moments on the neighbourhood residuals:
 *   1/a_g = Σ_i w_ig((y − μ)² − μ) / Σ_i w_ig·μ², clipped to [shapeMin, shapeMax] (a variance at or below the
 *   Poisson one gives shapeMax); w_ig = 1 − r_ig for a zero (a likely failed detection says nothing about the
 *   variance), 1 otherwise.
 * - Zero inflation π, once per matrix: the zeros beyond the negative-binomial expectation over the N entries
 *   with μ > 0, π = (Z − Σ P0)/(N − Σ P0) clipped to [0, 0.9], P0 = (a/(a + μ))^a.
 * - r_ig = π/(π + (1 − π)·P0_ig): the posterior probability that a zero is a failed detection of an expressed
 *   gene rather than a negative-binomial zero. Shape, π and r are refined `iterations` times (each pass uses the
 *   previous π and r), from π = 0.
 * - Observed count y > 0: the Poisson–Gamma posterior mean λ̂ = (y + a)/(1 + a/μ), a shrinkage of y toward μ
 *   that is strong for small counts and negligible for deep ones; output ln(1 + s_i·λ̂).
 * - Zero: r·L_ig + (1 − r)·ln(1 + s_i·μ·a/(μ + a)), L_ig the gene's level where detected among the neighbours
 *   (the 'graph' estimate of impute.ts, with the cell's offset), the second term the NB posterior mean given
 *   a zero.
 *
 * What it does: where the data show no excess zeros (π ≈ 0, e.g. counts that are a Poisson sample of deeper
 * ones, the `eval --thin` protocol), a zero becomes the small NB posterior (0 where no neighbour expresses the
 * gene: no false signal in other types' markers) and small observed counts are denoised toward the
 * neighbourhood. Where there are excess zeros (failed detections, e.g. the published protocol's randomly zeroed
 * entries), a zero whose neighbourhood makes a zero improbable (μ large, P0 small) is restored to the level if
 * detected. Neighbour lists only (no N x N), no tensors; well under a second at 1,000 cells x 2,000 genes.
 *
 * Model choices measured on cached pipeline runs (scripts/impute-experiments/thin-variants.ts, README there):
 * the feature AE's or the closed loop's cluster-AE reconstruction as the prior mean gave lower gene
 * correlations and about twice the false signal of the graph neighbourhood (goolam, CellBench Drop-seq), and as
 * the zero fill median L1 above target on three of the four small datasets; the cell graph joined with a kNN
 * graph of the input (the 'graph' mode's neighbourhood) gave higher gene correlations but more false signal on
 * CellBench Drop-seq than the MAGIC-like reference; without the iterations π is underestimated under the 10 %
 * dropout protocol (0.06 to 0.08 instead of 0.08 to 0.10 on the UMI sets) and median L1 rises (Drop-seq above
 * its target with the union graph).
 * Decision: docs/decisions/imputation-zero-inflated.md
 */
import type { CellGraph } from '../graph/cell-graph.ts';
import type { DenseMatrix } from '../matrix/dense.ts';
import { subRange, type StageContext } from '../pipeline/context.ts';
import type { CsrMatrix } from '../matrix/csr.ts';
import { computedRows } from '../matrix/rows.ts';
import { denseX, expressionGraph, graphImputer, sparseX, unionGraph, type ImputeParams } from './impute.ts';

export interface ZeroInflatedParams {
  /**
   * Neighbourhoods: 'cell' = the scGNN cell graph (pruned kNN of the AE embedding; default: the graph joined
   * with a kNN graph of the input links cells across types in shallow data and leaves false signal);
   * 'expression' / 'union' as in the 'graph' mode (impute.ts).
   */
  readonly graph: 'cell' | 'expression' | 'union';
  /** Refinements of (shape, π) after the first estimate (each re-weights the moments by the dropout odds). */
  readonly iterations: number;
  /** Lower clip of the per-gene negative-binomial shape a (a < 1: a coefficient of variation above 1). */
  readonly shapeMin: number;
  /** Upper clip of a (large a: nearly Poisson). */
  readonly shapeMax: number;
}

export const zeroInflatedDefaults: ZeroInflatedParams = {
  graph: 'cell',
  iterations: 2,
  shapeMin: 1,
  shapeMax: 5,
};

/** Upper bound of the estimated zero inflation (the estimate is meaningless near 1). */
const MAX_PI = 0.9;

export interface ZeroInflatedInput {
  /** Cells x genes, ln(1 + s_i·c): the model input, sparse (the log1p values' CSR) or dense. */
  readonly x: DenseMatrix | CsrMatrix;
  /** s_i per cell (library-size factors); all 1 when omitted (x = ln(1 + c)). */
  readonly scale?: Float64Array;
  /** Fallback of the level estimate where no neighbour detects a gene (the autoencoder reconstruction). */
  readonly recon?: DenseMatrix;
  /** The imputation graph (already joined with the expression graph where wanted). */
  readonly graph: CellGraph;
}

/** Validation messages (empty when valid). */
export function validateZeroInflatedParams(p: ZeroInflatedParams): string[] {
  const problems: string[] = [];
  if (!(p.shapeMin > 0 && p.shapeMax >= p.shapeMin && Number.isFinite(p.shapeMax)))
    problems.push('impute.zeroInflated shapes must satisfy 0 < shapeMin <= shapeMax < ∞');
  if (!(Number.isInteger(p.iterations) && p.iterations >= 0))
    problems.push('impute.zeroInflated.iterations must be a non-negative integer');
  if (!['cell', 'expression', 'union'].includes(p.graph))
    problems.push(`impute.zeroInflated.graph must be 'cell', 'expression' or 'union'`);
  return problems;
}

/** The details of one imputation, for tests and experiments. */
export interface ZeroInflatedResult {
  /** The imputed matrix, on x's scale (ln(1 + s_i·c)). */
  readonly imputed: DenseMatrix;
  /** Estimated zero inflation π. */
  readonly pi: number;
  /** Per-gene shape a_g. */
  readonly shape: Float64Array;
}

/** The imputation on a given graph (see the file comment), as one dense matrix. No tensors. */
export function imputeZeroInflatedOnGraph(
  input: ZeroInflatedInput,
  params: Partial<ZeroInflatedParams> = {},
  graphParams: Partial<ImputeParams> = {},
): ZeroInflatedResult {
  const fit = zeroInflatedImputer(input, params, graphParams);
  const imputed = computedRows(fit.nCells, fit.nGenes, fit.row).dense();
  return { imputed, pi: fit.pi, shape: fit.shape };
}

/** The fitted imputation: π, the shapes, and each cell's imputed row on demand. */
export interface ZeroInflatedImputer {
  readonly nCells: number;
  readonly nGenes: number;
  readonly pi: number;
  readonly shape: Float64Array;
  /** Writes cell i's imputed values (x's scale) into `out` (length genes). */
  row(i: number, out: Float32Array): void;
}

/**
 * Fits π and the shapes (see the file comment) in passes over the cells, each recomputing a cell's
 * neighbourhood mean from its neighbours' non-zeros, so nothing cells x genes is held (issue 12): memory is
 * O(genes) besides x and the graph, and each row of the result is made when asked. Same arithmetic, in the same
 * order, as one pass over dense matrices.
 */
export function zeroInflatedImputer(
  input: ZeroInflatedInput,
  params: Partial<ZeroInflatedParams> = {},
  graphParams: Partial<ImputeParams> = {},
): ZeroInflatedImputer {
  const fit = zeroInflatedFit(input, params, graphParams);
  for (;;) {
    const step = fit.next();
    if (step.done) return step.value;
  }
}

/** Cells between two reports of `zeroInflatedFit` (at 100,000 cells the fit's passes take about a minute). */
const FIT_BLOCK_CELLS = 2048;

/**
 * `zeroInflatedImputer` as a generator: it yields the fraction of the fit's passes done every FIT_BLOCK_CELLS
 * cells, so a caller can report progress and yield to the event loop (cancel), and returns the imputer.
 */
export function* zeroInflatedFit(
  input: ZeroInflatedInput,
  params: Partial<ZeroInflatedParams> = {},
  graphParams: Partial<ImputeParams> = {},
): Generator<number, ZeroInflatedImputer, void> {
  const p: ZeroInflatedParams = { ...zeroInflatedDefaults, ...params };
  const problems = validateZeroInflatedParams(p);
  if (problems.length) throw new RangeError(problems.join('; '));
  const { graph } = input;
  const x = sparseX(input.x);
  const { nRows: n, nCols: g, indptr, indices, values } = x;
  if (graph.nNodes !== n) throw new RangeError(`graph has ${graph.nNodes} nodes, x has ${n} cells`);
  const scale = input.scale ?? new Float64Array(n).fill(1);
  if (scale.length !== n) throw new RangeError(`${scale.length} scale factors for ${n} cells`);

  // Level if detected among the neighbours, per cell (the 'graph' estimate without keeping observed values).
  const level = graphImputer(
    { x, recon: input.recon, graph },
    { ...graphParams, method: 'graph', target: 'detected', keepObserved: false },
  );

  // One cell at a time: its x row, count y and neighbourhood mean μ⁰ (cell's count scale).
  const xi = new Float32Array(g);
  const y = new Float64Array(g);
  const mu0 = new Float64Array(g);
  const load = (i: number): void => {
    xi.fill(0);
    for (let e = indptr[i]!; e < indptr[i + 1]!; e++) xi[indices[e]!] = values[e]!;
    mu0.fill(0);
    let wTotal = 0;
    for (let e = graph.indptr[i]!; e < graph.indptr[i + 1]!; e++) {
      const j = graph.indices[e]!;
      const w = graph.weights[e]!;
      wTotal += w;
      for (let f = indptr[j]!; f < indptr[j + 1]!; f++)
        if (values[f]! > 0) mu0[indices[f]!]! += w * Math.expm1(values[f]!);
    }
    for (let k = 0; k < g; k++) {
      mu0[k] = wTotal > 0 ? mu0[k]! / wTotal / scale[i]! : 0;
      y[k] = Math.expm1(xi[k]!) / scale[i]!;
    }
  };
  // P(failed detection | zero) of entry (i, k) under a pass's (shape, lift, π); 0 before the first pass.
  interface PassState {
    readonly shape: Float64Array;
    readonly lift: number;
    readonly pi: number;
  }
  const dropoutOdds = (s: PassState | null, k: number): number => {
    if (!s || xi[k] !== 0 || !(s.pi > 0)) return 0;
    const m = mu0[k]! * s.lift;
    const a = s.shape[k]!;
    const p0 = m > 0 ? Math.pow(a / (a + m), a) : 0;
    return s.pi / (s.pi + (1 - s.pi) * p0);
  };

  // Fixed point of (shape, π, r): see the file comment.
  let pi = 0;
  let last: PassState | null = null;
  const num = new Float64Array(g);
  const den = new Float64Array(g);
  // Each pass reads every cell twice (shape, then π).
  const sweeps = 2 * (p.iterations + 1);
  let sweep = 0;
  const done = (i: number): number => (sweep * n + i) / (sweeps * n);
  for (let pass = 0; pass <= p.iterations; pass++) {
    const lift = 1 / (1 - pi);
    num.fill(0);
    den.fill(0);
    for (let i = 0; i < n; i++) {
      if (i > 0 && i % FIT_BLOCK_CELLS === 0) yield done(i);
      load(i);
      for (let k = 0; k < g; k++) {
        const m = mu0[k]! * lift;
        const w = xi[k] === 0 ? 1 - dropoutOdds(last, k) : 1;
        num[k]! += w * ((y[k]! - m) * (y[k]! - m) - m);
        den[k]! += w * m * m;
      }
    }
    sweep++;
    const shape = new Float64Array(g);
    for (let k = 0; k < g; k++) {
      const inv = den[k]! > 0 ? num[k]! / den[k]! : 0;
      shape[k] = inv > 0 ? Math.min(p.shapeMax, Math.max(p.shapeMin, 1 / inv)) : p.shapeMax;
    }
    let zeros = 0;
    let expected = 0;
    let entries = 0;
    for (let i = 0; i < n; i++) {
      if (i > 0 && i % FIT_BLOCK_CELLS === 0) yield done(i);
      load(i);
      for (let k = 0; k < g; k++) {
        const m = mu0[k]! * lift;
        if (!(m > 0)) continue;
        const a = shape[k]!;
        entries++;
        if (xi[k] === 0) zeros++;
        expected += Math.pow(a / (a + m), a);
      }
    }
    sweep++;
    pi = entries > expected ? Math.min(MAX_PI, Math.max(0, (zeros - expected) / (entries - expected))) : 0;
    last = { shape, lift, pi };
  }
  const fitted = last!;
  const lift = 1 / (1 - pi);
  const levelRow = new Float32Array(g);
  return {
    nCells: n,
    nGenes: g,
    pi,
    shape: fitted.shape,
    row(i, out) {
      load(i);
      level.row(i, levelRow);
      const s = scale[i]!;
      for (let k = 0; k < g; k++) {
        const m = mu0[k]! * lift;
        if (!(m > 0)) {
          out[k] = xi[k]!; // no neighbour detects the gene: observed kept, a zero stays 0
          continue;
        }
        const a = fitted.shape[k]!;
        if (xi[k]! > 0) out[k] = Math.log1p((s * (y[k]! + a)) / (1 + a / m));
        else {
          const r = dropoutOdds(fitted, k);
          out[k] = r * levelRow[k]! + (1 - r) * Math.log1p((s * m * a) / (m + a));
        }
      }
    },
  };
}

/**
 * The pipeline's entry point: the imputation graph as `params.graph` says (default: the scGNN cell graph; a
 * kNN graph of x, k = `graphParams.k`, for 'expression' / 'union'), then the fitted `zeroInflatedImputer`,
 * whose rows are made when read.
 */
export async function imputeZeroInflated(
  input: ZeroInflatedInput,
  params: Partial<ZeroInflatedParams>,
  graphParams: Partial<ImputeParams>,
  ctx: StageContext,
): Promise<ZeroInflatedImputer> {
  const which = params.graph ?? zeroInflatedDefaults.graph;
  let graph = input.graph;
  if (which !== 'cell') {
    const expression = await expressionGraph(denseX(input.x), graphParams.k ?? 10, subRange(ctx, 0, 0.5));
    graph = which === 'expression' ? expression : unionGraph(input.graph, expression);
  }
  await ctx.checkpoint();
  const from = which === 'cell' ? 0 : 0.5;
  const fit = zeroInflatedFit({ ...input, graph }, params, graphParams);
  for (;;) {
    const step = fit.next();
    if (step.done) {
      ctx.progress(1, 'zero-inflated posterior');
      return step.value;
    }
    ctx.progress(from + (1 - from) * step.value, 'zero-inflated posterior: fitting');
    await ctx.checkpoint();
  }
}
