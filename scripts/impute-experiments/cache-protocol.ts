/**
 * Run the pipeline once with the default parameters under the CLI's thinning (`--thin 0.2`) or dropout
 * (`--dropout 0.1`) protocol, same selection and seeded corruption as `eval` (prepareInput), and cache what
 * an imputation method may use: x (the model input, library-size normalised log1p), its row scale, the
 * feature AE's last reconstruction, the closed loop's cluster-AE reconstruction, the cell graph, the cluster
 * labels, z; plus what only scoring may use (full-depth selected counts and true labels, or the dropped
 * entries) under .tmp/impute-cache/<dataset>-<protocol>-s<seed>.{json,bin}.
 *   npx tsx scripts/impute-experiments/cache-protocol.ts <dataset> <thin|dropout> <seed>
 */
import { writeBinaryCache } from '../lib/binary-cache.ts';
import { setupNodeBackend, tf } from '../../src/cli/node-backend.ts';
import { disposeAutoencoder, snapshot } from '../../src/core/nn/autoencoder.ts';
import { denseOf, reconRows } from '../../src/core/nn/model-rows.ts';
import { createContext } from '../../src/core/pipeline/context.ts';
import { withParams } from '../../src/core/pipeline/params.ts';
import { createRunContext } from '../../src/core/pipeline/run-context.ts';
import { prepareInput, selectedLabels } from '../../src/core/pipeline/session.ts';
import { featureAutoencoder, newFeatureAutoencoder } from '../../src/core/pipeline/stages/feature-ae.ts';
import { imputeClosedLoop } from '../../src/core/pipeline/stages/impute.ts';
import { ltmgStates, modelInput } from '../../src/core/pipeline/stages/input.ts';
import { emIterations } from '../../src/core/pipeline/stages/iteration.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadLabels } from '../../src/io/labels.ts';
import { loadDataset } from '../../src/io/load.ts';
import { inputFileFromPath } from '../../src/io/node-input.ts';

const [name, protocol, seedArg] = process.argv.slice(2) as [string, 'thin' | 'dropout', string];
const seed = Number(seedArg);
await setupNodeBackend('wasm');
const dir = `../shared/data/${name}`;
const ds0 = await loadDataset([await inputFileFromPath(`${dir}/counts.csv.gz`)], { orientation: 'auto' });
const ds = {
  ...ds0,
  labels: await loadLabels(await inputFileFromPath(`${dir}/labels.csv`), ds0.matrix.cellIds),
};
const params = withParams({ seed });
const prep = prepareInput(ds, params, protocol === 'dropout' ? 0.1 : 0, protocol === 'thin' ? 0.2 : 0);
const ctx = createContext(tf, createRng(seed), () => {});
const run = createRunContext(ctx);
const t0 = performance.now();
const input = modelInput(prep.input, params);
const { scale } = input;
const x = input.dense();
const ltmg = await ltmgStates(prep.input, params, run);
const ae = newFeatureAutoencoder(x.cols, params, run);
const initial = await snapshot(ae);
const pre = await featureAutoencoder({ ae, x, ltmg }, params, run);
const em = await emIterations({ model: { ae, x }, start: pre }, params, run);
const recon = await denseOf(tf, reconRows(ae, x, tf));
const cl = await imputeClosedLoop({ ae, initial, x, recon, graph: em.graph, labels: em.labels }, params, run);
disposeAutoencoder(ae);
const seconds = (performance.now() - t0) / 1000;
const truthLabels = selectedLabels(ds, prep.selected)!.codes;
const full = prep.selected.matrix;
const parts: [string, ArrayBufferView][] = [
  ['x', x.data],
  ['scale', Float32Array.from(scale ?? new Float64Array(x.rows).fill(1))],
  ['recon', recon.data],
  ['clRecon', ('data' in cl ? cl : cl.dense()).data],
  ['z', em.z.data],
  ['indptr', em.graph.indptr],
  ['indices', em.graph.indices],
  ['weights', em.graph.weights],
  ['labels', em.labels],
  ['rawIndptr', prep.input.raw.indptr],
  ['rawIndices', prep.input.raw.indices],
  ['rawValues', prep.input.raw.values],
  // scoring only
  ['fullIndptr', full.indptr],
  ['fullIndices', full.indices],
  ['fullValues', full.values],
  ['truthLabels', truthLabels],
  ['dropRows', prep.dropout?.rows ?? new Int32Array(0)],
  ['dropCols', prep.dropout?.cols ?? new Int32Array(0)],
  ['dropValues', prep.dropout?.values ?? new Float32Array(0)],
];
const header: Record<string, unknown> = {
  name,
  protocol,
  seed,
  rows: x.rows,
  cols: x.cols,
  latent: em.z.cols,
  seconds,
  nClusters: em.nClusters,
};
writeBinaryCache(`.tmp/impute-cache/${name}-${protocol}-s${seed}`, header, parts);
console.log(
  JSON.stringify({ name, protocol, seed, rows: x.rows, cols: x.cols, seconds, nClusters: em.nClusters }),
);
