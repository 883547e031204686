/** Further variants of try.ts (kept apart so the runner stays short). */
import type { CellGraph } from '../../src/core/graph/cell-graph.ts';
import { denseMatrix, unitRows, type DenseMatrix } from '../../src/core/matrix/dense.ts';
import {
  clusterDefaults,
  countCommunities,
  louvainGraphOf,
  louvainKCount,
} from '../../src/core/cluster/cluster.ts';
import { kmeans } from '../../src/core/cluster/kmeans.ts';
import { louvain } from '../../src/core/cluster/louvain.ts';
import { adjustedRandIndex, silhouetteScore } from '../../src/core/cluster/metrics.ts';
import { createRng } from '../../src/core/rng.ts';
import { knn } from '../../src/core/graph/knn.ts';
import { expressionGraph, unionGraph } from '../../src/core/impute/impute.ts';
import { withParams } from '../../src/core/pipeline/params.ts';
import { prepareInput } from '../../src/core/pipeline/session.ts';
import { modelInput } from '../../src/core/pipeline/stages/input.ts';
import { loadDataset } from '../../src/io/load.ts';
import { inputFileFromPath } from '../../src/io/node-input.ts';
import { snnGraph } from '../../src/core/graph/snn.ts';
import { buildCellGraph, pruneNone } from '../../src/core/graph/prune.ts';
import { runGraphAe, graphAeDefaults, type GraphAeParams } from '../../src/core/nn/graph-ae.ts';

async function gaeOn(
  c: { z: DenseMatrix; seed: number },
  g: CellGraph,
  p: Partial<GraphAeParams>,
): Promise<DenseMatrix> {
  return (
    await runGraphAe(
      unitRows(c.z),
      g,
      { ...graphAeDefaults, epochs: 100, binarizeInput: false, ...p },
      ctxFor(c.seed, 'gae'),
    )
  ).embedding;
}
async function snnZ(c: { z: DenseMatrix; seed: number }, k = 20): Promise<CellGraph> {
  return snnGraph(await knn(unitRows(c.z), Math.min(k, c.z.rows - 1), ctxFor(c.seed, 'k')));
}
async function knnZ(c: { z: DenseMatrix; seed: number }, k: number): Promise<CellGraph> {
  return buildCellGraph(pruneNone(await knn(unitRows(c.z), Math.min(k, c.z.rows - 1), ctxFor(c.seed, 'k'))));
}
import { clusterWith, ctxFor, gae, type Variant } from './try.ts';

async function snnOf(e: DenseMatrix, seed: number): Promise<{ u: DenseMatrix; g: CellGraph }> {
  const u = unitRows(e);
  const g = await louvainGraphOf(
    u,
    async () => {
      throw new Error('x');
    },
    clusterDefaults,
    ctxFor(seed, 'snn'),
  );
  return { u, g };
}

/** Louvain at several resolutions; per resolution the 5 runs' median count and pairwise stability. */
async function resolutionScan(e: DenseMatrix, seed: number, resolutions: number[]) {
  const { u, g } = await snnOf(e, seed);
  const out: { r: number; count: number; stability: number; comm: Int32Array }[] = [];
  for (const r of resolutions) {
    const runs: Int32Array[] = [];
    for (let k = 0; k < 5; k++)
      runs.push(louvain(g, { resolution: r, rng: createRng(seed).fork(`l${r}-${k}`) }));
    const counts = runs.map((c) => countCommunities(c, 2));
    const sorted = [...counts].sort((a, b) => a - b);
    const count = sorted[2]!;
    let s = 0;
    let n = 0;
    for (let a = 0; a < 5; a++)
      for (let b = a + 1; b < 5; b++) {
        s += adjustedRandIndex(runs[a]!, runs[b]!);
        n++;
      }
    out.push({ r, count, stability: s / n, comm: runs[counts.indexOf(count)]! });
  }
  return { u, g, out };
}

export function km(u: DenseMatrix, k: number, seed: number): Int32Array {
  return kmeans(u, Math.max(1, Math.min(k, 30, u.rows)), { rng: createRng(seed).fork('km') }).labels;
}

/** t steps of x <- D^-1 (A + I) x on the cell graph. */
export function smooth(x: DenseMatrix, g: CellGraph, t: number): DenseMatrix {
  let cur: Float32Array<ArrayBuffer> = x.data as Float32Array<ArrayBuffer>;
  const d = x.cols;
  for (let s = 0; s < t; s++) {
    const next = new Float32Array(cur.length);
    for (let i = 0; i < x.rows; i++) {
      let wsum = 1;
      for (let f = 0; f < d; f++) next[i * d + f] = cur[i * d + f]!;
      for (let k = g.indptr[i]!; k < g.indptr[i + 1]!; k++) {
        const j = g.indices[k]!;
        const w = g.weights ? g.weights[k]! : 1;
        wsum += w;
        for (let f = 0; f < d; f++) next[i * d + f]! += w * cur[j * d + f]!;
      }
      for (let f = 0; f < d; f++) next[i * d + f]! /= wsum;
    }
    cur = next;
  }
  return denseMatrix(x.rows, d, cur);
}

