/**
 * The imperative side of the cell graph view: owns one sigma 3 renderer (WebGL) and its graphology graph, and
 * applies state changes with the least work: new positions only move nodes (attributes updated in place, one
 * scheduled refresh, sigma is never rebuilt per frame), new labels only recolour, a new cell count or edge
 * list rebuilds the graph. Highlighting a cluster greys the rest through sigma's node and edge reducers.
 * Above `LARGE_GRAPH_CELLS` cells only the selected cluster's edges are put in the graph.
 *
 * Also: `graphToPngBlob` composites sigma's canvas layers onto one white canvas for a PNG export.
 *
 * Sigma needs WebGL (it tries WebGL2, then WebGL 1) and throws from its constructor when neither is there;
 * the constructor here rethrows that as a readable `GraphRenderError`.
 */
import Sigma from 'sigma';
import { UndirectedGraph } from 'graphology';
import type { NodeDisplayData, EdgeDisplayData } from 'sigma/types';
import {
  LARGE_GRAPH_CELLS,
  edgeSize,
  nodeSize,
  selectionEdges,
  spiralLayout,
  type UndirectedEdges,
} from './graph-data.ts';
import { UNASSIGNED_COLOR, clusterColor, towardWhite } from '../../layout/palette.ts';
import { errorMessage } from '../shared/error-message.ts';

type NodeAttrs = {
  x: number;
  y: number;
  size: number;
  color: string;
  /** cell index */
  i: number;
};

type EdgeAttrs = {
  size: number;
  color: string;
  /** endpoint cell indices */
  s: number;
  t: number;
};

export type CellSigma = Sigma<NodeAttrs, EdgeAttrs>;

export interface GraphRenderState {
  nCells: number;
  edges: UndirectedEdges;
  /** nCells x 2, or null (placeholder spiral until a layout arrives) */
  positions: Float32Array | null;
  labels: Int32Array | null;
  /** highlighted cluster, or null */
  selected: number | null;
}

export interface GraphHover {
  /** cell index */
  index: number;
  /** pointer position in pixels, relative to the container */
  x: number;
  y: number;
  /** the container's width then, to keep a tooltip inside */
  width: number;
}

export interface GraphRendererCallbacks {
  /** The pointer entered a node (x, y in pixels relative to the container) or left it (null). */
  onHover(hover: GraphHover | null): void;
  onClickNode(index: number): void;
}

/** Sigma could not start (no WebGL, or the container is unusable). */
export class GraphRenderError extends Error {
  override name = 'GraphRenderError';
}

import { CROSS_EDGE_COLOR, DIMMED_COLOR, EDGE_COLOR } from '../../layout/large-view.ts';

/** Canvas layers composited into the PNG, bottom first (hover and mouse layers are left out). */
const EXPORT_LAYERS = ['edges', 'edgeLabels', 'nodes', 'labels'] as const;

export class CellGraphRenderer {
  private readonly sigma: CellSigma;
  private graph: UndirectedGraph<NodeAttrs, EdgeAttrs>;
  private state: GraphRenderState | null = null;
  private placeholder: Float32Array | null = null;
  private readonly resizeObserver: ResizeObserver | null = null;

