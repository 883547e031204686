/**
 * Clustering experiment: run the default pipeline under the eval protocol (10 % dropout, no imputation) on one
 * labelled dataset, then cluster the last iteration's embedding again at several Louvain modularity
 * resolutions, with LouvainK and with plain Louvain, and print ARI against the labels, the cluster count and
 * the silhouette. The first line is the pipeline's own result; at the default resolution (0.3) LouvainK
 * reproduces it.
 *
 *   npx tsx scripts/recluster.ts ifnb_kang2018_2800 [seed] [resolutions, comma-separated]
 */
import { setupNodeBackend, tf } from '../src/cli/node-backend.ts';
import { clusterCells, clusteringEmbedding, louvainGraphOf } from '../src/core/cluster/cluster.ts';
import { silhouetteScore } from '../src/core/cluster/metrics.ts';
import type { DenseMatrix } from '../src/core/matrix/dense.ts';
import { createContext } from '../src/core/pipeline/context.ts';
import { withParams } from '../src/core/pipeline/params.ts';
import { runScgnn } from '../src/core/pipeline/run-pipeline.ts';
import { evaluateAgainstLabels, prepareInput } from '../src/core/pipeline/session.ts';
import { createRng } from '../src/core/rng.ts';
import { loadLabels } from '../src/io/labels.ts';
import { loadDataset } from '../src/io/load.ts';
import { inputFileFromPath } from '../src/io/node-input.ts';

const [folder, seedArg = '1', resolutionsArg = '0.3,0.5,0.8,1'] = process.argv.slice(2);
if (!folder)
  throw new Error(
    'usage: npx tsx scripts/recluster.ts <dataset folder in ../shared/data> [seed] [resolutions]',
  );
const seed = Number(seedArg);
const dir = `../shared/data/${folder}`;
await setupNodeBackend('wasm');
const loaded = await loadDataset([await inputFileFromPath(`${dir}/counts.csv.gz`)]);
const data = {
  ...loaded,
  labels: await loadLabels(await inputFileFromPath(`${dir}/labels.csv`), loaded.matrix.cellIds),
};
const params = withParams({ seed, impute: { enabled: false } });
const prep = prepareInput(data, params, 0.1);
const ctx = createContext(tf, createRng(seed));
let last: DenseMatrix | null = null;
const result = await runScgnn(prep.input, params, ctx, {
  onIteration: (s) => {
    last = s.embedding;
  },
});
const ari = (labels: Int32Array): string =>
  evaluateAgainstLabels(data, prep.selected, labels)!.ari.toFixed(3);
console.log(`${folder}, seed ${seed}: pipeline ARI ${ari(result.labels)}, ${result.nClusters} clusters`);
const embedding = clusteringEmbedding(last!, params.cluster);
for (const resolution of resolutionsArg.split(',').map(Number)) {
  const cells: string[] = [];
  for (const method of ['louvainK', 'louvain'] as const) {
    const p = { ...params.cluster, louvainResolution: resolution, method };
    const graph = await louvainGraphOf(embedding, result.graph, p, ctx);
    const r = await clusterCells(embedding, graph, p, createContext(tf, createRng(seed)));
    const sil = r.nClusters > 1 ? silhouetteScore(embedding, r.labels).toFixed(3) : '-';
    cells.push(`${method} ARI ${ari(r.labels)} (${r.nClusters} clusters, silhouette ${sil})`);
  }
  console.log(`  resolution ${resolution}: ${cells.join(' | ')}`);
}
