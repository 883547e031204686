/**
 * The large-graph view (above `LARGE_GRAPH_CELLS` cells), pure parts: no DOM, tested in Node. At 100,000 cells
 * sigma (graphology node objects, WebGL programs re-run over every node on each position update or
 * selection) blocked the page's thread for 7 to 12 s per step. Instead the points are drawn with canvas 2D
 * on an OffscreenCanvas in a worker (workers/graph-view.worker.ts), and the page keeps only typed arrays:
 *
 * - `fitPositions`: layout positions to "base" pixels (the whole graph fitted into the view, y up);
 * - `buildGrid` / `pickNearest`: a uniform grid over the base pixels, built in the worker once per position
 *   update and sent to the page, where hover and click find the nearest point within a radius in O(1);
 * - `Camera`, `zoomAt`, `panBy`, `toBase`: wheel zoom and drag pan as screen = base * k + t;
 * - `clusterOrder`: cells grouped by cluster (counting sort), so nodes are drawn as one path per colour;
 * - `selectionEdgeBatches`: the selected cluster's edges (`selectionEdges`) grouped by colour and width;
 * - `chunkRanges` / `EdgeAssembly`: the edge list sent to the worker in parts (one task each on the page);
 * - `drawScene`: edges, then the other clusters (dimmed while one is selected), then the selected cluster;
 * - the messages between the page (src/app/graph/large-graph-renderer.ts) and the worker.
 */
import type { EdgeList } from '../contract/common.ts';
import { clusterColor, towardWhite, UNASSIGNED_COLOR } from './palette.ts';
import { edgeSize, nodeSize, selectionEdges, type UndirectedEdges } from './graph-edges.ts';

export const EDGE_COLOR = '#c5ccd5';
export const CROSS_EDGE_COLOR = '#aab3bf';
export const DIMMED_COLOR = '#e1e5ea';

/** Padding around the fitted graph, in CSS pixels. */
export const FIT_PADDING = 12;

/**
 * Positions (n x 2) in base pixels: the bounding box fitted into width x height with `pad` around it,
 * centred, y flipped (screen y grows downwards; the layout's y grows upwards, as in sigma).
 */
export function fitPositions(
  positions: Float32Array,
  n: number,
  width: number,
  height: number,
  pad = FIT_PADDING,
): Float32Array {
  const out = new Float32Array(2 * n);
  if (n === 0) return out;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = positions[2 * i]!;
    const y = positions[2 * i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (minX > maxX) minX = maxX = minY = maxY = 0;
  const scale = Math.max(
    0,
    Math.min(
      (width - 2 * pad) / Math.max(maxX - minX, 1e-9),
      (height - 2 * pad) / Math.max(maxY - minY, 1e-9),
    ),
  );
  const ox = (width - scale * (maxX - minX)) / 2;
  const oy = (height - scale * (maxY - minY)) / 2;
  for (let i = 0; i < n; i++) {
    const x = positions[2 * i]!;
    const y = positions[2 * i + 1]!;
    // A non-finite position is drawn at the centre rather than poisoning the grid.
    out[2 * i] = Number.isFinite(x) ? ox + (x - minX) * scale : width / 2;
    out[2 * i + 1] = Number.isFinite(y) ? height - (oy + (y - minY) * scale) : height / 2;
  }
  return out;
}

/** A uniform grid over base pixels: the points of grid cell c are items[start[c] .. start[c + 1]). */
export interface PointGrid {
  readonly n: number;
  /** side of a grid cell, base pixels */
  readonly cell: number;
  readonly cols: number;
  readonly rows: number;
  /** cols * rows + 1 offsets into `items` */
  readonly start: Int32Array;
  /** point indices grouped by grid cell */
  readonly items: Int32Array;
  /** n x 2 base-pixel positions, by point index */
  readonly xy: Float32Array;
}

/** At most this many grid cells per side (a huge view or a tiny cell size never allocates more). */
const MAX_GRID_SIDE = 1024;

/**
 * Grid cell side for n points over width x height: about 4 points per cell on average, at least 4 pixels.
 */
export function gridCellSize(n: number, width: number, height: number): number {
  const area = Math.max(1, width) * Math.max(1, height);
  const side = Math.sqrt((4 * area) / Math.max(1, n));
  return Math.max(4, side, width / MAX_GRID_SIDE, height / MAX_GRID_SIDE);
}

/**
 * Bucket n points (base pixels, n x 2) into a grid of `cell`-pixel squares covering width x height (counting
 * sort, O(n)). Points outside the area go to the nearest border cell; picking still measures their true
 * distance, so they are found exactly when within the radius.
 */
export function buildGrid(
  xy: Float32Array,
  n: number,
  width: number,
  height: number,
  cell: number,
): PointGrid {
  const cols = Math.max(1, Math.ceil(Math.max(1, width) / cell));
  const rows = Math.max(1, Math.ceil(Math.max(1, height) / cell));
  const cellOf = new Int32Array(n);
  const start = new Int32Array(cols * rows + 1);
  for (let i = 0; i < n; i++) {
    const c = clampIndex(xy[2 * i]! / cell, cols) + cols * clampIndex(xy[2 * i + 1]! / cell, rows);
    cellOf[i] = c;
    start[c + 1]!++;
  }
  for (let c = 0; c < cols * rows; c++) start[c + 1]! += start[c]!;
  const cursor = start.slice(0, cols * rows);
  const items = new Int32Array(n);
  for (let i = 0; i < n; i++) items[cursor[cellOf[i]!]!++] = i;
  return { n, cell, cols, rows, start, items, xy };
}

function clampIndex(v: number, size: number): number {
  const k = Math.floor(v);
  return k >= 0 ? (k < size ? k : size - 1) : 0; // NaN goes to 0
}

/**
 * The point nearest to (x, y) (base pixels) within `radius`, or -1. Ties go to the lower index. Scans only
 * the grid cells that the radius overlaps.
 */
export function pickNearest(grid: PointGrid, x: number, y: number, radius: number): number {
  if (grid.n === 0 || !(radius >= 0) || !Number.isFinite(x) || !Number.isFinite(y)) return -1;
  const { cell, cols, rows, start, items, xy } = grid;
  const c0 = clampIndex((x - radius) / cell, cols);
  const c1 = clampIndex((x + radius) / cell, cols);
  const r0 = clampIndex((y - radius) / cell, rows);
  const r1 = clampIndex((y + radius) / cell, rows);
  let best = -1;
  let bestD = radius * radius;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const g = c + cols * r;
      for (let p = start[g]!; p < start[g + 1]!; p++) {
        const i = items[p]!;
        const dx = xy[2 * i]! - x;
        const dy = xy[2 * i + 1]! - y;
        const d = dx * dx + dy * dy;
        if (d < bestD || (d === bestD && (best < 0 || i < best))) {
          best = i;
          bestD = d;
        }
      }
    }
  }
  return best;
}