  constructor(
    private readonly container: HTMLElement,
    callbacks: GraphRendererCallbacks,
  ) {
    this.graph = new UndirectedGraph<NodeAttrs, EdgeAttrs>();
    try {
      this.sigma = new Sigma<NodeAttrs, EdgeAttrs>(this.graph, container, {
        renderLabels: false,
        renderEdgeLabels: false,
        zIndex: true,
        minEdgeThickness: 0.4,
        allowInvalidContainer: true,
        defaultEdgeColor: EDGE_COLOR,
        nodeReducer: (_node, data) => this.reduceNode(data),
        edgeReducer: (_edge, data) => this.reduceEdge(data),
      });
    } catch (e) {
      container.replaceChildren();
      const reason = errorMessage(e);
      const noWebGl = !hasWebGl();
      throw new GraphRenderError(
        noWebGl
          ? 'The cell graph needs WebGL, which this browser did not provide (it may be disabled, or the GPU ' +
              'blocklisted). The analysis results are not affected.'
          : `The cell graph could not be drawn: ${reason}`,
      );
    }
    this.sigma.on('enterNode', ({ node, event }) => {
      callbacks.onHover({ index: Number(node), x: event.x, y: event.y, width: container.clientWidth });
    });
    this.sigma.on('leaveNode', () => callbacks.onHover(null));
    this.sigma.on('clickNode', ({ node }) => callbacks.onClickNode(Number(node)));
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => this.sigma.scheduleRefresh());
      this.resizeObserver.observe(container);
    }
  }

  /** The sigma instance (for `graphToPngBlob` or camera control). */
  getSigma(): CellSigma {
    return this.sigma;
  }

  /** Apply a new state, doing only the work its changes need. */
  update(next: GraphRenderState): void {
    const prev = this.state;
    this.state = next;
    if (!prev || prev.nCells !== next.nCells || prev.edges !== next.edges) {
      this.rebuild(next);
      return;
    }
    if (prev.positions !== next.positions) {
      const pos = this.positionsOf(next);
      this.graph.updateEachNodeAttributes(
        (_node, attr) => {
          attr.x = pos[2 * attr.i] as number;
          attr.y = pos[2 * attr.i + 1] as number;
          return attr;
        },
        { attributes: ['x', 'y'] },
      );
    }
    const recolour = prev.labels !== next.labels;
    const reselect = prev.selected !== next.selected;
    if (recolour) {
      this.graph.updateEachNodeAttributes(
        (_node, attr) => {
          attr.color = colorOf(next.labels, attr.i);
          return attr;
        },
        { attributes: ['color'] },
      );
    }
    if (next.nCells > LARGE_GRAPH_CELLS && (recolour || reselect)) this.fillLargeEdges(this.graph, next);
    // The reducers read the labels and the selection: re-run them over everything.
    if (recolour || reselect) this.sigma.refresh({ schedule: true });
  }

  /** Back to the whole graph in view. */
  resetView(): void {
    void this.sigma.getCamera().animatedReset({ duration: 300 });
  }

  destroy(): void {
    this.resizeObserver?.disconnect();
    const canvases = Object.values(this.sigma.getCanvases());
    this.sigma.kill();
    // sigma.kill leaves its WebGL contexts to the garbage collector; browsers cap live contexts (~16).
    for (const canvas of canvases) {
      const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
    }
    this.container.replaceChildren();
  }

  private positionsOf(s: GraphRenderState): Float32Array {
    if (s.positions && s.positions.length === s.nCells * 2) return s.positions;
    if (!this.placeholder || this.placeholder.length !== s.nCells * 2)
      this.placeholder = spiralLayout(s.nCells);
    return this.placeholder;
  }

  private rebuild(s: GraphRenderState): void {
    const g = new UndirectedGraph<NodeAttrs, EdgeAttrs>();
    const pos = this.positionsOf(s);
    const size = nodeSize(s.nCells);
    for (let i = 0; i < s.nCells; i++) {
      g.addNode(String(i), {
        x: pos[2 * i] as number,
        y: pos[2 * i + 1] as number,
        size,
        color: colorOf(s.labels, i),
        i,
      });
    }
    if (s.nCells > LARGE_GRAPH_CELLS) this.fillLargeEdges(g, s);
    else addEdges(g, s.edges);
    this.graph = g;
    this.sigma.setGraph(g);
  }

  /** Large graphs: only the edges touching the selected cluster (none without a selection). */
  private fillLargeEdges(g: UndirectedGraph<NodeAttrs, EdgeAttrs>, s: GraphRenderState): void {
    g.clearEdges();
    const { src, dst, weight, minWeight, maxWeight } = s.edges;
    for (const e of selectionEdges(s.edges, s.labels, s.selected)) {
      g.addEdgeWithKey(`e${e}`, String(src[e]), String(dst[e]), {
        size: edgeSize(weight[e] as number, minWeight, maxWeight),
        color: EDGE_COLOR,
        s: src[e] as number,
        t: dst[e] as number,
      });
    }
  }

  private reduceNode(data: NodeAttrs): Partial<NodeDisplayData> {
    const s = this.state;
    if (!s || s.selected === null) return data;
    const c = s.labels?.[data.i] ?? -1;
    return c === s.selected ? { ...data, zIndex: 1 } : { ...data, color: DIMMED_COLOR, zIndex: 0 };
  }

  private reduceEdge(data: EdgeAttrs): Partial<EdgeDisplayData> {
    const s = this.state;
    if (!s || s.selected === null || !s.labels) return data;
    const inA = s.labels[data.s] === s.selected;
    const inB = s.labels[data.t] === s.selected;
    if (inA && inB) return { ...data, color: towardWhite(clusterColor(s.selected), 0.45), zIndex: 1 };
    if (inA || inB) return { ...data, color: CROSS_EDGE_COLOR, zIndex: 0 };
    return { ...data, hidden: true };
  }
}

function colorOf(labels: Int32Array | null, i: number): string {
  const c = labels?.[i];
  return c === undefined || c < 0 ? UNASSIGNED_COLOR : clusterColor(c);
}

