/**
 * Timing of the graph and clustering stages on synthetic data (10,000 cells x 128 dims, 15 Gaussian blobs):
 * kNN (k = 10) on the cpu and wasm backends, pruning, graph building, Louvain, KMeans, LouvainK, silhouette.
 * Run: `npx tsx src/core/cluster/graph-cluster.bench.ts [nCells]`. Not a test (numbers depend on the machine).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { knn } from '../graph/knn.ts';
import { buildCellGraph, pruneMeanStd } from '../graph/prune.ts';
import { edgeCount } from '../graph/cell-graph.ts';
import { denseMatrix } from '../matrix/dense.ts';
import { createContext } from '../pipeline/context.ts';
import { createRng } from '../rng.ts';
import { clusterCells, clusterDefaults } from './cluster.ts';
import { kmeans } from './kmeans.ts';
import { louvain } from './louvain.ts';
import { adjustedRandIndex, silhouetteScore } from './metrics.ts';

const n = Number(process.argv[2] ?? 10_000);
const d = 128;
const nBlobs = 15;
const rng = createRng(7);
const centres = Float32Array.from({ length: nBlobs * d }, () => rng.normal() * 3);
const truth = new Int32Array(n);
const data = new Float32Array(n * d);
for (let i = 0; i < n; i++) {
  const b = rng.int(nBlobs);
  truth[i] = b;
  for (let f = 0; f < d; f++) data[i * d + f] = centres[b * d + f]! + rng.normal();
}
const emb = denseMatrix(n, d, data);
const ctx = createContext(tf, createRng(1));
const time = async <T>(label: string, f: () => T | Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const r = await f();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return r;
};

let result = undefined as Awaited<ReturnType<typeof knn>> | undefined;
for (const backend of ['wasm', 'cpu']) {
  await tf.setBackend(backend);
  await tf.ready();
  result = await time(`knn ${n}x${d} k=10 on ${backend}`, () => knn(emb, 10, ctx));
  console.log(`  tensors left: ${tf.memory().numTensors}`);
}
const pruned = await time('prune mean+std', () => pruneMeanStd(result!));
const graph = await time('build graph', () => buildCellGraph(pruned));
console.log(`  edges ${edgeCount(graph)}`);
const comm = await time('louvain', () => louvain(graph, { rng: createRng(3) }));
console.log(
  `  communities ${Math.max(...comm) + 1}, ARI vs truth ${adjustedRandIndex(truth, comm).toFixed(4)}`,
);
const km = await time('kmeans k=15 nInit=10', () => kmeans(emb, nBlobs, { rng: createRng(4) }));
console.log(`  iterations ${km.iterations}, ARI ${adjustedRandIndex(truth, km.labels).toFixed(4)}`);
const km30 = await time('kmeans k=30 nInit=10', () => kmeans(emb, 30, { rng: createRng(4) }));
console.log(`  iterations ${km30.iterations}`);
const cl = await time('clusterCells louvainK', () => clusterCells(emb, graph, clusterDefaults, ctx));
console.log(
  `  louvain ${cl.louvainCommunities} -> ${cl.nClusters} clusters, ARI ${adjustedRandIndex(truth, cl.labels).toFixed(4)}`,
);
const sil = await time('silhouette (sample 4000)', () => silhouetteScore(emb, cl.labels));
console.log(`  silhouette ${sil.toFixed(4)}`);
