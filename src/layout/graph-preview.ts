/**
 * The cell graph as a picture, drawn with canvas 2D off the page's thread (in the layout worker, on an
 * OffscreenCanvas): what the page shows while a run is in progress. Drawing with sigma (WebGL) on the page's
 * thread during a run blocked it for 100-250 ms per frame, and 3.5 s for sigma's start, in headless Chromium
 * (SwiftShader runs WebGL and the engine's WebGPU work in the same GPU process). When the run ends, the page
 * switches to the interactive sigma view (src/app/graph/GraphView.tsx).
 */
import type { EdgeList } from '../contract/common.ts';
import { clusterColor, UNASSIGNED_COLOR } from './palette.ts';
import { fitPositions } from './large-view.ts';

export interface PreviewGraph {
  readonly nCells: number;
  readonly labels: Int32Array;
  readonly edges: EdgeList;
}

/** Above this many cells nodes are drawn as squares batched per cluster (and edges are left out). */
export const LARGE_PREVIEW_CELLS = 10_000;

type Ctx2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** Draw edges (grey, alpha by weight) then nodes (cluster colours) fitted into width x height. */
export function drawGraphPreview(
  ctx: Ctx2D,
  width: number,
  height: number,
  positions: Float32Array,
  graph: PreviewGraph,
): void {
  const n = graph.nCells;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  if (positions.length !== 2 * n || n === 0) return;
  // The bounding box fitted with a margin, y flipped to match sigma's orientation (y up).
  const fitted = fitPositions(positions, n, width, height);
  const px = (i: number) => fitted[2 * i]!;
  const py = (i: number) => fitted[2 * i + 1]!;

  const { from, to, weight } = graph.edges;
  let maxW = 0;
  for (let e = 0; e < weight.length; e++) maxW = Math.max(maxW, weight[e]!);
  ctx.lineWidth = 0.6;
  ctx.strokeStyle = '#9aa4b2';
  if (n <= LARGE_PREVIEW_CELLS) {
    for (let e = 0; e < from.length; e++) {
      ctx.globalAlpha = 0.15 + 0.45 * (maxW > 0 ? weight[e]! / maxW : 1);
      ctx.beginPath();
      ctx.moveTo(px(from[e]!), py(from[e]!));
      ctx.lineTo(px(to[e]!), py(to[e]!));
      ctx.stroke();
    }
  }
  ctx.globalAlpha = 1;
  const r = Math.max(1.5, Math.min(4, 50 / Math.sqrt(n)));
  if (n > LARGE_PREVIEW_CELLS) {
    // 100,000 arcs filled one by one take seconds; squares, one path per colour, take ~50 ms.
    const order = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const c = graph.labels[i] ?? -1;
      let list = order.get(c);
      if (!list) order.set(c, (list = []));
      list.push(i);
    }
    for (const [c, cells] of order) {
      ctx.fillStyle = c >= 0 ? clusterColor(c) : UNASSIGNED_COLOR;
      ctx.beginPath();
      for (const i of cells) ctx.rect(px(i) - r, py(i) - r, 2 * r, 2 * r);
      ctx.fill();
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const c = graph.labels[i] ?? -1;
    ctx.fillStyle = c >= 0 ? clusterColor(c) : UNASSIGNED_COLOR;
    ctx.beginPath();
    ctx.arc(px(i), py(i), r, 0, 2 * Math.PI);
    ctx.fill();
  }
}
