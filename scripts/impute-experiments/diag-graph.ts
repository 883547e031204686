/** Diagnostic only: is the cell graph the bottleneck? kNN on the corrupted log1p x itself vs on z. */
import { knn } from '../../src/core/graph/knn.ts';
import { buildCellGraph, pruneKnn } from '../../src/core/graph/prune.ts';
import { createContext } from '../../src/core/pipeline/context.ts';
import { createRng } from '../../src/core/rng.ts';
import { setupNodeBackend, tf } from '../../src/cli/node-backend.ts';
import { imputeOnGraph as impute } from '../../src/core/impute/impute.ts';
import { loadCache, medianL1 } from './load-cache.ts';
await setupNodeBackend('wasm');
for (const name of process.argv.slice(2)) {
  const c = loadCache(name);
  const ctx = createContext(tf, createRng(1), () => {});
  const out: string[] = [
    `cell graph ${medianL1(impute({ x: c.x, recon: c.recon, graph: c.graph }), c).toFixed(3)}`,
  ];
  for (const [label, m] of [
    ['x', c.x],
    ['recon', c.recon],
  ] as const) {
    const g = buildCellGraph(pruneKnn(await knn(m, 10, ctx), 'mean-std', m, ctx.rng));
    out.push(`kNN(${label}) ${medianL1(impute({ x: c.x, recon: c.recon, graph: g }), c).toFixed(3)}`);
  }
  console.log(name.slice(0, 22), '|', out.join(' | '));
}
