/**
 * The page's side of the large-graph view (above `LARGE_GRAPH_CELLS` cells): a canvas whose drawing is handed
 * to a worker (workers/graph-view.worker.ts, canvas 2D on an OffscreenCanvas), so the page does no per-cell
 * work: it sends the typed arrays (copies: the page keeps its own; the edge list in parts, one task each)
 * when they change, and holds only the
 * picking grid that the worker sends back after each position update. Wheel zoom and drag pan move a camera
 * here (sent to the worker, which redraws); hover and click find the nearest point through the grid.
 *
 * Same role as `CellGraphRenderer` (sigma) for small graphs; see src/layout/large-view.ts for the pure parts.
 */
import type { EdgeList } from '../../contract/common.ts';
import {
  chunkRanges,
  EDGE_CHUNK,
  IDENTITY_CAMERA,
  panBy,
  pickNearest,
  pickRadius,
  toBase,
  zoomAt,
  type Camera,
  type PointGrid,
  type ViewReply,
  type ViewRequest,
} from '../../layout/large-view.ts';
import { composePng, GraphRenderError, type GraphHover, type PngOptions } from './graph-renderer.ts';

export interface LargeGraphState {
  nCells: number;
  edges: EdgeList | null;
  /** nCells x 2, or null (placeholder spiral until a layout arrives) */
  positions: Float32Array | null;
  labels: Int32Array | null;
  selected: number | null;
}

export interface LargeGraphCallbacks {
  onHover(hover: GraphHover | null): void;
  onClickNode(index: number): void;
  /** A frame was drawn: cells in the graph, edges drawn. */
  onDrawn(nodes: number, edges: number): void;
  /** The undirected graph's size and the cells' degrees, counted in the worker. */
  onGraph(info: { nCells: number; nEdges: number; degree: Int32Array }): void;
  /** The worker failed: a message for the user (no stack trace). */
  onError(message: string): void;
}

/** Pointer travel (CSS pixels) below which a press and release is a click, not a drag. */
const CLICK_SLOP = 4;

export class LargeGraphRenderer {
  private readonly canvas: HTMLCanvasElement;
  private readonly worker: Worker;
  private readonly resizeObserver: ResizeObserver | null = null;
  private state: LargeGraphState | null = null;
  private grid: PointGrid | null = null;
  private camera: Camera = IDENTITY_CAMERA;
  private hovered = -1;
  private drag: { id: number; x: number; y: number; moved: boolean } | null = null;
  private nextExport = 1;
  private graphGen = 0;
  private partTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly exports = new Map<number, { resolve(b: ImageBitmap): void; reject(e: Error): void }>();
  private readonly detach: () => void;

