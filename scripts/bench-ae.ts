/**
 * Benchmark: milliseconds per epoch of the scGNN feature autoencoder (genes → 512 → 128 → 512 → genes) on the
 * TensorFlow.js WASM backend in Node, for 124, 274, 2,800 and 10,000 cells x 2,000 genes at several batch
 * sizes, with the fused Adam of src/core/nn/adam.ts ('fused', the default) and with tf.train.adam plus a
 * separate L1 gradient ('tfjs'); optionally with the transposed products that tf's registered MatMul
 * gradient uses ('autodiff'). Then the cluster-autoencoder phase of a goolam quick run (6 clusters of
 * 48, 22, 17, 15, 13, 9 cells, 20 full-batch epochs each). Synthetic log1p-like data (timing does not depend
 * on the values). The variants run interleaved and the minimum over repetitions is reported, so that other
 * load on the machine disturbs the comparison as little as possible.
 *
 *   npx tsx scripts/bench-ae.ts              # table
 *   npx tsx scripts/bench-ae.ts --quick      # 124 and 274 cells, clusters
 *   npx tsx scripts/bench-ae.ts --autodiff   # also the transposed-product gradient
 *   npx tsx scripts/bench-ae.ts --json       # one JSON object per case
 *
 * (Real tf autodiff needs `@tensorflow/tfjs-core/dist/register_all_gradients`, which plain Node ESM cannot
 * load, so "autodiff" here replays its products; both run the same kernels.)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { denseMatrix, type DenseMatrix } from '../src/core/matrix/dense.ts';
import { createAutoencoder, disposeAutoencoder, referenceShape } from '../src/core/nn/autoencoder.ts';
import type { GradientMode } from '../src/core/nn/dense.ts';
import {
  clusterAeDefaults,
  featureAeDefaults,
  trainAutoencoder,
  trainClusterAutoencoders,
} from '../src/core/nn/train.ts';
import { createContext } from '../src/core/pipeline/context.ts';
import { createRng } from '../src/core/rng.ts';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');

/** Cells x genes, ~85 % zeros, non-zeros ~ log1p of a low-rank count profile. */
function synthetic(cells: number, genes: number, seed: number): DenseMatrix {
  const rng = createRng(seed);
  const rank = 8;
  const u = Float32Array.from({ length: cells * rank }, () => rng.next());
  const v = Float32Array.from({ length: rank * genes }, () => rng.next() * 2);
  const m = denseMatrix(cells, genes);
  for (let i = 0; i < cells; i++)
    for (let j = 0; j < genes; j++) {
      if (rng.next() < 0.85) continue;
      let s = 0;
      for (let k = 0; k < rank; k++) s += u[i * rank + k]! * v[k * genes + j]!;
      m.data[i * genes + j] = Math.log1p(s * 3);
    }
  return m;
}

const withAutodiff = process.argv.includes('--autodiff');

interface Variant {
  readonly name: string;
  readonly gradient: GradientMode;
  readonly optimizer: 'fused' | 'tfjs';
}
const variants: Variant[] = [
  { name: 'fused', gradient: 'custom', optimizer: 'fused' },
  { name: 'tfjs-adam', gradient: 'custom', optimizer: 'tfjs' },
  ...(withAutodiff ? [{ name: 'autodiff', gradient: 'autodiff', optimizer: 'tfjs' } as const] : []),
];

/** Minimum over `reps` interleaved repetitions of ms per epoch, per variant. */
async function timeVariants(x: DenseMatrix, batchSize: number, epochs: number, reps: number) {
  const best = new Map<string, number>();
  const models = variants.map((v) =>
    createAutoencoder(referenceShape(x.cols), tf, createRng(1), { gradient: v.gradient }),
  );
  const ctx = createContext(tf, createRng(2));
  // LTMG off (no states here); L1 on as in the reference.
  const params = { ...featureAeDefaults, ltmgWeight: 0, batchSize, epochs: 1 };
  for (let r = 0; r <= reps; r++)
    for (let k = 0; k < variants.length; k++) {
      const v = variants[k]!;
      const p = { ...params, optimizer: v.optimizer, epochs: r === 0 ? 1 : epochs };
      const res = await trainAutoencoder(models[k]!, { x }, p, ctx, 'bench'); // r = 0: warm-up
      if (r > 0) best.set(v.name, Math.min(best.get(v.name) ?? Infinity, (res.seconds * 1000) / epochs));
    }
  models.forEach(disposeAutoencoder);
  return best;
}

async function timeClusters(reps: number) {
  const sizes = [48, 22, 17, 15, 13, 9];
  const n = sizes.reduce((a, b) => a + b, 0);
  const x = synthetic(n, 2000, 7);
  const labels = Int32Array.from(sizes.flatMap((s, c) => Array<number>(s).fill(c)));
  const base = createAutoencoder(referenceShape(2000), tf, createRng(1));
  const best = new Map<string, number>();
  for (let r = 0; r <= reps; r++)
    for (const optimizer of ['fused', 'tfjs'] as const) {
      const params = { ...clusterAeDefaults, epochs: r === 0 ? 1 : 20, optimizer };
      const t0 = performance.now();
      await trainClusterAutoencoders(base, { x }, labels, params, createContext(tf, createRng(2)));
      const s = (performance.now() - t0) / 1000;
      if (r > 0) best.set(optimizer, Math.min(best.get(optimizer) ?? Infinity, s));
    }
  disposeAutoencoder(base);
  return best;
}

await tf.setBackend('wasm');
await tf.ready();
const sizes = quick ? [124, 274] : [124, 274, 2800, 10000];
if (!json) console.log('backend wasm, 2000 genes, reference AE 2000-512-128-512-2000, L1 on\n');
if (!json) console.log('cells   batch  variant      ms/epoch  steps/s');
for (const cells of sizes) {
  const x = synthetic(cells, 2000, cells);
  const batches =
    cells <= 274 ? [cells] : cells <= 2800 ? [250, 500, 1000, cells] : [250, 500, 1000, 1024, 2000];
  for (const batchSize of batches) {
    const steps = Math.ceil(cells / batchSize);
    const epochs = cells <= 274 ? 5 : cells <= 2800 ? 2 : 1;
    const reps = cells <= 274 ? 4 : cells <= 2800 ? 2 : 1;
    const best = await timeVariants(x, batchSize, epochs, reps);
    for (const [name, ms] of best) {
      if (json) console.log(JSON.stringify({ cells, genes: 2000, batchSize, variant: name, msPerEpoch: ms }));
      else
        console.log(
          `${String(cells).padStart(5)}  ${String(batchSize).padStart(5)}  ${name.padEnd(10)} ${ms
            .toFixed(1)
            .padStart(9)}  ${((steps * 1000) / ms).toFixed(1).padStart(7)}`,
        );
    }
  }
}
const clusters = await timeClusters(quick ? 1 : 2);
for (const [name, s] of clusters) {
  if (json) console.log(JSON.stringify({ case: 'cluster-ae goolam quick', variant: name, seconds: s }));
  else console.log(`cluster AEs (6 clusters, 124 cells, 20 epochs)  ${name.padEnd(6)} ${s.toFixed(2)} s`);
}