function addEdges(g: UndirectedGraph<NodeAttrs, EdgeAttrs>, edges: UndirectedEdges): void {
  const { src, dst, weight, minWeight, maxWeight } = edges;
  for (let e = 0; e < src.length; e++) {
    const a = src[e] as number;
    const b = dst[e] as number;
    g.addEdgeWithKey(`e${e}`, String(a), String(b), {
      size: edgeSize(weight[e] as number, minWeight, maxWeight),
      color: EDGE_COLOR,
      s: a,
      t: b,
    });
  }
}

/** Whether the page can create a WebGL (2 or 1) context at all. */
export function hasWebGl(): boolean {
  try {
    const c = document.createElement('canvas');
    return Boolean(c.getContext('webgl2') ?? c.getContext('webgl'));
  } catch {
    return false;
  }
}

export interface PngLegendEntry {
  label: string;
  color: string;
}

/** What the export needs of a sigma instance (any sigma 3 renderer fits). */
export interface ExportableSigma {
  refresh(): unknown;
  getCanvases(): Record<string, HTMLCanvasElement>;
}

export interface PngOptions {
  /** Background colour (default white). */
  background?: string;
  /** A title drawn at the top left. */
  title?: string;
  /** Cluster swatches drawn under the title. */
  legend?: readonly PngLegendEntry[];
}

/**
 * Render the graph now and composite sigma's canvas layers (edges, edge labels, nodes, labels) onto one
 * canvas with a white background, plus an optional title and legend; resolves with a PNG blob at the
 * canvases' device-pixel size. The render and the copy happen in the same task, because sigma's WebGL layers
 * do not preserve their drawing buffer once the frame has been shown.
 */
export function graphToPngBlob(sigma: ExportableSigma, options: PngOptions = {}): Promise<Blob> {
  sigma.refresh();
  const layers = sigma.getCanvases();
  const base = layers.nodes ?? Object.values(layers)[0];
  if (!base || base.width === 0 || base.height === 0) {
    return Promise.reject(new Error('The cell graph has nothing to export (its canvas has no size).'));
  }
  const { width, height } = base;
  return composePng(width, height, base.clientWidth || width, options, (ctx) => {
    for (const id of EXPORT_LAYERS) {
      const layer = layers[id];
      if (layer && layer.width > 0 && layer.height > 0) ctx.drawImage(layer, 0, 0, width, height);
    }
  });
}

/**
 * A PNG of `width` x `height` device pixels: the background, what `draw` paints, then the title and legend
 * (scaled from `cssWidth` CSS pixels). Shared by the sigma view and the large-graph view.
 */
export function composePng(
  width: number,
  height: number,
  cssWidth: number,
  options: PngOptions,
  draw: (ctx: CanvasRenderingContext2D) => void,
): Promise<Blob> {
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d');
  if (!ctx) return Promise.reject(new Error('Could not create a 2-D canvas for the export.'));
  ctx.fillStyle = options.background ?? '#ffffff';
  ctx.fillRect(0, 0, width, height);
  draw(ctx);
  drawLegend(ctx, width / cssWidth, options);
  return new Promise<Blob>((resolve, reject) => {
    out.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('The PNG could not be encoded.'))),
      'image/png',
    );
  });
}

function drawLegend(ctx: CanvasRenderingContext2D, scale: number, { title, legend }: PngOptions): void {
  if (!title && !legend?.length) return;
  const font = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  const pad = 8 * scale;
  const line = 16 * scale;
  const swatch = 10 * scale;
  const rows: { text: string; color?: string; bold?: boolean }[] = [];
  if (title) rows.push({ text: title, bold: true });
  for (const entry of legend ?? []) rows.push({ text: entry.label, color: entry.color });
  let boxWidth = 0;
  for (const r of rows) {
    ctx.font = `${r.bold ? '600 ' : ''}${12 * scale}px ${font}`;
    boxWidth = Math.max(boxWidth, ctx.measureText(r.text).width + (r.color ? swatch + 6 * scale : 0));
  }
  ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
  ctx.fillRect(pad / 2, pad / 2, boxWidth + pad * 2, rows.length * line + pad);
  ctx.textBaseline = 'middle';
  rows.forEach((r, k) => {
    const y = pad + k * line + line / 2;
    let x = pad * 1.5;
    if (r.color) {
      ctx.fillStyle = r.color;
      ctx.fillRect(x, y - swatch / 2, swatch, swatch);
      x += swatch + 6 * scale;
    }
    ctx.font = `${r.bold ? '600 ' : ''}${12 * scale}px ${font}`;
    ctx.fillStyle = '#1d232b';
    ctx.fillText(r.text, x, y);
  });
}