/** The view's camera: screen pixel = base pixel * k + (tx, ty). */
export interface Camera {
  readonly k: number;
  readonly tx: number;
  readonly ty: number;
}

export const IDENTITY_CAMERA: Camera = { k: 1, tx: 0, ty: 0 };
export const MIN_ZOOM = 0.5;
export const MAX_ZOOM = 50;

/** Zoom by `factor` about the screen point (px, py), which stays put; k is kept within [MIN_ZOOM, MAX_ZOOM]. */
export function zoomAt(cam: Camera, px: number, py: number, factor: number): Camera {
  const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, cam.k * factor));
  const f = k / cam.k;
  return { k, tx: px - (px - cam.tx) * f, ty: py - (py - cam.ty) * f };
}

export function panBy(cam: Camera, dx: number, dy: number): Camera {
  return { k: cam.k, tx: cam.tx + dx, ty: cam.ty + dy };
}

/** Screen pixel to base pixel. */
export function toBase(cam: Camera, sx: number, sy: number): [number, number] {
  return [(sx - cam.tx) / cam.k, (sy - cam.ty) / cam.k];
}

/** Drawn radius of a point in screen pixels: sigma's size for n cells, growing gently when zoomed in. */
export function pointRadius(n: number, k: number): number {
  return nodeSize(n) * Math.sqrt(Math.max(1, k));
}

/** Hover and click reach a point within this many screen pixels of its centre. */
export function pickRadius(n: number, k: number): number {
  return Math.max(5, pointRadius(n, k) + 2);
}

/** Cells grouped by cluster: group g is label `labels[g]` (-1: unassigned), its cells items[start[g] ..). */
export interface ClusterOrder {
  readonly labels: Int32Array;
  readonly start: Int32Array;
  readonly items: Int32Array;
}

