/**
 * Pure data preparation for the cell graph view (no DOM, no sigma, tested in Node): cluster sizes and the
 * view's one-line summary; the edge and geometry helpers live in src/layout/graph-edges.ts (the graph view
 * worker uses them too) and are re-exported here.
 */
export {
  LARGE_GRAPH_CELLS,
  edgeSize,
  nodeSize,
  selectionEdges,
  spiralLayout,
  toUndirected,
  usesLargeView,
  type UndirectedEdges,
} from '../../layout/graph-edges.ts';

/** Cells per cluster: index = label (labels >= 0); negative labels (unassigned) are counted apart. */
export function clusterSizes(
  labels: Int32Array | null,
  nCells: number,
): { sizes: number[]; unassigned: number } {
  const sizes: number[] = [];
  let unassigned = 0;
  if (!labels) return { sizes, unassigned };
  const n = Math.min(nCells, labels.length);
  for (let i = 0; i < n; i++) {
    const c = labels[i] as number;
    if (c < 0) {
      unassigned++;
      continue;
    }
    while (sizes.length <= c) sizes.push(0);
    sizes[c] = (sizes[c] as number) + 1;
  }
  return { sizes, unassigned };
}

/** A cluster's display name: the given name, else "Cluster N" numbered from 1. */
export function clusterName(c: number, names?: readonly string[]): string {
  const given = names?.[c];
  return given !== undefined && given !== '' ? given : `Cluster ${c + 1}`;
}

const plural = (n: number, one: string, many: string): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * The view's accessible summary, e.g. "Cell graph: 124 cells, 3 clusters, 560 edges" (the edge count left
 * out while it is unknown: the large view counts them in its worker).
 */
export function graphSummary(nCells: number, nClusters: number, nEdges: number | null): string {
  const edges = nEdges === null ? '' : `, ${plural(nEdges, 'edge', 'edges')}`;
  return `Cell graph: ${plural(nCells, 'cell', 'cells')}, ${plural(nClusters, 'cluster', 'clusters')}${edges}`;
}
