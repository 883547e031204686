/**
 * Benchmark: seconds per epoch of the scGNN feature autoencoder (genes → 512 → 128 → 512 → genes) on the
 * TensorFlow.js WASM backend in Node, for 274, 2,800 and 10,000 cells x 2,000 genes, with the explicit
 * ("custom") backward pass of src/core/nn/dense.ts and with the transposed products that tf's registered
 * MatMul gradient uses ("autodiff"), at several mini-batch sizes. Synthetic log1p-like data (timing does not
 * depend on the values).
 *
 *   npx tsx scripts/bench-ae.ts              # table
 *   npx tsx scripts/bench-ae.ts --quick      # 274 and 2,800 cells only
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
import { featureAeDefaults, trainAutoencoder } from '../src/core/nn/train.ts';
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

interface Case {
  cells: number;
  batchSize: number;
  gradient: GradientMode;
  epochs: number;
}

async function runCase(x: DenseMatrix, c: Case): Promise<number> {
  const ae = createAutoencoder(referenceShape(x.cols), tf, createRng(1), { gradient: c.gradient });
  const ctx = createContext(tf, createRng(2));
  // LTMG off (no states here); L1 on as in the reference.
  const params = { ...featureAeDefaults, ltmgWeight: 0, batchSize: c.batchSize, epochs: 1 };
  await trainAutoencoder(ae, { x }, params, ctx, 'bench'); // warm-up (kernels, Adam slots)
  const r = await trainAutoencoder(ae, { x }, { ...params, epochs: c.epochs }, ctx, 'bench');
  disposeAutoencoder(ae);
  return r.seconds / c.epochs;
}

await tf.setBackend('wasm');
await tf.ready();
const sizes = quick ? [274, 2800] : [274, 2800, 10000];
if (!json) console.log('backend wasm, 2000 genes, reference AE 2000-512-128-512-2000, L1 on\n');
if (!json) console.log('cells   batch  gradient   s/epoch   steps/s');
for (const cells of sizes) {
  const x = synthetic(cells, 2000, cells);
  const batches = cells === 274 ? [64, 128, 274] : [128, 256, 512, cells <= 2800 ? cells : 1024];
  for (const batchSize of batches) {
    for (const gradient of ['custom', 'autodiff'] as const) {
      // The transposed products are slow; time fewer epochs of them on the big cases.
      const epochs = cells === 274 ? 5 : gradient === 'autodiff' || cells > 2800 ? 1 : 2;
      if (gradient === 'autodiff' && cells === 10000 && batchSize !== 256) continue;
      const s = await runCase(x, { cells, batchSize, gradient, epochs });
      const steps = Math.ceil(cells / batchSize) / s;
      if (json) console.log(JSON.stringify({ cells, genes: 2000, batchSize, gradient, secondsPerEpoch: s }));
      else
        console.log(
          `${String(cells).padStart(5)}  ${String(batchSize).padStart(5)}  ${gradient.padEnd(9)} ${s
            .toFixed(3)
            .padStart(8)}  ${steps.toFixed(1).padStart(8)}`,
        );
    }
  }
}