  constructor(
    private readonly container: HTMLElement,
    private readonly callbacks: LargeGraphCallbacks,
  ) {
    const canvas = document.createElement('canvas');
    canvas.className = 'graph-large-canvas';
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'Cell graph drawing');
    canvas.dataset.testid = 'graph-large-canvas';
    if (typeof canvas.transferControlToOffscreen !== 'function' || typeof Worker === 'undefined') {
      throw new GraphRenderError(
        'Drawing more than 10,000 cells needs OffscreenCanvas, which this browser does not provide. The ' +
          'analysis results are not affected.',
      );
    }
    container.replaceChildren(canvas);
    this.canvas = canvas;
    const offscreen = canvas.transferControlToOffscreen();
    this.worker = new Worker(new URL('../../../workers/graph-view.worker.ts', import.meta.url), {
      type: 'module',
      name: 'graph-view',
    });
    this.worker.onmessage = (e: MessageEvent<ViewReply>) => this.onReply(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.fail(`The cell graph could not be drawn: ${e.message || 'the drawing worker stopped.'}`);
    };
    const { width, height } = this.size();
    this.post({ type: 'init', canvas: offscreen, width, height, dpr: devicePixelRatio || 1 }, [offscreen]);
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => {
        const s = this.size();
        this.post({ type: 'resize', width: s.width, height: s.height, dpr: devicePixelRatio || 1 });
      });
      this.resizeObserver.observe(container);
    }
    this.detach = this.listen();
  }

  /** The canvas's accessible name (the view's summary). */
  setLabel(label: string): void {
    this.canvas.setAttribute('aria-label', label);
  }

  /** Send what changed to the worker (copies of the arrays); the worker redraws once. */
  update(next: LargeGraphState): void {
    const prev = this.state;
    this.state = next;
    if (!prev || prev.nCells !== next.nCells || prev.edges !== next.edges) this.sendGraph(next);
    if (!prev || prev.nCells !== next.nCells || prev.labels !== next.labels)
      this.post({ type: 'labels', labels: next.labels });
    if (!prev || prev.nCells !== next.nCells || prev.positions !== next.positions) {
      this.post({ type: 'positions', positions: next.positions });
    }
    if (!prev || prev.selected !== next.selected) this.post({ type: 'selected', selected: next.selected });
  }

  /**
   * A new graph: the cell count now, the edges in parts of `EDGE_CHUNK`, one task each (a newer graph stops
   * an older one's parts).
   */
  private sendGraph(s: LargeGraphState): void {
    const gen = ++this.graphGen;
    clearTimeout(this.partTimer);
    const edges = s.edges;
    const m = edges ? Math.min(edges.from.length, edges.to.length, edges.weight.length) : 0;
    this.post({ type: 'graph', nCells: s.nCells, gen, edges: edges ? m : null });
    if (!edges) return;
    const ranges = chunkRanges(m, EDGE_CHUNK);
    const step = (k: number) => {
      if (gen !== this.graphGen) return;
      const range = ranges[k];
      if (!range) {
        this.post({ type: 'edges-end', gen });
        return;
      }
      const [a, b] = range;
      const from = edges.from.slice(a, b);
      const to = edges.to.slice(a, b);
      const weight = edges.weight.slice(a, b);
      this.post({ type: 'edges-part', gen, offset: a, from, to, weight }, [
        from.buffer,
        to.buffer,
        weight.buffer,
      ]);
      this.partTimer = setTimeout(() => step(k + 1), 0);
    };
    this.partTimer = setTimeout(() => step(0), 0);
  }

  resetView(): void {
    this.setCamera(IDENTITY_CAMERA);
  }

  /** The current drawing with title and legend as a PNG (drawn again in the worker, composited here). */
  toPngBlob(options: PngOptions): Promise<Blob> {
    const id = this.nextExport++;
    const bitmap = new Promise<ImageBitmap>((resolve, reject) => this.exports.set(id, { resolve, reject }));
    this.post({ type: 'export', id });
    const cssWidth = this.container.clientWidth;
    return bitmap.then((b) =>
      composePng(b.width, b.height, cssWidth || b.width, options, (ctx) => {
        ctx.drawImage(b, 0, 0);
        b.close();
      }),
    );
  }

  destroy(): void {
    this.detach();
    clearTimeout(this.partTimer);
    this.graphGen++;
    this.resizeObserver?.disconnect();
    this.worker.terminate();
    for (const pending of this.exports.values()) pending.reject(new Error('The cell graph view was closed.'));
    this.exports.clear();
    this.container.replaceChildren();
  }

  private size(): { width: number; height: number } {
    return {
      width: Math.max(1, this.container.clientWidth),
      height: Math.max(1, this.container.clientHeight),
    };
  }

  private post(request: ViewRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(request, transfer);
  }

  private fail(message: string): void {
    for (const pending of this.exports.values()) pending.reject(new Error(message));
    this.exports.clear();
    this.callbacks.onError(message);
  }

  private onReply(m: ViewReply): void {
    switch (m.type) {
      case 'graph':
        this.callbacks.onGraph({ nCells: m.nCells, nEdges: m.nEdges, degree: m.degree });
        break;
      case 'grid':
        this.grid = m.grid;
        break;
      case 'drawn':
        this.callbacks.onDrawn(m.nodes, m.edges);
        break;
      case 'export': {
        const pending = this.exports.get(m.id);
        this.exports.delete(m.id);
        if (pending) pending.resolve(m.bitmap);
        else m.bitmap.close();
        break;
      }
      case 'error': {
        const pending = m.id !== undefined ? this.exports.get(m.id) : undefined;
        if (pending && m.id !== undefined) {
          this.exports.delete(m.id);
          pending.reject(new Error(m.message));
        } else this.fail(m.message);
        break;
      }
    }
  }

  private setCamera(camera: Camera): void {
    this.camera = camera;
    this.post({ type: 'camera', camera });
    this.setHovered(-1, 0, 0);
  }

  /** The cell under the pointer (container pixels), or -1. */
  private pick(x: number, y: number): number {
    const grid = this.grid;
    const n = this.state?.nCells ?? 0;
    if (!grid || grid.n !== n) return -1;
    const [bx, by] = toBase(this.camera, x, y);
    return pickNearest(grid, bx, by, pickRadius(n, this.camera.k) / this.camera.k);
  }

  private setHovered(index: number, x: number, y: number): void {
    if (index === this.hovered) return;
    this.hovered = index;
    this.canvas.style.cursor = index >= 0 ? 'pointer' : '';
    this.callbacks.onHover(index >= 0 ? { index, x, y, width: this.container.clientWidth } : null);
  }

  private listen(): () => void {
    const c = this.canvas;
    const local = (e: PointerEvent | WheelEvent): [number, number] => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const [x, y] = local(e);
      const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      this.setCamera(zoomAt(this.camera, x, y, Math.exp(-delta * 0.0015)));
    };
    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      const [x, y] = local(e);
      this.drag = { id: e.pointerId, x, y, moved: false };
      c.setPointerCapture?.(e.pointerId);
    };
    const onMove = (e: PointerEvent) => {
      const [x, y] = local(e);
      const d = this.drag;
      if (d && d.id === e.pointerId) {
        if (!d.moved && Math.hypot(x - d.x, y - d.y) < CLICK_SLOP) return;
        d.moved = true;
        const cam = panBy(this.camera, x - d.x, y - d.y);
        d.x = x;
        d.y = y;
        this.setCamera(cam);
        return;
      }
      this.setHovered(this.pick(x, y), x, y);
    };
    const onUp = (e: PointerEvent) => {
      const d = this.drag;
      if (!d || d.id !== e.pointerId) return;
      this.drag = null;
      c.releasePointerCapture?.(e.pointerId);
      if (d.moved) return;
      const [x, y] = local(e);
      const i = this.pick(x, y);
      if (i >= 0) this.callbacks.onClickNode(i);
    };
    const onLeave = () => {
      if (!this.drag) this.setHovered(-1, 0, 0);
    };
    const onCancel = () => {
      this.drag = null;
    };
    c.addEventListener('wheel', onWheel, { passive: false });
    c.addEventListener('pointerdown', onDown);
    c.addEventListener('pointermove', onMove);
    c.addEventListener('pointerup', onUp);
    c.addEventListener('pointerleave', onLeave);
    c.addEventListener('pointercancel', onCancel);
    return () => {
      c.removeEventListener('wheel', onWheel);
      c.removeEventListener('pointerdown', onDown);
      c.removeEventListener('pointermove', onMove);
      c.removeEventListener('pointerup', onUp);
      c.removeEventListener('pointerleave', onLeave);
      c.removeEventListener('pointercancel', onCancel);
    };
  }
}
