/**
 * The cell graph's edges and geometry as plain typed arrays (no DOM, tested in Node), shared by the page's
 * view (src/app/graph) and the graph view worker (workers/graph-view.worker.ts): the undirected edge list
 * without duplicates or self-loops and each cell's degree, the edges drawn for a selected cluster, node and
 * edge sizes, and a placeholder layout for cells whose positions have not arrived yet.
 */
import type { EdgeList } from '../contract/common.ts';

/** An undirected simple graph: each pair once (`src` < `dst`), its largest weight, and degrees. */
export interface UndirectedEdges {
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly weight: Float32Array;
  /** Distinct neighbours of each cell. */
  readonly degree: Int32Array;
  readonly minWeight: number;
  readonly maxWeight: number;
}

/**
 * Above this many cells the view takes its large-graph path (points drawn on a canvas in a worker, see
 * src/layout/large-view.ts) and only the selected cluster's edges are drawn.
 */
export const LARGE_GRAPH_CELLS = 10_000;

/** Whether a graph of `nCells` cells is drawn by the large-graph path rather than sigma. */
export function usesLargeView(nCells: number): boolean {
  return nCells > LARGE_GRAPH_CELLS;
}

/**
 * Merge directed or repeated edges into undirected pairs (kNN graphs list i->j and j->i): self-loops and
 * out-of-range endpoints are dropped, a repeated pair keeps its largest weight (a non-finite weight counts
 * as 0).
 */
export function toUndirected(nCells: number, edges: EdgeList | null): UndirectedEdges {
  const degree = new Int32Array(Math.max(0, nCells));
  if (!edges || nCells <= 0) {
    return {
      src: new Int32Array(0),
      dst: new Int32Array(0),
      weight: new Float32Array(0),
      degree,
      minWeight: 0,
      maxWeight: 0,
    };
  }
  const m = Math.min(edges.from.length, edges.to.length);
  // Typed arrays only, O(E): at 100,000 cells a Map keyed by pair took seconds of the page's thread. Edges
  // are bucketed by their lower end (counting sort, in input order); within a bucket a stamp per higher end
  // finds repeats; pairs come out in the order of their first occurrence.
  const valid = (a: number, b: number): boolean => a !== b && a >= 0 && b >= 0 && a < nCells && b < nCells;
  const start = new Int32Array(nCells + 1);
  for (let e = 0; e < m; e++) {
    const a = edges.from[e] as number;
    const b = edges.to[e] as number;
    if (valid(a, b)) start[Math.min(a, b) + 1]!++;
  }
  for (let i = 0; i < nCells; i++) start[i + 1]! += start[i]!;
  const bucket = new Int32Array(start[nCells]!);
  const cursor = start.slice(0, nCells);
  for (let e = 0; e < m; e++) {
    const a = edges.from[e] as number;
    const b = edges.to[e] as number;
    if (valid(a, b)) bucket[cursor[Math.min(a, b)]!++] = e;
  }
  const weightOf = (e: number): number => {
    const raw = edges.weight[e];
    return raw !== undefined && Number.isFinite(raw) ? raw : 0;
  };
  const stamp = new Int32Array(nCells);
  const firstOf = new Int32Array(nCells);
  const first = new Uint8Array(m);
  const best = new Float32Array(m);
  let count = 0;
  for (let lo = 0; lo < nCells; lo++) {
    for (let p = start[lo]!; p < start[lo + 1]!; p++) {
      const e = bucket[p]!;
      const hi = Math.max(edges.from[e] as number, edges.to[e] as number);
      const w = weightOf(e);
      if (stamp[hi] !== lo + 1) {
        stamp[hi] = lo + 1;
        firstOf[hi] = e;
        first[e] = 1;
        best[e] = w;
        count++;
      } else if (w > best[firstOf[hi]!]!) {
        best[firstOf[hi]!] = w;
      }
    }
  }
  const src = new Int32Array(count);
  const dst = new Int32Array(count);
  const weight = new Float32Array(count);
  let minWeight = Infinity;
  let maxWeight = -Infinity;
  let k = 0;
  for (let e = 0; e < m; e++) {
    if (!first[e]) continue;
    const a = edges.from[e] as number;
    const b = edges.to[e] as number;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const w = best[e]!;
    src[k] = lo;
    dst[k] = hi;
    weight[k] = w;
    k++;
    degree[lo]!++;
    degree[hi]!++;
    if (w < minWeight) minWeight = w;
    if (w > maxWeight) maxWeight = w;
  }
  if (count === 0) minWeight = maxWeight = 0;
  return { src, dst, weight, degree, minWeight, maxWeight };
}

/**
 * The edges drawn for a selection: those with at least one end in `selected` (by `labels`); none without a
 * selection. Above `LARGE_GRAPH_CELLS` cells this is all the view draws, instead of every edge.
 */
export function selectionEdges(
  edges: UndirectedEdges,
  labels: Int32Array | null,
  selected: number | null,
): Int32Array {
  if (selected === null || !labels) return new Int32Array(0);
  const out: number[] = [];
  for (let e = 0; e < edges.src.length; e++) {
    if (labels[edges.src[e]!] === selected || labels[edges.dst[e]!] === selected) out.push(e);
  }
  return Int32Array.from(out);
}

/** Node radius in pixels: smaller as the graph grows, so dense graphs stay readable. */
export function nodeSize(nCells: number): number {
  return Math.min(4, Math.max(1.5, 50 / Math.sqrt(Math.max(1, nCells))));
}

/** Edge thickness in pixels from its weight within [min, max] (0.4 to 2). */
export function edgeSize(w: number, min: number, max: number): number {
  const t = max > min ? (w - min) / (max - min) : 1;
  return 0.4 + 1.6 * Math.min(1, Math.max(0, t));
}

/**
 * Placeholder positions (n x 2) while the layout is pending: a sunflower (golden-angle) spiral filling a disc,
 * deterministic.
 */
export function spiralLayout(nCells: number): Float32Array {
  const out = new Float32Array(nCells * 2);
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let i = 0; i < nCells; i++) {
    const r = Math.sqrt((i + 0.5) / Math.max(1, nCells));
    out[2 * i] = r * Math.cos(i * golden);
    out[2 * i + 1] = r * Math.sin(i * golden);
  }
  return out;
}
