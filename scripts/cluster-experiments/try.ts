/**
 * Clustering experiments, step 2: score clustering rules and graph-autoencoder variants on the cached
 * embeddings of step 1 (cache.ts). Prints ARI (clusters) per dataset and seed, the per-dataset median and
 * spread over seeds, and the mean of the medians.
 *
 *   npx tsx scripts/cluster-experiments/try.ts <variant,variant,...> [dropout] [seeds] [dataset words...]
 */
import { existsSync } from 'node:fs';
import { readBinaryCache } from '../lib/binary-cache.ts';
import { setupNodeBackend, tf } from '../../src/cli/node-backend.ts';
import {
  clusterCells,
  clusterDefaults,
  louvainGraphOf,
  type ClusterParams,
} from '../../src/core/cluster/cluster.ts';
import { adjustedRandIndex } from '../../src/core/cluster/metrics.ts';
import type { CellGraph } from '../../src/core/graph/cell-graph.ts';
import { denseMatrix, unitRows, type DenseMatrix } from '../../src/core/matrix/dense.ts';
import { graphAeDefaults, runGraphAe, type GraphAeParams } from '../../src/core/nn/graph-ae.ts';
import { createContext } from '../../src/core/pipeline/context.ts';
import { createRng } from '../../src/core/rng.ts';
import { EMBEDDINGS, km, RULES, VARIANTS_EXTRA } from './variants.ts';

const DATASETS = [
  'goolam_smartseq2_top2000',
  'cellbench_dropseq_3cl',
  'cellbench_celseq2_3cl',
  'chung_breast_top2000',
  'klein2015_subset1000_top900',
  'mouse_bladder_han2018_top2000',
  'ifnb_kang2018_2800',
  'worm_neuron_cao2017',
  'pbmc4k_10x_top2000',
];
const LEIDEN: Record<string, number> = {
  goolam_smartseq2_top2000: 0.543,
  cellbench_dropseq_3cl: 0.775,
  cellbench_celseq2_3cl: 1,
  chung_breast_top2000: 0.513,
  klein2015_subset1000_top900: 0.82,
  mouse_bladder_han2018_top2000: 0.673,
  ifnb_kang2018_2800: 0.472,
  worm_neuron_cao2017: 0.41,
  pbmc4k_10x_top2000: 0.573,
};

export interface Cache {
  folder: string;
  seed: number;
  dropout: number;
  z: DenseMatrix;
  embedding: DenseMatrix;
  graph: CellGraph;
  labels: Int32Array;
  truth: Int32Array;
}

function loadCache(folder: string, seed: number, dropout: string): Cache | null {
  const base = `.tmp/cluster-cache/${folder}-s${seed}-d${dropout}`;
  if (!existsSync(`${base}.bin`)) return null;
  const { header: h, parts: p } = readBinaryCache(base);
  return {
    folder,
    seed,
    dropout: Number(dropout),
    z: denseMatrix(h.rows, h.latent, p.z as Float32Array<ArrayBuffer>),
    embedding: denseMatrix(h.rows, h.embeddingCols, p.embedding as Float32Array<ArrayBuffer>),
    graph: {
      nNodes: h.rows,
      indptr: p.indptr as Uint32Array,
      indices: p.indices as Int32Array,
      weights: p.weights as Float32Array,
    },
    labels: p.labels as Int32Array,
    truth: p.truth as Int32Array,
  };
}

export function scoreAri(truth: Int32Array, labels: Int32Array): number {
  const t: number[] = [];
  const l: number[] = [];
  for (let i = 0; i < truth.length; i++)
    if (truth[i]! >= 0) {
      t.push(truth[i]!);
      l.push(labels[i]!);
    }
  return adjustedRandIndex(t, l);
}

export type Variant = (c: Cache) => Promise<{ labels: Int32Array; nClusters: number }>;

export const ctxFor = (seed: number, tag = ''): ReturnType<typeof createContext> =>
  createContext(tf, createRng(seed).fork(`exp${tag}`), () => {});

