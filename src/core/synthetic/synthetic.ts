/**
 * A labelled synthetic single-cell count matrix with realistic structure, for scale benchmarks: any number of
 * cells, genes and cell types from one seed, built cell by cell straight into CSR typed arrays (memory grows with
 * the non-zeros, never with cells x genes).
 *
 * The model, per cell c and gene g:
 *
 *   count(c, g) ~ NB(mean = scale · s_c · profile_c(g), dispersion phi_g)          (gamma-Poisson)
 *
 * - Gene base means are log-normal (`geneMeanSigma`): many genes barely expressed, a few very high.
 * - Dispersion falls with the gene's mean (phi = 0.4 at the mean log-mean, times e^(-0.35 z) for a gene z standard
 *   deviations above it, with log-normal noise), as in UMI data where low genes are the noisiest.
 * - Size factors s_c are log-normal with mean 1 (`libSizeSigma`): library sizes vary from cell to cell.
 * - Each type's profile is the base mean times a small log-normal type effect on every gene (`typeEffectSigma`)
 *   and a `markerFold` range (several-fold) on its own marker genes (`markerFraction` of the genes, picked among
 *   the upper half by base mean, disjoint between types while there are enough genes).
 * - Type proportions are Dirichlet(`typeAlpha`), blended with the uniform share so that each type holds at least
 *   `minTypeShare` / T of the cells; cells are shuffled so types interleave.
 * - Trajectory: `trajectoryTypes` types lie on one path (anchors evenly spaced in pseudotime 0..1). Each of their
 *   cells gets a pseudotime within its type's stretch of the path, and its profile interpolates linearly between
 *   the two nearest anchors' type profiles, so neighbouring types blend into each other instead of being blobs.
 * - `scale` is calibrated by bisection so the expected fraction of zeros (exact NB zero probabilities, over an
 *   evenly spaced subsample of the cells) equals `zeroTarget`; the drawn fraction is reported.
 */
import type { CsrMatrix } from '../matrix/csr.ts';
import { createRng, type Rng } from '../rng.ts';
import { dirichlet, negativeBinomial, nbZeroProbability } from './distributions.ts';

export interface SyntheticOptions {
  readonly cells: number;
  readonly genes: number;
  readonly types: number;
  readonly seed: number;
  /** Overall fraction of zero counts to calibrate to (default 0.93). */
  readonly zeroTarget?: number;
  /** Standard deviation of the natural log of the gene base means (default 1.7). */
  readonly geneMeanSigma?: number;
  /** Standard deviation of the natural log of the per-cell size factors (default 0.5). */
  readonly libSizeSigma?: number;
  /** Fraction of the genes that are markers of each type (default 0.03; at least one gene). */
  readonly markerFraction?: number;
  /** Range of the markers' fold change in their type, drawn log-uniformly (default [2, 8]). */
  readonly markerFold?: readonly [number, number];
  /** Standard deviation of the log type effect on every gene (default 0.15). */
  readonly typeEffectSigma?: number;
  /** Dirichlet concentration of the type proportions (default 1). */
  readonly typeAlpha?: number;
  /** Fraction of the uniform share 1/T that every type holds at least (default 0.5). */
  readonly minTypeShare?: number;
  /** Types on the trajectory, 0 or 2..T (default 3 when T >= 3, else T when T = 2, else 0). */
  readonly trajectoryTypes?: number;
}

export type ResolvedSyntheticOptions = Required<SyntheticOptions>;

export interface SyntheticDataset {
  readonly options: ResolvedSyntheticOptions;
  /** Cells x genes counts (10x's CSC by cell is this same layout). */
  readonly counts: CsrMatrix;
  /** 10x-style barcodes (16 nt + "-1"), unique. */
  readonly cellIds: string[];
  readonly geneIds: string[];
  readonly geneNames: string[];
  readonly typeNames: string[];
  /** Type of each cell (index into `typeNames`). */
  readonly cellType: Int32Array;
  /** Pseudotime in [0, 1] of trajectory cells; NaN elsewhere. */
  readonly pseudotime: Float32Array;
  /** Per-cell size factor (log-normal, mean 1). */
  readonly sizeFactors: Float32Array;
  /** Per-gene base mean before `scale` (log-normal). */
  readonly geneBaseMeans: Float32Array;
  /** Per-gene NB dispersion. */
  readonly dispersion: Float32Array;
  /** Marker genes of each type, with their fold change. */
  readonly markers: { readonly genes: number[]; readonly folds: number[] }[];
  /** Type indices on the trajectory, in path order (empty when none). */
  readonly trajectory: number[];
  /** Cells per type. */
  readonly typeSizes: number[];
  /** The calibrated multiplier of every mean. */
  readonly scale: number;
  /** Expected zero fraction at `scale` over the calibration subsample. */
  readonly expectedZeroFraction: number;
  /** Fraction of zeros actually drawn. */
  readonly zeroFraction: number;
}