function concat(a: DenseMatrix, b: DenseMatrix, wb: number): DenseMatrix {
  const out = new Float32Array(a.rows * (a.cols + b.cols));
  const ua = unitRows(a);
  const ub = unitRows(b);
  for (let i = 0; i < a.rows; i++) {
    for (let f = 0; f < a.cols; f++) out[i * (a.cols + b.cols) + f] = ua.data[i * a.cols + f]!;
    for (let f = 0; f < b.cols; f++) out[i * (a.cols + b.cols) + a.cols + f] = wb * ub.data[i * b.cols + f]!;
  }
  return denseMatrix(a.rows, a.cols + b.cols, out);
}

const RES = [0.1, 0.2, 0.3, 0.5, 0.8, 1.2];

type Emb = (c: Parameters<Variant>[0]) => Promise<DenseMatrix>;
export const EMBEDDINGS: Record<string, Emb> = {
  z: async (c) => c.z,
  gcn: async (c) => gae(c, { model: 'gcn', binarizeInput: false }, 'unit'),
  gcnbin: async (c) => gae(c, { model: 'gcn' }),
  gat: async (c) => gae(c, { model: 'gat', binarizeInput: false }, 'unit'),
  gae: async (c) => gae(c, { model: 'gcn', binarizeInput: false, variational: false }, 'unit'),
  gcn32: async (c) => gae(c, { model: 'gcn', binarizeInput: false, latent: 32, hidden: 64 }, 'unit'),
  sgc1: async (c) => smooth(unitRows(c.z), c.graph, 1),
  'gae-union': async (c) => gaeOn(c, unionGraph(c.graph, await exprGraph(c)), { variational: false }),
  'gcn-union': async (c) => gaeOn(c, unionGraph(c.graph, await exprGraph(c)), {}),
  'gat-union': async (c) => gaeOn(c, unionGraph(c.graph, await exprGraph(c)), { model: 'gat' }),
  'gae-expr': async (c) => gaeOn(c, await exprGraph(c), { variational: false }),
  'sgc-union': async (c) => smooth(unitRows(c.z), unionGraph(c.graph, await exprGraph(c)), 1),
  'gae-snn': async (c) => gaeOn(c, await snnZ(c), { variational: false }),
  'gcn-snn': async (c) => gaeOn(c, await snnZ(c), {}),
  'gat-snn': async (c) => gaeOn(c, await snnZ(c), { model: 'gat' }),
  'gae-k5': async (c) =>
    gaeOn(c, await knnZ(c, Math.max(10, Math.round(0.05 * c.z.rows))), { variational: false }),
  'gae-e50': async (c) => gaeOn(c, c.graph, { variational: false, epochs: 50 }),
  'gae-e200': async (c) => gaeOn(c, c.graph, { variational: false, epochs: 200 }),
};

/**
 * Consensus of R seeded Louvain runs on the SNN graph: each SNN edge weighted by the fraction of runs that
 * put its two cells together; Louvain on that graph (resolution res); k = its community count (>= minSize),
 * then k-means (kmeansFinal) or the consensus communities themselves.
 */
async function consensus(e: DenseMatrix, seed: number, res: number, runs: number, kmeansFinal: boolean) {
  const { u, g } = await snnOf(e, seed);
  const comms: Int32Array[] = [];
  for (let r = 0; r < runs; r++)
    comms.push(louvain(g, { resolution: res, rng: createRng(seed).fork(`c${r}`) }));
  const w = new Float32Array(g.indices.length);
  for (let i = 0; i < g.nNodes; i++)
    for (let p = g.indptr[i]!; p < g.indptr[i + 1]!; p++) {
      const j = g.indices[p]!;
      let same = 0;
      for (const c of comms) if (c[i] === c[j]) same++;
      w[p] = Math.max(1e-3, same / runs) * g.weights[p]!;
    }
  const cg = { ...g, weights: w };
  const final = louvain(cg, { resolution: res, rng: createRng(seed).fork('final') });
  const k = countCommunities(final, 2);
  if (!kmeansFinal) {
    const { mergeSmallClusters } = await import('../../src/core/cluster/cluster.ts');
    const m = mergeSmallClusters(u, final, 5, 30);
    return { labels: m.labels, nClusters: m.sizes.length };
  }
  return { labels: km(u, k, seed), nClusters: k };
}
const sizeRes = (n: number): number => 0.3 * Math.max(1, Math.sqrt(n / 1000));

