/**
 * Imputation variants scored on both protocols from the caches of cache-protocol.ts:
 *   npx tsx scripts/impute-experiments/thin-variants.ts <seed> <dataset>...
 * Thin: gene corr / cell corr / false signal (and the none / MAGIC-like references); dropout: median L1.
 */
import { setupNodeBackend, tf } from '../../src/cli/node-backend.ts';
import { magicReference } from '../../src/core/eval/magic-reference.ts';
import { expressionGraph, imputeOnGraph, unionGraph } from '../../src/core/impute/impute.ts';
import { imputeZeroInflatedOnGraph } from '../../src/core/impute/zero-inflated.ts';
import type { CellGraph } from '../../src/core/graph/cell-graph.ts';
import { denseMatrix, type DenseMatrix } from '../../src/core/matrix/dense.ts';
import { createContext } from '../../src/core/pipeline/context.ts';
import { log1pDense } from '../../src/core/preprocess/normalise.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadProtocolCache, medianL1, thinScore, unscaled, type ProtocolCache } from './load-protocol.ts';

await setupNodeBackend('wasm');
const seed = Number(process.argv[2]);
const names = process.argv.slice(3);

interface Stats {
  d: Float32Array; // neighbour detection fraction
  mean: Float32Array; // neighbour mean of x (log scale, zeros included)
  cmean: Float32Array; // neighbour mean of expm1(x) (normalised count scale, zeros included)
  L: DenseMatrix; // graph level-if-detected (all entries)
}

function stats(c: ProtocolCache, graph: CellGraph): Stats {
  const { rows: n, cols: g } = c.x;
  const d = new Float32Array(n * g);
  const mean = new Float32Array(n * g);
  const cmean = new Float32Array(n * g);
  const acc = new Float64Array(g);
  const cacc = new Float64Array(g);
  const det = new Float64Array(g);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    cacc.fill(0);
    det.fill(0);
    let wt = 0;
    for (let e = graph.indptr[i]!; e < graph.indptr[i + 1]!; e++) {
      const j = graph.indices[e]!;
      const w = graph.weights[e]!;
      wt += w;
      for (let k = 0; k < g; k++) {
        const v = c.x.data[j * g + k]!;
        acc[k]! += w * v;
        cacc[k]! += w * Math.expm1(v);
        if (v > 0) det[k]! += w;
      }
    }
    for (let k = 0; k < g; k++) {
      d[i * g + k] = wt ? det[k]! / wt : 0;
      mean[i * g + k] = wt ? acc[k]! / wt : 0;
      cmean[i * g + k] = wt ? cacc[k]! / wt : 0;
    }
  }
  const L = imputeOnGraph({ x: c.x, recon: c.recon, graph }, { keepObserved: false });
  return { d, mean, cmean, L };
}

type Variant = (c: ProtocolCache, s: Stats) => DenseMatrix;
const map = (c: ProtocolCache, f: (k: number, x: number) => number): DenseMatrix => {
  const out = new Float32Array(c.x.data.length);
  for (let k = 0; k < out.length; k++) out[k] = f(k, c.x.data[k]!);
  return denseMatrix(c.x.rows, c.x.cols, out);
};
const ramp = (d: number, lo: number, hi: number): number => Math.min(1, Math.max(0, (d - lo) / (hi - lo)));