/** Cells used to calibrate the overall scale (evenly spaced over all cells). */
const CALIBRATION_CELLS = 512;
const CALIBRATION_STEPS = 30;
const BASES = 'ACGT';

export function resolveSyntheticOptions(o: SyntheticOptions): ResolvedSyntheticOptions {
  const r: ResolvedSyntheticOptions = {
    cells: o.cells,
    genes: o.genes,
    types: o.types,
    seed: o.seed,
    zeroTarget: o.zeroTarget ?? 0.93,
    geneMeanSigma: o.geneMeanSigma ?? 1.7,
    libSizeSigma: o.libSizeSigma ?? 0.5,
    markerFraction: o.markerFraction ?? 0.03,
    markerFold: o.markerFold ?? [2, 8],
    typeEffectSigma: o.typeEffectSigma ?? 0.15,
    typeAlpha: o.typeAlpha ?? 1,
    minTypeShare: o.minTypeShare ?? 0.5,
    trajectoryTypes: o.trajectoryTypes ?? (o.types >= 3 ? 3 : o.types === 2 ? 2 : 0),
  };
  const int = (name: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  };
  int('cells', r.cells, 1);
  int('genes', r.genes, 1);
  int('types', r.types, 1);
  int('seed', r.seed, 0);
  if (r.types > r.cells) throw new RangeError(`types (${r.types}) cannot exceed cells (${r.cells})`);
  if (!(r.zeroTarget > 0 && r.zeroTarget < 1))
    throw new RangeError(`zeroTarget must be in (0, 1), got ${r.zeroTarget}`);
  if (!(r.markerFraction >= 0 && r.markerFraction <= 1))
    throw new RangeError(`markerFraction must be in [0, 1], got ${r.markerFraction}`);
  if (!(r.markerFold[0] >= 1 && r.markerFold[1] >= r.markerFold[0]))
    throw new RangeError(`markerFold must be [lo, hi] with 1 <= lo <= hi, got [${r.markerFold.join(', ')}]`);
  if (!(r.minTypeShare >= 0 && r.minTypeShare <= 1))
    throw new RangeError(`minTypeShare must be in [0, 1], got ${r.minTypeShare}`);
  for (const [name, v] of [
    ['geneMeanSigma', r.geneMeanSigma],
    ['libSizeSigma', r.libSizeSigma],
    ['typeEffectSigma', r.typeEffectSigma],
  ] as const) {
    if (!(v >= 0)) throw new RangeError(`${name} must be >= 0, got ${v}`);
  }
  if (!(r.typeAlpha > 0)) throw new RangeError(`typeAlpha must be > 0, got ${r.typeAlpha}`);
  int('trajectoryTypes', r.trajectoryTypes, 0);
  if (r.trajectoryTypes === 1 || r.trajectoryTypes > r.types)
    throw new RangeError(`trajectoryTypes must be 0 or 2..${r.types}, got ${r.trajectoryTypes}`);
  return r;
}

/** Growable CSR arrays, sized from the expected number of non-zeros. */
class RowBuilder {
  indices: Int32Array;
  values: Float32Array;
  readonly indptr: Uint32Array;
  count = 0;
  private rows = 0;

  constructor(nRows: number, capacity: number) {
    this.indptr = new Uint32Array(nRows + 1);
    this.indices = new Int32Array(Math.max(1024, capacity));
    this.values = new Float32Array(this.indices.length);
  }

  push(col: number, value: number): void {
    if (this.count === this.indices.length) {
      const n = Math.ceil(this.indices.length * 1.5);
      const indices = new Int32Array(n);
      indices.set(this.indices);
      const values = new Float32Array(n);
      values.set(this.values);
      this.indices = indices;
      this.values = values;
    }
    this.indices[this.count] = col;
    this.values[this.count] = value;
    this.count++;
  }

  endRow(): void {
    this.indptr[++this.rows] = this.count;
  }

  /** The arrays trimmed to size: a view when little is wasted, else a copy. */
  finish(nCols: number): CsrMatrix {
    const trim = <T extends Int32Array | Float32Array>(a: T): T =>
      (a.length - this.count > 0.1 * this.count ? a.slice(0, this.count) : a.subarray(0, this.count)) as T;
    return {
      nRows: this.rows,
      nCols,
      indptr: this.indptr,
      indices: trim(this.indices),
      values: trim(this.values),
    };
  }
}