type Rule = (e: DenseMatrix, seed: number) => Promise<{ labels: Int32Array; nClusters: number }>;
export const RULES: Record<string, Rule> = {
  lk: async (e, seed) => clusterWith(e, seed),
  sil: async (e, seed) => {
    const { u, out } = await resolutionScan(e, seed, RES);
    const ks = [...new Set(out.map((o) => louvainKCount(o.count, u.rows, 1)))];
    let best: Int32Array | null = null;
    let bestS = -Infinity;
    let bestK = 0;
    for (const k of ks) {
      if (k < 2) continue;
      const l = km(u, k, seed);
      const s = silhouetteScore(u, l, { sampleSize: 1500, rng: createRng(1) });
      if (s > bestS) {
        bestS = s;
        best = l;
        bestK = k;
      }
    }
    return { labels: best!, nClusters: bestK };
  },
  cons: async (e, seed) => consensus(e, seed, 0.3, 10, false),
  consK: async (e, seed) => consensus(e, seed, 0.3, 10, true),
  consN: async (e, seed) => consensus(e, seed, sizeRes(e.rows), 10, false),
  consNK: async (e, seed) => consensus(e, seed, sizeRes(e.rows), 10, true),
  lk0: async (e, seed) => clusterWith(e, seed, { resolutionScaling: 'none' }),
  lkN: async (e, seed) =>
    clusterWith(e, seed, { louvainResolution: 0.3 * Math.max(1, Math.sqrt(e.rows / 1000)) }),
  lkN3: async (e, seed) =>
    clusterWith(e, seed, { louvainResolution: 0.3 * Math.max(1, Math.cbrt(e.rows / 1000)) }),
  lNs: async (e, seed) =>
    clusterWith(e, seed, {
      method: 'louvain',
      louvainResolution: 0.3 * Math.max(1, Math.sqrt(e.rows / 1000)),
    }),
  'lk-s100': async (e, seed) => clusterWith(e, seed + 100),
  'lk-s200': async (e, seed) => clusterWith(e, seed + 200),
  l3: async (e, seed) => clusterWith(e, seed, { method: 'louvain' }),
  l5: async (e, seed) => clusterWith(e, seed, { method: 'louvain', louvainResolution: 0.5 }),
  l8: async (e, seed) => clusterWith(e, seed, { method: 'louvain', louvainResolution: 0.8 }),
  l10: async (e, seed) => clusterWith(e, seed, { method: 'louvain', louvainResolution: 1 }),
  lk8: async (e, seed) => clusterWith(e, seed, { louvainResolution: 0.8 }),
  scan: async (e, seed) => {
    const { u, out } = await resolutionScan(e, seed, RES);
    const ks = [...new Set(out.map((o) => louvainKCount(o.count, u.rows, 1)))];
    const sil = ks.map((k) =>
      k < 2
        ? '-'
        : `${k}:${silhouetteScore(u, km(u, k, seed), { sampleSize: 1500, rng: createRng(1) }).toFixed(3)}`,
    );
    console.log(
      '   ' +
        out.map((o) => `r${o.r}:${o.count}/${o.stability.toFixed(2)}`).join(' ') +
        ' | sil ' +
        sil.join(' '),
    );
    const k = louvainKCount(out[2]!.count, u.rows, 1);
    return { labels: km(u, k, seed), nClusters: k };
  },
};

const xCache = new Map<string, DenseMatrix>();
/** The model input X of a cached run (recomputed: same dataset, seed and dropout). */
async function xOf(c: Parameters<Variant>[0]): Promise<DenseMatrix> {
  const key = `${c.folder}-${c.seed}-${c.dropout}`;
  if (!xCache.has(key)) {
    const dir = `../shared/data/${c.folder}`;
    const loaded = await loadDataset([await inputFileFromPath(`${dir}/counts.csv.gz`)]);
    const params = withParams({ seed: c.seed });
    const prep = prepareInput(loaded, params, c.dropout);
    xCache.clear();
    xCache.set(key, modelInput(prep.input, params).dense());
  }
  return xCache.get(key)!;
}
const exprGraph = async (c: Parameters<Variant>[0], k = 10) =>
  expressionGraph(await xOf(c), k, ctxFor(c.seed, 'x'));