const variants: Record<string, Variant> = {
  // The module as it is (src/core/impute/zero-inflated.ts, defaults: the cell graph).
  core: (c) => imputeZeroInflatedOnGraph({ x: c.x, scale: c.scale, recon: c.recon, graph: c.graph }).imputed,
  'core it5': (c) =>
    imputeZeroInflatedOnGraph({ x: c.x, scale: c.scale, recon: c.recon, graph: c.graph }, { iterations: 5 })
      .imputed,
  'core [.5,5]': (c) =>
    imputeZeroInflatedOnGraph({ x: c.x, scale: c.scale, recon: c.recon, graph: c.graph }, { shapeMin: 0.5 })
      .imputed,
  'core [1,10]': (c) =>
    imputeZeroInflatedOnGraph({ x: c.x, scale: c.scale, recon: c.recon, graph: c.graph }, { shapeMax: 10 })
      .imputed,
  graph: (c, s) => map(c, (k, x) => (x > 0 ? x : s.L.data[k]!)),
  recon: (c) => c.recon,
  'recon keepObs': (c) => map(c, (k, x) => (x > 0 ? x : c.recon.data[k]!)),
  cl: (c) => c.clRecon,
  'cl keepObs': (c) => map(c, (k, x) => (x > 0 ? x : c.clRecon.data[k]!)),
  'nbr mean keepObs': (c, s) => map(c, (k, x) => (x > 0 ? x : s.mean[k]!)),
};
for (const t of [0.3, 0.5, 0.7])
  variants[`graph step${t}`] = (c, s) => map(c, (k, x) => (x > 0 ? x : s.d[k]! >= t ? s.L.data[k]! : 0));
for (const [lo, hi] of [
  [0.2, 0.6],
  [0.3, 0.7],
  [0.4, 0.8],
])
  variants[`graph ramp${lo}-${hi}`] = (c, s) =>
    map(c, (k, x) => (x > 0 ? x : ramp(s.d[k]!, lo!, hi!) * s.L.data[k]!));
for (const t of [0.3, 0.5])
  for (const src of ['recon', 'cl'] as const) {
    variants[`${src}/d step${t}`] = (c, s) =>
      map(c, (k, x) =>
        x > 0 ? x : s.d[k]! >= t ? (src === 'cl' ? c.clRecon : c.recon).data[k]! / s.d[k]! : 0,
      );
    variants[`${src} step${t}`] = (c, s) =>
      map(c, (k, x) => (x > 0 ? x : s.d[k]! >= t ? (src === 'cl' ? c.clRecon : c.recon).data[k]! : 0));
  }

// Poisson-Gamma posterior mean of the cell's count given its observed count and a prior mean mu (count scale).
function post(c: ProtocolCache, k: number, x: number, mu: number, a: number): number {
  const s = c.scale[Math.floor(k / c.x.cols)]!;
  const y = Math.expm1(x) / s;
  const m = mu / s;
  if (!(m > 0)) return x;
  return Math.log1p(s * ((y + a) / (1 + a / m)));
}
const only = process.env.ONLY ? new RegExp(process.env.ONLY) : null;
const muOf = {
  nbr: (c: ProtocolCache, s: Stats, k: number) => s.cmean[k]!,
  recon: (c: ProtocolCache, s: Stats, k: number) => Math.expm1(c.recon.data[k]!),
  cl: (c: ProtocolCache, s: Stats, k: number) => Math.expm1(c.clRecon.data[k]!),
  lvl: (c: ProtocolCache, s: Stats, k: number) => s.d[k]! * Math.expm1(s.L.data[k]!),
};
for (const a of [1, 3, 10])
  for (const src of Object.keys(muOf) as (keyof typeof muOf)[]) {
    variants[`post a${a} ${src} obs, ramp.3-.7`] = (c, s) =>
      map(c, (k, x) =>
        x > 0 ? post(c, k, x, muOf[src](c, s, k), a) : ramp(s.d[k]!, 0.3, 0.7) * s.L.data[k]!,
      );
    variants[`post a${a} ${src} all`] = (c, s) => map(c, (k, x) => post(c, k, x, muOf[src](c, s, k), a));
  }
