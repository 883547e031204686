/**
 * What the GPU path costs in kernel dispatches and GPU-to-CPU reads, measurable on any machine:
 *
 *   npm run bench:dispatch -- [--backend wasm|cpu|webgpu] [--dataset pbmc4k_10x_top2000] [--cells 10000]
 *
 * 1. One epoch of the feature autoencoder's pre-training (2,000 genes, the LTMG term on) over `--cells`
 *    synthetic cells, with the CPU profile (mini-batches of 32) and the GPU profile (batches grown with the
 *    data, compute-profile.ts): steps, kernels, GPU dispatches and reads, per step and per epoch.
 * 2. The default run of `--dataset` (../shared/data) with each profile: kernels, dispatches and reads per
 *    stage.
 *
 * On WebGPU a dispatch is one compute program recorded by tfjs-backend-webgpu; elsewhere it is one kernel.
 * `--backend webgpu` runs Dawn (SwiftShader where there is no GPU; run it through `npm run scgnn`'s relaunch
 * rules: `LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`).
 */
import { installCounter, diff, type Counts } from './lib/dispatch-counter.ts';
import { setupNodeBackend, tf } from '../src/cli/node-backend.ts';
import type { BackendRequest } from '../src/engine/contract.ts';
import { createAutoencoder, disposeAutoencoder } from '../src/core/nn/autoencoder.ts';
import { effectiveBatch, trainAutoencoder } from '../src/core/nn/train.ts';
import { denseMatrix } from '../src/core/matrix/dense.ts';
import { createContext, type ProgressEvent, type StageName } from '../src/core/pipeline/context.ts';
import { paramsForCompute, type ComputeClass } from '../src/core/pipeline/compute-profile.ts';
import { runScgnn } from '../src/core/pipeline/run-pipeline.ts';
import { prepareInput } from '../src/core/pipeline/session.ts';
import { createRng } from '../src/core/rng.ts';
import { loadDataset } from '../src/io/load.ts';
import { inputFileFromPath } from '../src/io/node-input.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const backendName = opt('--backend', 'wasm') as BackendRequest;
const dataset = opt('--dataset', 'pbmc4k_10x_top2000');
const nCells = Number(opt('--cells', '10000'));
const GENES = 2000;

const info = await setupNodeBackend(backendName);
console.log(`backend: ${info.name}${info.adapter ? ` (${info.adapter})` : ''}`);
const profiles: ComputeClass[] = ['cpu', 'gpu'];

function per(c: Counts, n: number): string {
  const f = (v: number) => (n === 1 ? String(v) : (v / n).toFixed(1));
  return `${f(c.kernels)} kernels, ${f(c.dispatches)} dispatches, ${f(c.reads)} reads`;
}

// 1. One pre-training epoch.
{
  const rng = createRng(5);
  const x = denseMatrix(nCells, GENES);
  const states = new Uint8Array(nCells * GENES);
  for (let i = 0; i < x.data.length; i++) {
    if (rng.next() < 0.85) continue;
    x.data[i] = 0.5 + 3 * rng.next();
    states[i] = 1 + rng.int(2);
  }
  console.log(
    `\nfeature autoencoder, one pre-training epoch over ${nCells} cells x ${GENES} genes (LTMG term on):`,
  );
  for (const cls of profiles) {
    const params = { ...paramsForCompute({}, cls).featureAe.pretrain, epochs: 1 };
    const { batchSize, learningRate } = effectiveBatch(params, nCells);
    const steps = Math.ceil(nCells / batchSize);
    const ae = createAutoencoder({ nGenes: GENES, hidden: 512, latent: 128 }, tf, rng.fork('ae'), {
      latentBiasInit: 0.1,
    });
    const counter = installCounter(tf);
    const t0 = performance.now();
    await trainAutoencoder(
      ae,
      { x, entryWeights: states },
      params,
      createContext(tf, rng.fork(cls)),
      'feature-ae',
    );
    const seconds = (performance.now() - t0) / 1000;
    const c = counter.snapshot();
    counter.uninstall();
    disposeAutoencoder(ae);
    console.log(
      `  ${cls.toUpperCase()} profile: batch ${batchSize}, lr ${learningRate.toPrecision(3)}, ${steps} steps: ` +
        `per step ${per(c, steps)}; per epoch ${per(c, 1)}; ${seconds.toFixed(1)} s`,
    );
  }
}

// 2. The default run, per stage.
{
  const folder = `../shared/data/${dataset}`;
  const ds = await loadDataset([await inputFileFromPath(`${folder}/counts.csv.gz`)], { orientation: 'auto' });
  for (const cls of profiles) {
    const params = paramsForCompute({}, cls);
    const { input } = prepareInput(ds, params);
    const counter = installCounter(tf);
    const perStage = new Map<StageName, Counts>();
    let mark = counter.snapshot();
    let stage: StageName | null = null;
    const onEvent = (e: ProgressEvent): void => {
      if (e.type !== 'stage-start' && e.type !== 'stage-end') return;
      const now = counter.snapshot();
      if (stage) {
        const d = diff(mark, now);
        const prev = perStage.get(stage) ?? { kernels: 0, dispatches: 0, reads: 0 };
        perStage.set(stage, {
          kernels: prev.kernels + d.kernels,
          dispatches: prev.dispatches + d.dispatches,
          reads: prev.reads + d.reads,
        });
      }
      mark = now;
      stage = e.type === 'stage-start' ? e.stage : null;
    };
    const t0 = performance.now();
    const result = await runScgnn(input, params, createContext(tf, createRng(params.seed), onEvent));
    const seconds = (performance.now() - t0) / 1000;
    const total = counter.snapshot();
    counter.uninstall();
    console.log(
      `\ndefault run of ${dataset} (${input.raw.nRows} cells x ${input.raw.nCols} genes), ${cls.toUpperCase()} profile: ` +
        `${result.nClusters} clusters, ${seconds.toFixed(1)} s`,
    );
    for (const [name, c] of perStage) console.log(`  ${name.padEnd(11)} ${per(c, 1)}`);
    console.log(`  ${'total'.padEnd(11)} ${per(total, 1)}`);
  }
}