export async function clusterWith(e: DenseMatrix, seed: number, p: Partial<ClusterParams> = {}) {
  const params = { ...clusterDefaults, ...p };
  const u = params.embeddingNorm === 'l2' ? unitRows(e) : e;
  const ctx = ctxFor(seed, 'cluster');
  const g = await louvainGraphOf(
    u,
    async () => {
      throw new Error('no cell graph');
    },
    params,
    ctx,
  );
  return clusterCells(u, g, params, ctx);
}

export async function gae(
  c: Cache,
  p: Partial<GraphAeParams>,
  input: 'z' | 'unit' = 'z',
): Promise<DenseMatrix> {
  const x = input === 'unit' ? unitRows(c.z) : c.z;
  return (await runGraphAe(x, c.graph, { ...graphAeDefaults, epochs: 100, ...p }, ctxFor(c.seed, 'gae')))
    .embedding;
}

const VARIANTS: Record<string, Variant> = {
  pipeline: async (c) => ({ labels: c.labels, nClusters: new Set(c.labels).size }),
  z: async (c) => clusterWith(c.z, c.seed),
  'gcn-bin': async (c) => clusterWith(await gae(c, { model: 'gcn' }), c.seed),
  'gcn-unit': async (c) => clusterWith(await gae(c, { model: 'gcn', binarizeInput: false }, 'unit'), c.seed),
  'gat-unit': async (c) => clusterWith(await gae(c, { model: 'gat', binarizeInput: false }, 'unit'), c.seed),
  ...VARIANTS_EXTRA,
};

const [variantArg = 'pipeline,z', dropout = '0.1', seedsArg = '1,2,3', ...words] = process.argv.slice(2);
await setupNodeBackend('wasm');
const variants = variantArg.split(',');
const seeds = seedsArg.split(',').map(Number);
const datasets = DATASETS.filter((d) => words.length === 0 || words.some((w) => d.includes(w)));
const med = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const summary: Record<string, { medians: number[]; spreads: number[]; leiden: number[] }> = {};
for (const v of variants) summary[v] = { medians: [], spreads: [], leiden: [] };
for (const folder of datasets) {
  const caches = seeds.map((s) => loadCache(folder, s, dropout)).filter((c): c is Cache => c !== null);
  if (caches.length === 0) continue;
  for (const v of variants) {
    const [en, rn] = v.split(':');
    if (rn?.startsWith('k=')) {
      // k from rule rn.slice(2) on z, k-means on the embedding en.
      const rule = rn.slice(2);
      VARIANTS[v] = async (c: Cache) => {
        const { nClusters } = await RULES[rule]!(c.z, c.seed);
        const e = await EMBEDDINGS[en!]!(c);
        return { labels: km(unitRows(e), nClusters, c.seed), nClusters };
      };
    }
    const fn: Variant | undefined =
      VARIANTS[v] ?? (rn ? async (c: Cache) => RULES[rn]!(await EMBEDDINGS[en!]!(c), c.seed) : undefined);
    if (!fn) throw new Error(`unknown variant ${v}`);
    const aris: number[] = [];
    const cells: string[] = [];
    const t0 = performance.now();
    for (const c of caches) {
      const r = await fn(c);
      const ari = scoreAri(c.truth, r.labels);
      aris.push(ari);
      cells.push(`${ari.toFixed(3)} (${r.nClusters})`);
    }
    const m = med(aris);
    const spread = Math.max(...aris) - Math.min(...aris);
    summary[v]!.medians.push(m);
    summary[v]!.spreads.push(spread);
    summary[v]!.leiden.push(LEIDEN[folder]!);
    console.log(
      `${folder.slice(0, 14).padEnd(14)} ${v.padEnd(16)} ${cells.join('  ')}  | median ${m.toFixed(3)} spread ${spread.toFixed(3)} ${m < 0.9 * LEIDEN[folder]! ? '<0.9L' : ''} ${((performance.now() - t0) / 1000).toFixed(0)}s`,
    );
  }
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
for (const v of variants) {
  const s = summary[v]!;
  console.log(
    `${v.padEnd(16)} mean median ${mean(s.medians).toFixed(3)} (Leiden ${mean(s.leiden).toFixed(3)}), max spread ${Math.max(...s.spreads).toFixed(3)}, n=${s.medians.length}`,
  );
}