// Zero-inflated posterior: a zero is a failed detection with probability w = pi / (pi + (1 - pi) P_NB(0 | mu, a))
// (then the level if detected), otherwise an NB zero (then the NB posterior mean given 0). pi: excess zeros over
// the NB expectation, estimated over the whole matrix.
function geneShape(c: ProtocolCache, s: Stats, global: boolean, lo = 0.05, hi = 20): Float64Array {
  const { rows: n, cols: g } = c.x;
  const num = new Float64Array(g);
  const den = new Float64Array(g);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < g; j++) {
      const k = i * g + j;
      const sc = c.scale[i]!;
      const mu = s.cmean[k]! / sc;
      const y = Math.expm1(c.x.data[k]!) / sc;
      num[j]! += (y - mu) ** 2 - mu;
      den[j]! += mu * mu;
    }
  const out = new Float64Array(g);
  let tn = 0;
  let td = 0;
  for (let j = 0; j < g; j++) {
    tn += num[j]!;
    td += den[j]!;
  }
  for (let j = 0; j < g; j++) {
    const inv = global ? tn / td : den[j]! > 0 ? num[j]! / den[j]! : tn / td;
    out[j] = Math.min(hi, Math.max(lo, 1 / Math.max(inv, 1e-9)));
  }
  return out;
}
function zi(
  c: ProtocolCache,
  s: Stats,
  a0: number | Float64Array,
  src: keyof typeof muOf,
  piOverride?: number,
  dmin = 0,
  aPost?: Float64Array,
) {
  const AP = (k: number) => (aPost ? aPost[k % c.x.cols]! : A(k));
  const A = (k: number) => (typeof a0 === 'number' ? a0 : a0[k % c.x.cols]!);
  let zeros = 0;
  let e0 = 0;
  let nEntries = 0;
  for (let k = 0; k < c.x.data.length; k++) {
    const mu = muOf[src](c, s, k) / c.scale[Math.floor(k / c.x.cols)]!;
    if (!(mu > 0)) continue;
    nEntries++;
    if (c.x.data[k] === 0) zeros++;
    const a = A(k);
    e0 += Math.pow(a / (a + mu), a);
  }
  const pi = piOverride ?? Math.min(1, Math.max(0, (zeros - e0) / (nEntries - e0)));
  const m = map(c, (k, x) => {
    const mu0 = muOf[src](c, s, k);
    const a = A(k);
    const ap = AP(k);
    if (x > 0) return post(c, k, x, mu0, ap);
    const sc = c.scale[Math.floor(k / c.x.cols)]!;
    const mu = mu0 / sc;
    if (!(mu > 0)) return 0;
    const p0 = Math.pow(a / (a + mu), a);
    const w = s.d[k]! >= dmin ? pi / (pi + (1 - pi) * p0) : 0;
    const post0 = Math.log1p((sc * mu * ap) / (mu + ap));
    return w * s.L.data[k]! + (1 - w) * post0;
  });
  return { m, pi };
}
const piLog: string[] = [];
interface Zi3 {
  iters: number; // fixed-point iterations of (pi, a)
  muCorrect: boolean; // mu / (1 - pi): the neighbours' dropouts removed from the prior mean
  weighted: boolean; // MoM with zero entries weighted by 1 - r (likely dropouts left out)
  lo: number;
  hi: number;
  empirical: boolean; // P(real zero) at least the neighbours' zero rate beyond pi
  pi0?: boolean; // diagnostic: pi forced to 0 in the output
  keepObs?: boolean; // diagnostic: observed values kept
  rMin?: number; // r below this counts as 0
  zeroFit?: 'zeros' | 'all'; // per-gene shape fitted to the gene's zeros beyond pi: for zeros only, or everything
  zLo?: number;
  zHi?: number;
  bimodal?: 'post' | 'both'; // zero posterior (and r) from the on/off model: P(on) = neighbours' detection
}
function zi3(c: ProtocolCache, s: Stats, o: Zi3): { m: DenseMatrix; pi: number } {
  const { rows: n, cols: g } = c.x;
  const xd = c.x.data;
  const mu0 = new Float64Array(n * g);
  for (let e = 0; e < n * g; e++) mu0[e] = s.cmean[e]! / c.scale[Math.floor(e / g)]!;
  let pi = 0;
  const shape = new Float64Array(g).fill(o.hi);
  const r = new Float64Array(n * g);
  const p0s = new Float64Array(n * g);
  const muAt = (e: number) => (o.muCorrect ? mu0[e]! / (1 - pi) : mu0[e]!);
  for (let it = 0; it <= o.iters; it++) {
    // shape
    const num = new Float64Array(g);
    const den = new Float64Array(g);
    for (let e = 0; e < n * g; e++) {
      const m = muAt(e);
      const y = Math.expm1(xd[e]!) / c.scale[Math.floor(e / g)]!;
      const w = o.weighted && xd[e] === 0 ? 1 - r[e]! : 1;
      num[e % g]! += w * ((y - m) * (y - m) - m);
      den[e % g]! += w * m * m;
    }
    for (let k = 0; k < g; k++) {
      const inv = den[k]! > 0 ? num[k]! / den[k]! : 0;
      shape[k] = inv > 0 ? Math.min(o.hi, Math.max(o.lo, 1 / inv)) : o.hi;
    }
    let zeros = 0,
      ex = 0,
      N = 0;
    for (let e = 0; e < n * g; e++) {
      const m = muAt(e);
      if (!(m > 0)) continue;
      const a = shape[e % g]!;
      let p0 = Math.pow(a / (a + m), a);
      if (o.empirical) p0 = Math.max(p0, Math.max(0, 1 - s.d[e]! - pi) / (1 - pi));
      p0s[e] = p0;
      N++;
      if (xd[e] === 0) zeros++;
      ex += p0;
    }
    pi = N > ex ? Math.min(0.9, Math.max(0, (zeros - ex) / (N - ex))) : 0;
    for (let e = 0; e < n * g; e++) r[e] = xd[e] === 0 && pi > 0 ? pi / (pi + (1 - pi) * p0s[e]!) : 0;
  }
  const shape0 = Float64Array.from(shape);
  if (o.zeroFit) {
    const lo = o.zLo ?? 0.05;
    const hi = o.zHi ?? 50;
    for (let k = 0; k < g; k++) {
      let Ng = 0;
      let Zg = 0;
      for (let i = 0; i < n; i++) {
        const e = i * g + k;
        if (!(muAt(e) > 0)) continue;
        Ng++;
        if (xd[e] === 0) Zg++;
      }
      const target = (Zg - pi * Ng) / (1 - pi);
      const zerosAt = (a: number) => {
        let t = 0;
        for (let i = 0; i < n; i++) {
          const m = muAt(i * g + k);
          if (m > 0) t += Math.pow(a / (a + m), a);
        }
        return t;
      };
      let l = Math.log(lo);
      let h = Math.log(hi);
      if (zerosAt(hi) >= target) shape0[k] = hi;
      else if (zerosAt(lo) <= target) shape0[k] = lo;
      else {
        for (let it = 0; it < 30; it++) {
          const mid = (l + h) / 2;
          if (zerosAt(Math.exp(mid)) > target) l = mid;
          else h = mid;
        }
        shape0[k] = Math.exp((l + h) / 2);
      }
    }
    for (let e = 0; e < n * g; e++) {
      const m = muAt(e);
      const a = shape0[e % g]!;
      const p0 = m > 0 ? Math.pow(a / (a + m), a) : 1;
      r[e] = xd[e] === 0 && pi > 0 ? pi / (pi + (1 - pi) * p0) : 0;
    }
  }
  const m = map(c, (e, x) => {
    const mm = muAt(e);
    if (!(mm > 0)) return x;
    const a = x > 0 && o.zeroFit !== 'all' ? shape[e % g]! : shape0[e % g]!;
    const sc = c.scale[Math.floor(e / g)]!;
    if (x > 0) return o.keepObs ? x : Math.log1p((sc * (Math.expm1(x) / sc + a)) / (1 + a / mm));
    if (o.bimodal) {
      const don = Math.min(1, s.d[e]! / (1 - pi));
      const muOn = mm / Math.max(don, 1e-9);
      const p0on = Math.pow(a / (a + muOn), a);
      const pOn0 = (don * p0on) / (don * p0on + 1 - don);
      let rt = r[e]!;
      if (o.bimodal === 'both') {
        const pz = 1 - don + don * p0on;
        rt = pi > 0 ? pi / (pi + (1 - pi) * pz) : 0;
      }
      return rt * s.L.data[e]! + (1 - rt) * Math.log1p((sc * pOn0 * muOn * a) / (muOn + a));
    }
    const re = o.pi0 ? 0 : r[e]!;
    return re * s.L.data[e]! + (1 - re) * Math.log1p((sc * mm * a) / (mm + a));
  });
  return { m, pi };
}
const z3: Record<string, Zi3> = {
  base: { iters: 0, muCorrect: false, weighted: false, lo: 1, hi: 5, empirical: false },
  mu: { iters: 2, muCorrect: true, weighted: false, lo: 1, hi: 5, empirical: false },
  w: { iters: 2, muCorrect: false, weighted: true, lo: 1, hi: 5, empirical: false },
  muw: { iters: 2, muCorrect: true, weighted: true, lo: 1, hi: 5, empirical: false },
  emp: { iters: 0, muCorrect: false, weighted: false, lo: 1, hi: 5, empirical: true },
  'muw pi0': { iters: 2, muCorrect: true, weighted: true, lo: 1, hi: 5, empirical: false, pi0: true },
  'muw keepObs': { iters: 2, muCorrect: true, weighted: true, lo: 1, hi: 5, empirical: false, keepObs: true },
  'muw zf': { iters: 2, muCorrect: true, weighted: true, lo: 1, hi: 5, empirical: false, zeroFit: 'zeros' },
  'muw zf all': { iters: 2, muCorrect: true, weighted: true, lo: 1, hi: 5, empirical: false, zeroFit: 'all' },
  'muw zf [.1,20]': {
    iters: 2,
    muCorrect: true,
    weighted: true,
    lo: 1,
    hi: 5,
    empirical: false,
    zeroFit: 'zeros',
    zLo: 0.1,
    zHi: 20,
  },
  'muw zf [1,5]': {
    iters: 2,
    muCorrect: true,
    weighted: true,
    lo: 1,
    hi: 5,
    empirical: false,
    zeroFit: 'zeros',
    zLo: 1,
    zHi: 5,
  },
  'muw bim': { iters: 2, muCorrect: true, weighted: true, lo: 1, hi: 5, empirical: false, bimodal: 'post' },
  'muw bim both': {
    iters: 2,
    muCorrect: true,
    weighted: true,
    lo: 1,
    hi: 5,
    empirical: false,
    bimodal: 'both',
  },
  'muw emp': { iters: 2, muCorrect: true, weighted: true, lo: 1, hi: 5, empirical: true },
  'muw [.5,5]': { iters: 2, muCorrect: true, weighted: true, lo: 0.5, hi: 5, empirical: false },
  'muw [1,10]': { iters: 2, muCorrect: true, weighted: true, lo: 1, hi: 10, empirical: false },
};
for (const [k, o] of Object.entries(z3))
  variants[`z3 ${k}`] = (c, s) => {
    const { m, pi } = zi3(c, s, o);
    piLog.push(`${c.name.slice(0, 12)} ${c.protocol} z3 ${k} pi=${pi.toFixed(3)}`);
    return m;
  };