function shuffleInPlace(a: Int32Array | number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** Integer sizes summing to `total`, proportional to `shares` (largest remainder). */
function apportion(shares: Float64Array, total: number): number[] {
  const raw = Array.from(shares, (s) => s * total);
  const sizes = raw.map(Math.floor);
  let left = total - sizes.reduce((a, b) => a + b, 0);
  const order = raw.map((v, i) => [v - Math.floor(v), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) sizes[order[k]![1]]!++;
  return sizes;
}

function barcodes(n: number, rng: Rng): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < n) {
    let s = '';
    for (let i = 0; i < 16; i++) s += BASES[rng.int(4)];
    s += '-1';
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
  }
  return out;
}

/** Generate the dataset. Deterministic for given options. */
export function generateSynthetic(options: SyntheticOptions): SyntheticDataset {
  const o = resolveSyntheticOptions(options);
  const { cells: nCells, genes: nGenes, types: nTypes } = o;
  const root = createRng(o.seed);

  // ---- genes: base means (log-normal) and dispersions (falling with the mean) ----------------------------
  const geneRng = root.fork('genes');
  const logBase = new Float64Array(nGenes);
  for (let g = 0; g < nGenes; g++) logBase[g] = o.geneMeanSigma * geneRng.normal();
  const geneBaseMeans = new Float32Array(nGenes);
  const dispersion = new Float32Array(nGenes);
  const phi = new Float64Array(nGenes);
  const invPhi = new Float64Array(nGenes);
  for (let g = 0; g < nGenes; g++) {
    geneBaseMeans[g] = Math.exp(logBase[g]!);
    const z = o.geneMeanSigma > 0 ? logBase[g]! / o.geneMeanSigma : 0;
    const d = Math.min(10, Math.max(0.02, 0.4 * Math.exp(-0.35 * z + 0.3 * geneRng.normal())));
    phi[g] = d;
    invPhi[g] = 1 / d;
    dispersion[g] = d;
  }

  // ---- types: proportions, sizes, markers and profiles ------------------------------------------------------
  const typeRng = root.fork('types');
  const typeNames = Array.from({ length: nTypes }, (_, t) => `type_${t + 1}`);
  const shares = dirichlet(nTypes, o.typeAlpha, typeRng);
  for (let t = 0; t < nTypes; t++) shares[t] = o.minTypeShare / nTypes + (1 - o.minTypeShare) * shares[t]!;
  const typeSizes = apportion(shares, nCells);
  // With T <= cells every type gets a cell: take one from the largest type for any empty one.
  for (let t = 0; t < nTypes; t++) {
    if (typeSizes[t] === 0) {
      const big = typeSizes.indexOf(Math.max(...typeSizes));
      typeSizes[big]!--;
      typeSizes[t] = 1;
    }
  }

  // Marker candidates: the upper half of the genes by base mean, handed out without replacement.
  const byMean = Array.from({ length: nGenes }, (_, g) => g).sort(
    (a, b) => logBase[b]! - logBase[a]! || a - b,
  );
  const candidates = byMean.slice(0, Math.max(1, Math.ceil(nGenes / 2)));
  const nMarkers = o.markerFraction > 0 ? Math.max(1, Math.round(o.markerFraction * nGenes)) : 0;
  let pool: number[] = [];
  const markers: SyntheticDataset['markers'] = [];
  const [foldLo, foldHi] = o.markerFold;
  for (let t = 0; t < nTypes; t++) {
    const mine = new Set<number>();
    const want = Math.min(nMarkers, candidates.length);
    while (mine.size < want) {
      if (pool.length === 0) {
        pool = candidates.slice();
        shuffleInPlace(pool, typeRng);
      }
      const g = pool.pop()!;
      mine.add(g);
    }
    const genes = [...mine].sort((a, b) => a - b);
    const folds = genes.map(() => Math.exp(Math.log(foldLo) + typeRng.next() * Math.log(foldHi / foldLo)));
    markers.push({ genes, folds });
  }
  // Profile of each type: base mean x type effect x marker fold (scale applied later).
  const profiles: Float64Array[] = [];
  for (let t = 0; t < nTypes; t++) {
    const p = new Float64Array(nGenes);
    for (let g = 0; g < nGenes; g++)
      p[g] = Math.exp(logBase[g]! + o.typeEffectSigma * typeRng.normal() - o.typeEffectSigma ** 2 / 2);
    const m = markers[t]!;
    m.genes.forEach((g, i) => (p[g]! *= m.folds[i]!));
    profiles.push(p);
  }
  // The trajectory's types, in a random order along the path.
  const typeOrder = Array.from({ length: nTypes }, (_, t) => t);
  shuffleInPlace(typeOrder, typeRng);
  const trajectory = typeOrder.slice(0, o.trajectoryTypes);
  const pathIndex = new Int32Array(nTypes).fill(-1);
  trajectory.forEach((t, k) => (pathIndex[t] = k));

  // ---- cells: type, size factor, pseudotime --------------------------------------------------------------
  const cellRng = root.fork('cells');
  const cellType = new Int32Array(nCells);
  for (let t = 0, at = 0; t < nTypes; t++) cellType.fill(t, at, (at += typeSizes[t]!));
  shuffleInPlace(cellType, cellRng);
  const sizeFactors = new Float32Array(nCells);
  const s2 = o.libSizeSigma ** 2;
  for (let c = 0; c < nCells; c++) sizeFactors[c] = Math.exp(o.libSizeSigma * cellRng.normal() - s2 / 2);
  const pseudotime = new Float32Array(nCells).fill(NaN);
  const nPath = trajectory.length;
  if (nPath >= 2) {
    const half = 0.5 / (nPath - 1);
    for (let c = 0; c < nCells; c++) {
      const k = pathIndex[cellType[c]!]!;
      if (k < 0) continue;
      const anchor = k / (nPath - 1);
      const lo = Math.max(0, anchor - half);
      const hi = Math.min(1, anchor + half);
      pseudotime[c] = lo + cellRng.next() * (hi - lo);
    }
  }
  const cellIds = barcodes(nCells, root.fork('barcodes'));
  const geneIds = Array.from({ length: nGenes }, (_, g) => `SYNG${String(g + 1).padStart(7, '0')}`);
  const geneNames = Array.from({ length: nGenes }, (_, g) => `Syn${g + 1}`);

  /** The mean profile of cell c before scale and size factor; `buf` is used for trajectory cells. */
  const profileOf = (c: number, buf: Float64Array): Float64Array => {
    const t = cellType[c]!;
    if (pathIndex[t]! < 0) return profiles[t]!;
    const x = pseudotime[c]! * (nPath - 1);
    const k = Math.min(nPath - 2, Math.floor(x));
    const f = x - k;
    const a = profiles[trajectory[k]!]!;
    const b = profiles[trajectory[k + 1]!]!;
    for (let g = 0; g < nGenes; g++) buf[g] = (1 - f) * a[g]! + f * b[g]!;
    return buf;
  };

  // ---- calibrate the overall scale on the expected zero fraction ------------------------------------------
  const buf = new Float64Array(nGenes);
  const nCal = Math.min(nCells, CALIBRATION_CELLS);
  const calMeans: Float32Array[] = [];
  for (let i = 0; i < nCal; i++) {
    const c = Math.floor(((i + 0.5) * nCells) / nCal);
    const p = profileOf(c, buf);
    const row = new Float32Array(nGenes);
    for (let g = 0; g < nGenes; g++) row[g] = sizeFactors[c]! * p[g]!;
    calMeans.push(row);
  }
  const expectedZeros = (scale: number): number => {
    let z = 0;
    for (const row of calMeans)
      for (let g = 0; g < nGenes; g++) z += nbZeroProbability(scale * row[g]!, phi[g]!, invPhi[g]!);
    return z / (nCal * nGenes);
  };
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < CALIBRATION_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (expectedZeros(Math.exp(mid)) > o.zeroTarget) lo = mid;
    else hi = mid;
  }
  const scale = Math.exp((lo + hi) / 2);
  const expectedZeroFraction = expectedZeros(scale);

  // ---- draw the counts, cell by cell -----------------------------------------------------------------------
  const countRng = root.fork('counts');
  const expectedNnz = (1 - expectedZeroFraction) * nCells * nGenes;
  const out = new RowBuilder(nCells, Math.ceil(expectedNnz * 1.03) + 1024);
  for (let c = 0; c < nCells; c++) {
    const p = profileOf(c, buf);
    const m = scale * sizeFactors[c]!;
    for (let g = 0; g < nGenes; g++) {
      const k = negativeBinomial(m * p[g]!, phi[g]!, invPhi[g]!, countRng);
      if (k > 0) out.push(g, k);
    }
    out.endRow();
  }
  const counts = out.finish(nGenes);

  return {
    options: o,
    counts,
    cellIds,
    geneIds,
    geneNames,
    typeNames,
    cellType,
    pseudotime,
    sizeFactors,
    geneBaseMeans,
    dispersion,
    markers,
    trajectory,
    typeSizes,
    scale,
    expectedZeroFraction,
    zeroFraction: 1 - out.count / (nCells * nGenes),
  };
}
