/** Imputation-AE variants on cached pipeline outputs. npx tsx scripts/impute-experiments/ae-variants.ts <dataset> [variant names] */
import { createAutoencoder, disposeAutoencoder } from '../../src/core/nn/autoencoder.ts';
import { embedAndReconstruct, trainAutoencoder, type TrainParams } from '../../src/core/nn/train.ts';
import { createContext } from '../../src/core/pipeline/context.ts';
import { createRng } from '../../src/core/rng.ts';
import { setupNodeBackend, tf } from '../../src/cli/node-backend.ts';
import { loadCache, medianL1, predAtDropped, med } from './load-cache.ts';

await setupNodeBackend('wasm');
const name = process.argv[2]!;
const only = process.argv.slice(3);
const c = loadCache(name);
const truth = Float64Array.from(c.drop.values, (v) => Math.log1p(v));
const base: TrainParams = {
  epochs: 60,
  batchSize: 12800,
  learningRate: 1e-3,
  mseWeight: 0,
  ltmgWeight: 0,
  l1: 0,
  l2: 0,
  reduction: 'sum',
};
const variants: Record<string, Partial<TrainParams>> = {
  'sse l1=1 e60': { mseWeight: 1, l1: 1 },
  'obs only e60': { observedWeight: 1 },
  'obs only e150': { observedWeight: 1, epochs: 150 },
  'obs only e60 lr3e-3': { observedWeight: 1, learningRate: 3e-3 },
  'obs + 0.01 sse e60': { observedWeight: 1, mseWeight: 0.0005 },
  'obs only b32 e30': { observedWeight: 1, batchSize: 32, epochs: 30 },
};
for (const [label, v] of Object.entries(variants)) {
  if (only.length && !only.includes(label)) continue;
  const ctx = createContext(tf, createRng(1), () => {});
  const ae = createAutoencoder({ nGenes: c.x.cols, hidden: 512, latent: 128 }, tf, createRng(7));
  const t0 = performance.now();
  try {
    await trainAutoencoder(ae, { x: c.x }, { ...base, ...v }, ctx, 'impute-ae');
    const { recon } = await embedAndReconstruct(ae, c.x, tf);
    const secs = (performance.now() - t0) / 1000;
    const p = predAtDropped(recon, c);
    const signed = med(Float64Array.from(p, (q, e) => q - truth[e]!));
    let zeros = 0;
    for (const q of p) if (q <= 1e-6) zeros++;
    console.log(
      `${name} | ${label.padEnd(24)} ${medianL1(recon, c).toFixed(3)} signed ${signed.toFixed(3)} zeros ${((zeros / p.length) * 100).toFixed(1)}% ${secs.toFixed(1)} s tensors ${tf.memory().numTensors}`,
    );
  } finally {
    disposeAutoencoder(ae);
  }
}