for (const [lo, hi] of [
  [0.05, 20],
  [1, 5],
  [1, 20],
] as const)
  for (const ph of [1, 2])
    variants[`zi2 aZI[${lo},${hi}] aPost[.05,${ph}]`] = (c, s) => {
      const { m, pi } = zi(
        c,
        s,
        geneShape(c, s, false, lo, hi),
        'nbr',
        undefined,
        0,
        geneShape(c, s, false, 0.05, ph),
      );
      piLog.push(`${c.protocol} aZI[${lo},${hi}] pi=${pi.toFixed(3)}`);
      return m;
    };
for (const [lo, hi] of [
  [0.05, 2],
  [0.05, 3],
  [0.05, 5],
  [0.5, 3],
  [1, 5],
] as const)
  variants[`zi aMoM[${lo},${hi}] nbr`] = (c, s) => {
    const { m, pi } = zi(c, s, geneShape(c, s, false, lo, hi), 'nbr');
    piLog.push(`${c.protocol} aMoM[${lo},${hi}] pi=${pi.toFixed(3)}`);
    return m;
  };
for (const glob of [true, false])
  variants[`zi aMoM${glob ? ' global' : ''} nbr`] = (c, s) => {
    const a = geneShape(c, s, glob);
    const { m, pi } = zi(c, s, a, 'nbr');
    const med = Float64Array.from(a).sort()[a.length >> 1]!;
    piLog.push(
      `${c.protocol} aMoM${glob ? ' global' : ''} pi=${pi.toFixed(3)} a(median gene)=${med.toFixed(2)}`,
    );
    return m;
  };
