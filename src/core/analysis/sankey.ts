/**
 * Flows between two labelings of the same cells, for a Sankey view: clusters of an early iteration against a
 * later one, or clusters against the cell types of an uploaded labels file.
 *
 * `contingencyTable` counts the cells of each (left, right) pair; cells with a negative code on either side
 * (unlabelled) are left out. `sankeyFlows` turns it into a layout-free description: the nodes of each side with
 * their sizes, and one link per non-empty pair. Left nodes keep the order of their codes; right nodes are ordered
 * by the barycentre (the count-weighted mean position) of their left partners, the classic one-sided crossing
 * reduction heuristic, ties by code, so a right node sits across from the left nodes it takes its cells from.
 * Links are listed by left position, then right position: the order in which a view stacks the bands on
 * both sides without the bands of one node crossing each other.
 */

export interface Contingency {
  /** The distinct non-negative codes on the left, ascending. */
  readonly leftIds: number[];
  /** The distinct non-negative codes on the right, ascending. */
  readonly rightIds: number[];
  /** Counts, leftIds.length x rightIds.length, row-major. */
  readonly counts: Int32Array;
  /** Cells labelled on both sides. */
  readonly total: number;
}

export interface SankeyNode {
  /** The label code. */
  readonly id: number;
  readonly label: string;
  /** Cells in the node (labelled on both sides). */
  readonly size: number;
}

export interface SankeyLink {
  /** Left node id. */
  readonly source: number;
  /** Right node id. */
  readonly target: number;
  /** Cells. */
  readonly value: number;
}

export interface SankeyData {
  /** Top to bottom. */
  readonly left: SankeyNode[];
  /** Top to bottom. */
  readonly right: SankeyNode[];
  /** By left position, then right position. */
  readonly links: SankeyLink[];
  readonly total: number;
}

/** Names of the codes of one side: an array indexed by code, or a function; default the code itself. */
export type NodeLabels = readonly string[] | ((id: number) => string);

export interface SankeyOptions {
  leftLabels?: NodeLabels;
  rightLabels?: NodeLabels;
  /** Links with fewer cells are dropped (default 1: every non-empty pair); node sizes still count all cells. */
  minLinkValue?: number;
}

/** Cells per (left, right) pair; negative codes on either side are left out. */
export function contingencyTable(left: ArrayLike<number>, right: ArrayLike<number>): Contingency {
  if (left.length !== right.length)
    throw new RangeError(`labelings differ in length: ${left.length} vs ${right.length}`);
  const leftSet = new Set<number>();
  const rightSet = new Set<number>();
  for (let i = 0; i < left.length; i++) {
    if (left[i]! < 0 || right[i]! < 0) continue;
    leftSet.add(left[i]!);
    rightSet.add(right[i]!);
  }
  const leftIds = [...leftSet].sort((a, b) => a - b);
  const rightIds = [...rightSet].sort((a, b) => a - b);
  const leftPos = new Map(leftIds.map((id, p) => [id, p]));
  const rightPos = new Map(rightIds.map((id, p) => [id, p]));
  const counts = new Int32Array(leftIds.length * rightIds.length);
  let total = 0;
  for (let i = 0; i < left.length; i++) {
    if (left[i]! < 0 || right[i]! < 0) continue;
    counts[leftPos.get(left[i]!)! * rightIds.length + rightPos.get(right[i]!)!]!++;
    total++;
  }
  return { leftIds, rightIds, counts, total };
}

function labelOf(labels: NodeLabels | undefined, id: number): string {
  if (labels === undefined) return String(id);
  if (typeof labels === 'function') return labels(id);
  return labels[id] ?? String(id);
}

/** Nodes and links of the flows from `left` to `right` (codes per cell, same cells). */
export function sankeyFlows(
  left: ArrayLike<number>,
  right: ArrayLike<number>,
  options: SankeyOptions = {},
): SankeyData {
  const { leftIds, rightIds, counts, total } = contingencyTable(left, right);
  const nl = leftIds.length;
  const nr = rightIds.length;
  const minLink = Math.max(1, options.minLinkValue ?? 1);

  const leftSize = new Array<number>(nl).fill(0);
  const rightSize = new Array<number>(nr).fill(0);
  const barycentre = new Array<number>(nr).fill(0);
  for (let a = 0; a < nl; a++) {
    for (let b = 0; b < nr; b++) {
      const v = counts[a * nr + b]!;
      leftSize[a]! += v;
      rightSize[b]! += v;
      barycentre[b]! += a * v;
    }
  }
  for (let b = 0; b < nr; b++) barycentre[b] = barycentre[b]! / rightSize[b]!;
  const rightOrder = Array.from({ length: nr }, (_, b) => b).sort(
    (x, y) => barycentre[x]! - barycentre[y]! || rightIds[x]! - rightIds[y]!,
  );

  const links: SankeyLink[] = [];
  for (let a = 0; a < nl; a++) {
    for (const b of rightOrder) {
      const v = counts[a * nr + b]!;
      if (v >= minLink) links.push({ source: leftIds[a]!, target: rightIds[b]!, value: v });
    }
  }
  return {
    left: leftIds.map((id, a) => ({ id, label: labelOf(options.leftLabels, id), size: leftSize[a]! })),
    right: rightOrder.map((b) => ({
      id: rightIds[b]!,
      label: labelOf(options.rightLabels, rightIds[b]!),
      size: rightSize[b]!,
    })),
    links,
    total,
  };
}

/**
 * Weighted crossings of a two-layer drawing in the node order of `data`: Σ value·value over pairs of links
 * whose ends are in opposite orders on the two sides. A measure of how tangled the view is (tests, tuning).
 */
export function weightedCrossings(data: SankeyData): number {
  const lp = new Map(data.left.map((n, i) => [n.id, i]));
  const rp = new Map(data.right.map((n, i) => [n.id, i]));
  const ends = data.links.map((l) => [lp.get(l.source)!, rp.get(l.target)!, l.value] as const);
  let crossings = 0;
  for (let i = 0; i < ends.length; i++) {
    const [a1, b1, v1] = ends[i]!;
    for (let j = i + 1; j < ends.length; j++) {
      const [a2, b2, v2] = ends[j]!;
      if ((a1 - a2) * (b1 - b2) < 0) crossings += v1 * v2;
    }
  }
  return crossings;
}