async function refine(
  c: Parameters<Variant>[0],
  rule: string,
  p: Partial<GraphAeParams>,
  graph: 'cell' | 'snn' = 'cell',
) {
  const init = await RULES[rule]!(c.z, c.seed);
  const g = graph === 'snn' ? await snnZ(c) : c.graph;
  const r = await runGraphAe(
    unitRows(c.z),
    g,
    { ...graphAeDefaults, epochs: 100, binarizeInput: false, refineEpochs: 50, ...p },
    ctxFor(c.seed, 'gae'),
    init,
  );
  const labels = r.labels!;
  return { labels, nClusters: new Set(labels).size };
}

export const VARIANTS_EXTRA: Record<string, Variant> = {
  'dec-gae-lk': async (c) => refine(c, 'lk', { variational: false }),
  'dec-gcn-lk': async (c) => refine(c, 'lk', {}),
  'dec-gat-lk': async (c) => refine(c, 'lk', { model: 'gat' }),
  'dec-gcn-lk-w01': async (c) => refine(c, 'lk', { refineWeight: 0.1 }),
  'dec-gcn-lk-w10': async (c) => refine(c, 'lk', { refineWeight: 10 }),
  'dec-gcn-lk-snn': async (c) => refine(c, 'lk', {}, 'snn'),
  'louv-0.3': async (c) => clusterWith(c.z, c.seed, { method: 'louvain' }),
  'louv-0.5': async (c) => clusterWith(c.z, c.seed, { method: 'louvain', louvainResolution: 0.5 }),
  'louv-0.8': async (c) => clusterWith(c.z, c.seed, { method: 'louvain', louvainResolution: 0.8 }),
  'lk-0.5': async (c) => clusterWith(c.z, c.seed, { louvainResolution: 0.5 }),
  'sil-sel': async (c) => {
    const { u, out } = await resolutionScan(c.z, c.seed, RES);
    const ks = [...new Set(out.map((o) => louvainKCount(o.count, u.rows, 1)))];
    let best: Int32Array | null = null;
    let bestS = -Infinity;
    let bestK = 0;
    for (const k of ks) {
      if (k < 2) continue;
      const l = km(u, k, c.seed);
      const s = silhouetteScore(u, l, { sampleSize: 1500, rng: createRng(1) });
      if (s > bestS) {
        bestS = s;
        best = l;
        bestK = k;
      }
    }
    return { labels: best!, nClusters: bestK };
  },
  'stab-sel': async (c) => {
    const { u, out } = await resolutionScan(c.z, c.seed, RES);
    let best = out[0]!;
    for (const o of out) if (o.stability > best.stability + 1e-9 && o.count >= 2) best = o;
    const k = louvainKCount(best.count, u.rows, 1);
    return { labels: km(u, k, c.seed), nClusters: k };
  },
  'scan-print': async (c) => {
    const { u, out } = await resolutionScan(c.z, c.seed, RES);
    console.log('   ' + out.map((o) => `r${o.r}:${o.count}/${o.stability.toFixed(2)}`).join(' '));
    const k = louvainKCount(out[2]!.count, u.rows, 1);
    return { labels: km(u, k, c.seed), nClusters: k };
  },
  'gcn-unit-e200': async (c) =>
    clusterWith(await gae(c, { model: 'gcn', binarizeInput: false, epochs: 200 }, 'unit'), c.seed),
  'gae-unit': async (c) =>
    clusterWith(await gae(c, { model: 'gcn', binarizeInput: false, variational: false }, 'unit'), c.seed),
  'gat-unit-e200': async (c) =>
    clusterWith(await gae(c, { model: 'gat', binarizeInput: false, epochs: 200 }, 'unit'), c.seed),
  sgc1: async (c) => clusterWith(smooth(unitRows(c.z), c.graph, 1), c.seed),
  sgc2: async (c) => clusterWith(smooth(unitRows(c.z), c.graph, 2), c.seed),
  ...Object.fromEntries(
    (['gcn', 'gae', 'gat'] as const).flatMap((m) =>
      [0.2, 0.3, 0.5, 0.7].map((w) => [
        `cat-${m}-${w}`,
        async (c: Parameters<Variant>[0]) =>
          clusterWith(
            concat(
              c.z,
              await gae(
                c,
                { model: m === 'gat' ? 'gat' : 'gcn', binarizeInput: false, variational: m === 'gcn' },
                'unit',
              ),
              w,
            ),
            c.seed,
          ),
      ]),
    ),
  ),
  'cat-gcn': async (c) =>
    clusterWith(concat(c.z, await gae(c, { model: 'gcn', binarizeInput: false }, 'unit'), 1), c.seed),
  'cat-gat': async (c) =>
    clusterWith(concat(c.z, await gae(c, { model: 'gat', binarizeInput: false }, 'unit'), 1), c.seed),
};
