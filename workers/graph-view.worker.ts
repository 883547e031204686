/**
 * Graph view worker: draws the large cell graph (above `LARGE_GRAPH_CELLS` cells) on the OffscreenCanvas that
 * the page transferred to it (src/app/graph/large-graph-renderer.ts), so that no per-cell work runs on the
 * page's thread. Protocol: `ViewRequest` / `ViewReply` in src/layout/large-view.ts.
 *
 * Messages only update the state and mark what it invalidates; one frame is drawn in a later task, so a
 * burst of messages (positions streamed by the layout, wheel zoom) costs one frame. Per change: the edge
 * list (sent in parts, see `EdgeAssembly`) is merged into undirected pairs (its size and the degrees go back to the page); positions or a
 * resize refit the points and rebuild the picking grid (sent to the page); labels regroup the cells by
 * cluster; labels or the selection recompute the selected cluster's edges.
 */
import {
  buildGrid,
  clusterOrder,
  drawScene,
  EdgeAssembly,
  fitPositions,
  gridCellSize,
  IDENTITY_CAMERA,
  selectionEdgeBatches,
  type Camera,
  type ClusterOrder,
  type EdgeBatch,
  type ViewReply,
  type ViewRequest,
} from '../src/layout/large-view.ts';
import { spiralLayout, toUndirected, type UndirectedEdges } from '../src/layout/graph-edges.ts';
import type { EdgeList } from '../src/contract/common.ts';

const post = (reply: ViewReply, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(reply, transfer);

let canvas: OffscreenCanvas | null = null;
let ctx: OffscreenCanvasRenderingContext2D | null = null;
let width = 0;
let height = 0;
let dpr = 1;
let camera: Camera = IDENTITY_CAMERA;
let nCells = 0;
let rawEdges: EdgeList | null = null;
let edges: UndirectedEdges | null = null;
let labels: Int32Array | null = null;
let positions: Float32Array | null = null;
let selected: number | null = null;
let graphGen = -1;
const assembly = new EdgeAssembly();

let xy: Float32Array | null = null;
let order: ClusterOrder | null = null;
let batches: EdgeBatch[] = [];

const dirty = { edges: false, fit: false, order: false, selection: false, frame: false };
let scheduled = false;

function schedule(): void {
  dirty.frame = true;
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    try {
      frame();
    } catch (e) {
      post({ type: 'error', message: `The cell graph could not be drawn: ${messageOf(e)}` });
    }
  }, 0);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function frame(): void {
  if (dirty.edges) {
    dirty.edges = false;
    edges = toUndirected(nCells, rawEdges);
    rawEdges = null;
    const degree = edges.degree.slice();
    post({ type: 'graph', nCells, nEdges: edges.src.length, degree }, [degree.buffer]);
  }
  if (dirty.order) {
    dirty.order = false;
    order = clusterOrder(labels && labels.length >= nCells ? labels : null, nCells);
  }
  if (dirty.selection) {
    dirty.selection = false;
    batches = edges
      ? selectionEdgeBatches(edges, labels && labels.length >= nCells ? labels : null, selected)
      : [];
  }
  if (dirty.fit) {
    dirty.fit = false;
    const pos = positions && positions.length === 2 * nCells ? positions : spiralLayout(nCells);
    xy = fitPositions(pos, nCells, width, height);
    const grid = buildGrid(xy, nCells, width, height, gridCellSize(nCells, width, height));
    const copy = { ...grid, xy: xy.slice() };
    post({ type: 'grid', grid: copy }, [copy.start.buffer, copy.items.buffer, copy.xy.buffer]);
  }
  if (!dirty.frame || !ctx || !canvas || !xy || !order) return;
  dirty.frame = false;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const drawn = drawScene(ctx, scene());
  post({ type: 'drawn', nodes: nCells, edges: drawn.edges });
}

function scene() {
  return {
    width,
    height,
    dpr,
    camera,
    n: nCells,
    xy: xy!,
    order: order!,
    selected,
    edges,
    batches,
  };
}

function exportFrame(id: number): void {
  if (!xy || !order || typeof OffscreenCanvas === 'undefined') {
    post({ type: 'error', id, message: 'The cell graph is not drawn yet.' });
    return;
  }
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  const out = new OffscreenCanvas(w, h);
  const c = out.getContext('2d');
  if (!c) {
    post({ type: 'error', id, message: 'Could not create a 2-D canvas for the export.' });
    return;
  }
  drawScene(c, scene());
  const bitmap = out.transferToImageBitmap();
  post({ type: 'export', id, bitmap, width: w, height: h }, [bitmap]);
}

self.onmessage = (event: MessageEvent<ViewRequest>) => {
  const m = event.data;
  switch (m.type) {
    case 'init': {
      canvas = m.canvas;
      ctx = canvas.getContext('2d', { alpha: false });
      if (!ctx) {
        post({ type: 'error', message: 'This browser cannot draw on an OffscreenCanvas.' });
        return;
      }
      width = m.width;
      height = m.height;
      dpr = m.dpr;
      dirty.fit = true;
      break;
    }
    case 'resize':
      if (m.width === width && m.height === height && m.dpr === dpr) return;
      width = m.width;
      height = m.height;
      dpr = m.dpr;
      dirty.fit = true;
      break;
    case 'graph':
      if (m.nCells !== nCells) dirty.fit = dirty.order = true;
      nCells = m.nCells;
      // Nodes are drawn at once; the edges (and their count) once all their parts have arrived.
      edges = null;
      batches = [];
      graphGen = m.gen;
      if (m.edges === null) {
        rawEdges = null;
        dirty.edges = dirty.selection = true;
      } else {
        // An earlier graph's pending merge is dropped (it would report a stale edge count).
        rawEdges = null;
        dirty.edges = false;
        assembly.begin(m.gen, m.edges);
      }
      break;
    case 'edges-part':
      assembly.part(m.gen, m.offset, m.from, m.to, m.weight);
      return;
    case 'edges-end': {
      const list = m.gen === graphGen ? assembly.end(m.gen) : null;
      if (!list) return;
      rawEdges = list;
      dirty.edges = dirty.selection = true;
      break;
    }
    case 'labels':
      labels = m.labels;
      dirty.order = dirty.selection = true;
      break;
    case 'positions':
      positions = m.positions;
      dirty.fit = true;
      break;
    case 'selected':
      selected = m.selected;
      dirty.selection = true;
      break;
    case 'camera':
      camera = m.camera;
      break;
    case 'export':
      // Pending changes first, so the export shows the latest state.
      try {
        frame();
        exportFrame(m.id);
      } catch (e) {
        post({ type: 'error', id: m.id, message: `The PNG could not be drawn: ${messageOf(e)}` });
      }
      return;
  }
  schedule();
};