/** Group cells by cluster (counting sort; negative or missing labels form one "unassigned" group, -1). */
export function clusterOrder(labels: Int32Array | null, n: number): ClusterOrder {
  const labelOf = (i: number): number => {
    const c = labels?.[i];
    return c === undefined || c < 0 ? -1 : c;
  };
  let max = -1;
  for (let i = 0; i < n; i++) max = Math.max(max, labelOf(i));
  // slot 0: unassigned, slot c + 1: cluster c
  const counts = new Int32Array(max + 3);
  for (let i = 0; i < n; i++) counts[labelOf(i) + 2]!++;
  for (let s = 0; s <= max + 1; s++) counts[s + 1]! += counts[s]!;
  const items = new Int32Array(n);
  const cursor = counts.slice(0, max + 2);
  for (let i = 0; i < n; i++) items[cursor[labelOf(i) + 1]!++] = i;
  const outLabels: number[] = [];
  const outStart: number[] = [];
  for (let s = 0; s <= max + 1; s++) {
    if (counts[s + 1]! > counts[s]!) {
      outLabels.push(s - 1);
      outStart.push(counts[s]!);
    }
  }
  outStart.push(n);
  return { labels: Int32Array.from(outLabels), start: Int32Array.from(outStart), items };
}

/** Edges drawn with one colour and width: pairs `edges.src[e]`, `edges.dst[e]` for e in `edges`. */
export interface EdgeBatch {
  readonly color: string;
  readonly width: number;
  readonly edges: Int32Array;
}

/** Edge widths are drawn in this many steps between 0.4 and 2 pixels (one path per step and colour). */
export const EDGE_WIDTH_STEPS = 4;

/**
 * The selected cluster's edges (`selectionEdges`) grouped for drawing: edges inside the cluster in a light
 * tone of its colour, edges leaving it in grey, each at its weight's width rounded to one of
 * `EDGE_WIDTH_STEPS` steps. Empty without a selection.
 */
export function selectionEdgeBatches(
  edges: UndirectedEdges,
  labels: Int32Array | null,
  selected: number | null,
): EdgeBatch[] {
  const chosen = selectionEdges(edges, labels, selected);
  if (chosen.length === 0 || selected === null || !labels) return [];
  const { src, dst, weight, minWeight, maxWeight } = edges;
  const steps = EDGE_WIDTH_STEPS;
  const lo = edgeSize(minWeight, minWeight, maxWeight);
  const hi = edgeSize(maxWeight, minWeight, maxWeight);
  const groups: number[][] = Array.from({ length: 2 * steps }, () => []);
  for (const e of chosen) {
    const inside = labels[src[e]!] === selected && labels[dst[e]!] === selected;
    const w = edgeSize(weight[e]!, minWeight, maxWeight);
    const step = hi > lo ? Math.round(((w - lo) / (hi - lo)) * (steps - 1)) : steps - 1;
    groups[(inside ? steps : 0) + step]!.push(e);
  }
  const inColor = towardWhite(clusterColor(selected), 0.45);
  const out: EdgeBatch[] = [];
  groups.forEach((list, g) => {
    if (list.length === 0) return;
    const step = g % steps;
    out.push({
      color: g >= steps ? inColor : CROSS_EDGE_COLOR,
      width: steps > 1 ? 0.4 + (1.6 * step) / (steps - 1) : 2,
      edges: Int32Array.from(list),
    });
  });
  return out;
}

/** Everything one frame needs (CSS pixels; the context is scaled by `dpr`). */
export interface ViewScene {
  readonly width: number;
  readonly height: number;
  readonly dpr: number;
  readonly camera: Camera;
  readonly n: number;
  /** n x 2 base pixels */
  readonly xy: Float32Array;
  readonly order: ClusterOrder;
  readonly selected: number | null;
  readonly edges: UndirectedEdges | null;
  readonly batches: readonly EdgeBatch[];
  readonly background?: string;
}

type Ctx2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/**
 * Draw one frame: a white background, the selected cluster's edges, the other clusters' points (dimmed
 * while a cluster is selected), then the selected cluster's points on top. Points are squares, one path per
 * cluster (100,000 arcs filled one by one take seconds). Points off screen are skipped. Returns what was
 * drawn: points and edges.
 */
