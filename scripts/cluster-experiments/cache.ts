/**
 * Clustering experiments, step 1: run the default pipeline (imputation off) under the eval protocol on one
 * labelled dataset at one seed and dropout rate, and cache what a clustering rule or a graph autoencoder may
 * start from: the last feature-AE embedding z, its cell graph, the pipeline's labels, and the true labels
 * (scoring only), under .tmp/cluster-cache/<dataset>-s<seed>-d<dropout>.{json,bin}.
 *
 *   npx tsx scripts/cluster-experiments/cache.ts <dataset> <seed> <dropout> [params JSON]
 */
import { writeBinaryCache } from '../lib/binary-cache.ts';
import { setupNodeBackend, tf } from '../../src/cli/node-backend.ts';
import { createContext } from '../../src/core/pipeline/context.ts';
import { withParams } from '../../src/core/pipeline/params.ts';
import { runScgnn } from '../../src/core/pipeline/run-pipeline.ts';
import { prepareInput, selectedLabels } from '../../src/core/pipeline/session.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadLabels } from '../../src/io/labels.ts';
import { loadDataset } from '../../src/io/load.ts';
import { inputFileFromPath } from '../../src/io/node-input.ts';

const [folder, seedArg = '1', dropoutArg = '0.1', paramsJson = '{}'] = process.argv.slice(2);
if (!folder) throw new Error('usage: cache.ts <dataset> <seed> <dropout> [params JSON]');
const seed = Number(seedArg);
const dropout = Number(dropoutArg);
const dir = `../shared/data/${folder}`;
await setupNodeBackend('wasm');
const loaded = await loadDataset([await inputFileFromPath(`${dir}/counts.csv.gz`)]);
const data = {
  ...loaded,
  labels: await loadLabels(await inputFileFromPath(`${dir}/labels.csv`), loaded.matrix.cellIds),
};
const params = withParams({ ...JSON.parse(paramsJson), seed, impute: { enabled: false } });
const prep = prepareInput(data, params, dropout);
const ctx = createContext(tf, createRng(seed));
const t0 = performance.now();
const r = await runScgnn(prep.input, params, ctx);
const seconds = (performance.now() - t0) / 1000;
const truth = selectedLabels(data, prep.selected)!;
const parts: [string, ArrayBufferView][] = [
  ['z', r.featureEmbedding.data],
  ['embedding', r.embedding.data],
  ['indptr', r.graph.indptr],
  ['indices', r.graph.indices],
  ['weights', r.graph.weights],
  ['labels', r.labels],
  ['truth', truth.codes],
];
const header = {
  folder,
  seed,
  dropout,
  rows: r.featureEmbedding.rows,
  latent: r.featureEmbedding.cols,
  embeddingCols: r.embedding.cols,
  seconds,
  nClusters: r.nClusters,
  history: r.history,
};
const base = `.tmp/cluster-cache/${folder}-s${seed}-d${dropout}`;
writeBinaryCache(base, header, parts);
console.log(`${base}: ${r.nClusters} clusters in ${seconds.toFixed(1)} s`);
