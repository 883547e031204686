/**
 * Louvain community detection on the cell graph: the first half of scGNN's LouvainK clustering (reference note
 * §1.7, `scGNN.py:476-482`, `util_function.py:686-711`), where igraph's `community_multilevel` runs on a dense
 * N x N weighted adjacency. Here the sparse CellGraph is copied into a private graphology graph and
 * `graphology-communities-louvain` runs on it, seeded through its `rng` option (it visits nodes in a random
 * order), so the same seed gives the same communities.
 *
 * The reference maps igraph vertex ids back through networkx's node order (the order of first appearance in the
 * edge list, not cell order), which permutes pure-Louvain labels (§1.7 "known bug"); here node keys are cell
 * indices, so labels belong to the right cells.
 */
import { UndirectedGraph } from 'graphology';
import louvainCommunities from 'graphology-communities-louvain';
import type { CellGraph } from '../graph/cell-graph.ts';
import type { Rng } from '../rng.ts';

/** Relabel arbitrary non-negative labels to 0..c-1 by decreasing size (ties: the label seen first wins). */
export function relabelBySize(labels: ArrayLike<number>): { labels: Int32Array; sizes: number[] } {
  const counts = new Map<number, number>();
  const first = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    counts.set(l, (counts.get(l) ?? 0) + 1);
    if (!first.has(l)) first.set(l, i);
  }
  const order = [...counts.keys()].sort(
    (a, b) => counts.get(b)! - counts.get(a)! || first.get(a)! - first.get(b)!,
  );
  const map = new Map<number, number>();
  order.forEach((l, i) => map.set(l, i));
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = map.get(labels[i]!)!;
  return { labels: out, sizes: order.map((l) => counts.get(l)!) };
}

/**
 * Community per node 0..c-1, relabelled by decreasing size; graphology + graphology-communities-louvain (the
 * graphology Graph is built privately, seeded via its rng option). `resolution` is the modularity resolution
 * (default 1). Isolated nodes are singleton communities.
 */
export function louvain(graph: CellGraph, opts: { resolution?: number; rng: Rng }): Int32Array {
  return louvainRunner(graph)(opts);
}

/**
 * `louvain` for several runs on one graph: the graphology copy of the graph (string keys and an object per
 * edge, far larger than the CSR) is built once and reused by every run; the library does not change it.
 */
export function louvainRunner(graph: CellGraph): (opts: { resolution?: number; rng: Rng }) => Int32Array {
  const n = graph.nNodes;
  const g = new UndirectedGraph<Record<string, never>, { weight: number }>();
  for (let i = 0; i < n; i++) g.addNode(String(i));
  for (let i = 0; i < n; i++) {
    for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) {
      const j = graph.indices[p]!;
      if (j > i) g.addUndirectedEdge(String(i), String(j), { weight: graph.weights[p]! });
    }
  }
  return (opts) => {
    const raw = new Int32Array(n);
    if (g.size === 0) {
      // The library refuses graphs without edges; every node is then its own community.
      for (let i = 0; i < n; i++) raw[i] = i;
    } else {
      const { rng } = opts;
      const communities = louvainCommunities(g, {
        resolution: opts.resolution ?? 1,
        getEdgeWeight: 'weight',
        rng: () => rng.next(),
      });
      for (let i = 0; i < n; i++) raw[i] = communities[String(i)]!;
    }
    return relabelBySize(raw).labels;
  };
}