export function drawScene(ctx: Ctx2D, s: ViewScene): { nodes: number; edges: number } {
  ctx.setTransform(s.dpr, 0, 0, s.dpr, 0, 0);
  ctx.globalAlpha = 1;
  ctx.fillStyle = s.background ?? '#ffffff';
  ctx.fillRect(0, 0, s.width, s.height);
  const { k, tx, ty } = s.camera;
  const xy = s.xy;
  let drawnEdges = 0;
  if (s.edges) {
    const { src, dst } = s.edges;
    for (const batch of s.batches) {
      ctx.strokeStyle = batch.color;
      ctx.lineWidth = batch.width;
      ctx.beginPath();
      for (const e of batch.edges) {
        const a = src[e]!;
        const b = dst[e]!;
        ctx.moveTo(xy[2 * a]! * k + tx, xy[2 * a + 1]! * k + ty);
        ctx.lineTo(xy[2 * b]! * k + tx, xy[2 * b + 1]! * k + ty);
      }
      ctx.stroke();
      drawnEdges += batch.edges.length;
    }
  }
  const r = pointRadius(s.n, k);
  const { labels, start, items } = s.order;
  let drawnNodes = 0;
  const drawGroup = (g: number, color: string) => {
    ctx.fillStyle = color;
    ctx.beginPath();
    for (let p = start[g]!; p < start[g + 1]!; p++) {
      const i = items[p]!;
      const x = xy[2 * i]! * k + tx;
      const y = xy[2 * i + 1]! * k + ty;
      if (x < -r || y < -r || x > s.width + r || y > s.height + r) continue;
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
      drawnNodes++;
    }
    ctx.fill();
  };
  let top = -1;
  for (let g = 0; g < labels.length; g++) {
    const c = labels[g]!;
    if (s.selected !== null && c === s.selected) {
      top = g;
      continue;
    }
    drawGroup(g, s.selected !== null ? DIMMED_COLOR : c < 0 ? UNASSIGNED_COLOR : clusterColor(c));
  }
  if (top >= 0) drawGroup(top, clusterColor(labels[top]!));
  return { nodes: drawnNodes, edges: drawnEdges };
}

/**
 * Edges per message when the page sends the edge list to the worker. Copying a typed array for postMessage
 * costs ~4 ms per MB on a busy machine (fresh pages): the 12 MB of a 100,000-cell k = 10 graph in one
 * message blocked the page ~50 ms, so it goes in 3 MB parts, one task each.
 */
export const EDGE_CHUNK = 262_144;

/** [start, end) ranges of at most `size` covering 0..length in order (none for length 0). */
export function chunkRanges(length: number, size: number): [number, number][] {
  const step = Math.max(1, Math.floor(size));
  const out: [number, number][] = [];
  for (let a = 0; a < length; a += step) out.push([a, Math.min(length, a + step)]);
  return out;
}

/**
 * The worker's side of a chunked edge list: `begin` allocates, `part` copies a slice in, `end` gives the
 * list once every edge has arrived. Parts of an older generation (the page sent a newer list meanwhile) are
 * ignored.
 */
export class EdgeAssembly {
  private gen = -1;
  private list: { from: Int32Array; to: Int32Array; weight: Float32Array } | null = null;
  private received = 0;

  begin(gen: number, length: number): void {
    this.gen = gen;
    this.received = 0;
    this.list = {
      from: new Int32Array(length),
      to: new Int32Array(length),
      weight: new Float32Array(length),
    };
  }

  part(gen: number, offset: number, from: Int32Array, to: Int32Array, weight: Float32Array): void {
    const list = this.list;
    if (gen !== this.gen || !list) return;
    if (offset < 0 || offset + from.length > list.from.length) return;
    list.from.set(from, offset);
    list.to.set(to.subarray(0, from.length), offset);
    list.weight.set(weight.subarray(0, from.length), offset);
    this.received += from.length;
  }

  /** The complete list of generation `gen`, or null (another generation, or parts missing). */
  end(gen: number): EdgeList | null {
    const list = this.list;
    if (gen !== this.gen || !list || this.received !== list.from.length) return null;
    this.list = null;
    return list;
  }
}

/** Page to worker. Arrays are copies (the page keeps its own); the canvas is transferred once. */
export type ViewRequest =
  | { type: 'init'; canvas: OffscreenCanvas; width: number; height: number; dpr: number }
  | { type: 'resize'; width: number; height: number; dpr: number }
  /** a new graph: its edges follow in `edges-part` messages, then `edges-end` (edges: null = no edge list) */
  | { type: 'graph'; nCells: number; gen: number; edges: number | null }
  | {
      type: 'edges-part';
      gen: number;
      offset: number;
      from: Int32Array;
      to: Int32Array;
      weight: Float32Array;
    }
  | { type: 'edges-end'; gen: number }
  | { type: 'labels'; labels: Int32Array | null }
  | { type: 'positions'; positions: Float32Array | null }
  | { type: 'selected'; selected: number | null }
  | { type: 'camera'; camera: Camera }
  | { type: 'export'; id: number };

/** Worker to page. Arrays are transferred. */
export type ViewReply =
  /** the undirected graph's size and each cell's degree (for the summary and the tooltip) */
  | { type: 'graph'; nCells: number; nEdges: number; degree: Int32Array }
  /** the picking grid for the positions now drawn */
  | { type: 'grid'; grid: PointGrid }
  /** a frame was drawn: the cells in the graph and the edges drawn */
  | { type: 'drawn'; nodes: number; edges: number }
  | { type: 'export'; id: number; bitmap: ImageBitmap; width: number; height: number }
  | { type: 'error'; message: string; id?: number };
