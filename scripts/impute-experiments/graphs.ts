/** Which graph for imputation: the cell graph (kNN of z), kNN of the input x, or their union; params sweep. */
import { knn } from '../../src/core/graph/knn.ts';
import { buildCellGraph, pruneKnn } from '../../src/core/graph/prune.ts';
import { symmetricGraph, type CellGraph } from '../../src/core/graph/cell-graph.ts';
import { createContext } from '../../src/core/pipeline/context.ts';
import { createRng } from '../../src/core/rng.ts';
import { setupNodeBackend, tf } from '../../src/cli/node-backend.ts';
import { imputeOnGraph as impute, type ImputeParams } from '../../src/core/impute/impute.ts';
import { loadCache, medianL1 } from './load-cache.ts';
await setupNodeBackend('wasm');
function union(a: CellGraph, b: CellGraph): CellGraph {
  const f: number[] = [],
    t: number[] = [],
    w: number[] = [];
  for (const g of [a, b])
    for (let i = 0; i < g.nNodes; i++)
      for (let e = g.indptr[i]!; e < g.indptr[i + 1]!; e++) {
        f.push(i);
        t.push(g.indices[e]!);
        w.push(1);
      }
  return symmetricGraph(a.nNodes, f, t, w);
}
for (const name of process.argv.slice(2)) {
  const c = loadCache(name);
  const ctx = createContext(tf, createRng(1), () => {});
  const t0 = performance.now();
  const gx = buildCellGraph(pruneKnn(await knn(c.x, 10, ctx), 'mean-std', c.x, ctx.rng));
  const tk = (performance.now() - t0) / 1000;
  const gu = union(c.graph, gx);
  const res: string[] = [];
  const run = (label: string, g: CellGraph, p: Partial<ImputeParams> = {}) => {
    const t1 = performance.now();
    const m = impute({ x: c.x, recon: c.recon, graph: g, labels: c.labels }, p);
    res.push(`${label} ${medianL1(m, c).toFixed(3)} (${((performance.now() - t1) / 1000).toFixed(2)}s)`);
  };
  run('cell', c.graph);
  run('x', gx);
  run('union', gu);
  run('cell noOffset', c.graph, { cellOffset: false });
  run('cell a0', c.graph, { geneShrink: 0 });
  run('cell cl.2', c.graph, { clusterWeight: 0.2 });
  run('x cl.2', gx, { clusterWeight: 0.2 });
  run('cell expected', c.graph, { target: 'expected' });
  run('recon', c.graph, { method: 'recon' });
  console.log(`${name.slice(0, 22)} | kNN(x) ${tk.toFixed(2)}s | ${res.join(' | ')}`);
}
