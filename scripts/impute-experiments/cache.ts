/**
 * Run the scGNN pipeline once on a dataset under the eval protocol (10 % dropout, seed 1) with the
 * imputation stage disabled (so `imputed` = the feature AE's reconstruction of the corrupted input), and cache
 * everything an imputation method may use (x, recon, graph, labels, LTMG states) plus the held-out truth
 * (only for scoring) under .tmp/impute-cache/<dataset>.json/.bin.
 *   npx tsx scripts/impute-experiments/cache.ts <dataset> [params.json]
 */
import { readFileSync } from 'node:fs';
import { writeBinaryCache } from '../lib/binary-cache.ts';
import { denseStates } from '../../src/core/ltmg/ltmg.ts';
import { simulateDropout } from '../../src/core/eval/dropout.ts';
import { createContext } from '../../src/core/pipeline/context.ts';
import { withParams } from '../../src/core/pipeline/params.ts';
import { runScgnn } from '../../src/core/pipeline/run-pipeline.ts';
import { modelInput } from '../../src/core/pipeline/stages/input.ts';
import { preprocess } from '../../src/core/preprocess/preprocess.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadDataset } from '../../src/io/load.ts';
import { inputFileFromPath } from '../../src/io/node-input.ts';
import { setupNodeBackend, tf } from '../../src/cli/node-backend.ts';

const name = process.argv[2]!;
const paramsFile = process.argv[3] ?? '.tmp/quick.json';
await setupNodeBackend('wasm');
const ds = await loadDataset([await inputFileFromPath(`../shared/data/${name}/counts.csv.gz`)], {
  orientation: 'auto',
} as never);
const params = withParams({ ...JSON.parse(readFileSync(paramsFile, 'utf8')), impute: { enabled: false } });
const selected = preprocess(ds.matrix, { ...params.preprocess, log1p: false });
const dropout = simulateDropout(selected.matrix, 0.1, createRng(params.seed).fork('dropout'));
const ctx = createContext(tf, createRng(params.seed), () => {});
const t0 = performance.now();
const r = await runScgnn(
  { raw: dropout.corrupted, cellIds: selected.cellIds, geneIds: selected.geneIds },
  params,
  ctx,
);
const seconds = (performance.now() - t0) / 1000;
const x = modelInput({ raw: dropout.corrupted, cellIds: [], geneIds: [] }, params).dense();
const parts: [string, ArrayBufferView][] = [
  ['x', x.data],
  ['recon', r.imputed.dense().data],
  ['indptr', r.graph.indptr],
  ['indices', r.graph.indices],
  ['weights', r.graph.weights],
  ['labels', r.labels],
  ['dropRows', dropout.rows],
  ['dropCols', dropout.cols],
  ['dropValues', dropout.values],
  ['ltmg', r.ltmg ? denseStates(r.ltmg.states) : new Uint8Array(0)],
  ['z', r.featureEmbedding.data],
  [
    'libsize',
    Float32Array.from({ length: dropout.corrupted.nRows }, (_, i) => {
      let s = 0;
      for (let k = dropout.corrupted.indptr[i]!; k < dropout.corrupted.indptr[i + 1]!; k++)
        s += dropout.corrupted.values[k]!;
      return s;
    }),
  ],
];
const header: Record<string, unknown> = {
  rows: x.rows,
  cols: x.cols,
  latent: r.featureEmbedding.cols,
  seconds,
  stageSeconds: r.stageSeconds,
  nClusters: r.nClusters,
  ltmgType: r.ltmg?.states.constructor.name,
};
writeBinaryCache(`.tmp/impute-cache/${name}`, header, parts);
console.log(JSON.stringify({ name, rows: x.rows, cols: x.cols, seconds, nClusters: r.nClusters }));
