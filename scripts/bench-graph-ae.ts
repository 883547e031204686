/**
 * Benchmark: the scGNN graph autoencoder (src/core/nn/graph-ae.ts), GCN-VAE and GAT, full-batch training on a
 * k = 10 kNN graph of random points (a 10-cluster Gaussian mixture in 10 dimensions, symmetrised), 128-d noise
 * features, on the WASM backend (or --backend cpu). Above `denseLossMaxCells` (default 2,000) the sparse loss
 * is used, so 1,000 cells runs the dense reference loss and 4,000 / 10,000 the sparse one.
 *
 *   npx tsx scripts/bench-graph-ae.ts                       # 1000, 4000, 10000 cells; gcn and gat; 200 epochs
 *   npx tsx scripts/bench-graph-ae.ts --cells 1000 --epochs 20 --models gat --backend cpu
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { symmetricGraph, type CellGraph } from '../src/core/graph/cell-graph.ts';
import { denseMatrix } from '../src/core/matrix/dense.ts';
import { graphAeDefaults, runGraphAe, type GraphAeModel } from '../src/core/nn/graph-ae.ts';
import { paddedGraph } from '../src/core/nn/graph-ops.ts';
import { createContext } from '../src/core/pipeline/context.ts';
import { createRng } from '../src/core/rng.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Brute-force kNN (k = 10) of points from a Gaussian mixture, symmetrised. */
function knnGraph(n: number, k: number, seed: number): CellGraph {
  const d = 10;
  const rng = createRng(seed);
  const centres = Array.from({ length: 10 }, () => Array.from({ length: d }, () => 4 * rng.normal()));
  const pts = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = centres[rng.int(centres.length)]!;
    for (let j = 0; j < d; j++) pts[i * d + j] = c[j]! + rng.normal();
  }
  const from: number[] = [];
  const to: number[] = [];
  const dist = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < d; q++) s += (pts[i * d + q]! - pts[j * d + q]!) ** 2;
      dist[j] = j === i ? Infinity : s;
    }
    // Partial selection of the k smallest.
    const best: number[] = [];
    for (let j = 0; j < n; j++) {
      if (best.length < k) {
        best.push(j);
        best.sort((a, b) => dist[a]! - dist[b]!);
      } else if (dist[j]! < dist[best[k - 1]!]!) {
        best[k - 1] = j;
        best.sort((a, b) => dist[a]! - dist[b]!);
      }
    }
    for (const j of best) {
      from.push(i);
      to.push(j);
    }
  }
  return symmetricGraph(
    n,
    from,
    to,
    from.map(() => 1),
  );
}

const backend = arg('backend', 'wasm');
const epochs = Number(arg('epochs', '200'));
const sizes = arg('cells', '1000,4000,10000').split(',').map(Number);
const models = arg('models', 'gcn,gat').split(',') as GraphAeModel[];

await tf.setBackend(backend);
await tf.ready();
console.log(`backend ${tf.getBackend()}, ${epochs} epochs, k = 10`);
console.log('cells  edges   maxdeg  model  loss    seconds  s/epoch');
for (const n of sizes) {
  const g = knnGraph(n, 10, n);
  const maxDeg = paddedGraph(g, false).width;
  const rng = createRng(1);
  const feats = denseMatrix(
    n,
    128,
    Float32Array.from({ length: n * 128 }, () => rng.normal()),
  );
  for (const model of models) {
    const r = await runGraphAe(
      feats,
      g,
      { ...graphAeDefaults, model, epochs },
      createContext(tf, createRng(7)),
    );
    const path = n <= graphAeDefaults.denseLossMaxCells ? 'dense' : 'sparse';
    console.log(
      [
        String(n).padEnd(6),
        String(g.indptr[n]! / 2).padEnd(7),
        String(maxDeg).padEnd(7),
        model.padEnd(6),
        `${r.losses[0]!.toFixed(3)}->${r.losses.at(-1)!.toFixed(3)}`.padEnd(14),
        r.seconds.toFixed(1).padEnd(8),
        (r.seconds / epochs).toFixed(3),
        path,
      ].join(' '),
    );
  }
}