for (const a of [0.5, 1, 2])
  for (const src of ['nbr', 'lvl', 'recon', 'cl'] as const) {
    variants[`zi a${a} ${src}`] = (c, s) => {
      const { m, pi } = zi(c, s, a, src);
      piLog.push(`${c.protocol} a${a} ${src} pi=${pi.toFixed(3)}`);
      return m;
    };
  }
for (const t of [0.5, 0.8, 0.9, 0.95])
  variants[`post a1 nbr obs, step${t}`] = (c, s) =>
    map(c, (k, x) => (x > 0 ? post(c, k, x, s.cmean[k]!, 1) : s.d[k]! >= t ? s.L.data[k]! : 0));
variants['post a1 nbr obs, zeros 0'] = (c, s) =>
  map(c, (k, x) => (x > 0 ? post(c, k, x, s.cmean[k]!, 1) : 0));
const magicCache = new Map<ProtocolCache, DenseMatrix>();
const fmt = (v: number | null): string => (v === null ? '  -  ' : v.toFixed(3));
for (const name of names) {
  const thin = loadProtocolCache(name, 'thin', seed);
  const drop = loadProtocolCache(name, 'dropout', seed);
  const ctx = createContext(tf, createRng(1), () => {});
  const st = new Map<ProtocolCache, Stats>();
  for (const c of [thin, drop]) {
    const gx = await expressionGraph(c.x, 10, ctx);
    const which = process.env.GRAPH ?? 'union';
    st.set(c, stats(c, which === 'cell' ? c.graph : which === 'expression' ? gx : unionGraph(c.graph, gx)));
  }
  const none = thinScore(log1pDense(thin.raw), thin);
  const magic = await magicReference(thin.raw, ctx, { k: 10, t: 3 });
  magicCache.set(thin, magic);
  const mg = thinScore(magic, thin);
  console.log(
    `\n${name} seed ${seed}: none ${fmt(none.geneCorr)} ${fmt(none.cellCorr)} ${fmt(none.falseSignal)} | magic ${fmt(mg.geneCorr)} ${fmt(mg.cellCorr)} ${fmt(mg.falseSignal)}`,
  );
  console.log('variant                     geneC  cellC  false  | medL1');
  for (const [label, v] of Object.entries(variants)) {
    if (only && !only.test(label)) continue;
    const t = thinScore(unscaled(v(thin, st.get(thin)!), thin.scale), thin);
    const l1 = medianL1(unscaled(v(drop, st.get(drop)!), drop.scale), drop);
    console.log(
      `${label.padEnd(27)} ${fmt(t.geneCorr)}  ${fmt(t.cellCorr)}  ${fmt(t.falseSignal)}  | ${fmt(l1)}`,
    );
  }
}
console.log(piLog.filter((_, i) => i % 1 === 0).join('\n'));
