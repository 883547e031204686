/**
 * Geometry of the Sankey view (SankeyView.tsx) for a `SankeyData` of src/core/analysis/sankey.ts, in SVG user
 * units: two columns of node bars, one vertical scale (cells per unit) shared by both sides so a band keeps its
 * thickness from end to end, and each link a cubic Bézier band. Bands leave a left node in link order (by right
 * position) and enter a right node in link order too (by left position), so the bands of one node never cross
 * each other. Labels get a margin sized from the longest label; a node too thin for its label gets none (its
 * tooltip still names it).
 */
import type { SankeyData, SankeyNode } from '../../core/analysis/sankey.ts';

export interface SankeyNodeBox {
  readonly node: SankeyNode;
  readonly side: 'left' | 'right';
  /** Position in its column, top to bottom. */
  readonly index: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Whether there is room for the label beside the bar. */
  readonly showLabel: boolean;
}

export interface SankeyLinkBand {
  readonly source: SankeyNode;
  readonly target: SankeyNode;
  /** Position of the source in the left column (for colouring). */
  readonly sourceIndex: number;
  readonly value: number;
  /** SVG path of the band. */
  readonly path: string;
  /** Thickness at either end. */
  readonly thickness: number;
}

export interface SankeyLayout {
  readonly width: number;
  readonly height: number;
  readonly left: SankeyNodeBox[];
  readonly right: SankeyNodeBox[];
  readonly links: SankeyLinkBand[];
  /** x of the left and right column titles (left edge of the left bars, right edge of the right bars). */
  readonly leftX: number;
  readonly rightX: number;
  readonly top: number;
}

export interface SankeyLayoutOptions {
  width?: number;
  height?: number;
  nodeWidth?: number;
  /** Space above the bars, for the column titles. */
  top?: number;
  /** Largest gap between two nodes of a column. */
  maxPadding?: number;
  /** Label text, to size the margins (default "label (size)"). */
  labelText?: (node: SankeyNode) => string;
}

const CHAR_WIDTH = 7;
const MIN_LABEL_HEIGHT = 9;

export function defaultSankeyLabel(node: SankeyNode): string {
  return `${node.label} (${node.size.toLocaleString('en-US')})`;
}

function r(v: number): number {
  return Math.round(v * 100) / 100;
}

export function sankeyLayout(data: SankeyData, options: SankeyLayoutOptions = {}): SankeyLayout {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const nodeWidth = options.nodeWidth ?? 14;
  const top = options.top ?? 24;
  const bottom = 4;
  const maxPadding = options.maxPadding ?? 10;
  const labelText = options.labelText ?? defaultSankeyLabel;

  const longest = (nodes: SankeyNode[]): number => Math.max(0, ...nodes.map((n) => labelText(n).length));
  const margin = (nodes: SankeyNode[]): number =>
    Math.min(width * 0.3, Math.max(40, longest(nodes) * CHAR_WIDTH + 12));
  const leftX = margin(data.left);
  const rightX = width - margin(data.right);
  const available = height - top - bottom;

  const padding = (n: number): number => (n > 1 ? Math.min(maxPadding, (available * 0.3) / (n - 1)) : 0);
  const total = Math.max(1, data.total);
  const scale = Math.max(
    0,
    Math.min(
      (available - padding(data.left.length) * Math.max(0, data.left.length - 1)) / total,
      (available - padding(data.right.length) * Math.max(0, data.right.length - 1)) / total,
    ),
  );

  const column = (nodes: SankeyNode[], side: 'left' | 'right'): SankeyNodeBox[] => {
    const pad = padding(nodes.length);
    const used = nodes.reduce((s, n) => s + n.size * scale, 0) + pad * Math.max(0, nodes.length - 1);
    let y = top + (available - used) / 2;
    const x = side === 'left' ? leftX : rightX - nodeWidth;
    return nodes.map((node, index) => {
      const h = node.size * scale;
      const box = {
        node,
        side,
        index,
        x,
        y,
        width: nodeWidth,
        height: h,
        showLabel: h + pad >= MIN_LABEL_HEIGHT,
      };
      y += h + pad;
      return box;
    });
  };
  const left = column(data.left, 'left');
  const right = column(data.right, 'right');

  const leftById = new Map(left.map((b) => [b.node.id, b]));
  const rightById = new Map(right.map((b) => [b.node.id, b]));
  const outOffset = new Map<number, number>();
  const inOffset = new Map<number, number>();
  const x0 = leftX + nodeWidth;
  const x1 = rightX - nodeWidth;
  const xm = (x0 + x1) / 2;
  const links: SankeyLinkBand[] = [];
  for (const link of data.links) {
    const s = leftById.get(link.source);
    const t = rightById.get(link.target);
    if (!s || !t) continue;
    const thickness = link.value * scale;
    const sy = s.y + (outOffset.get(link.source) ?? 0);
    const ty = t.y + (inOffset.get(link.target) ?? 0);
    outOffset.set(link.source, (outOffset.get(link.source) ?? 0) + thickness);
    inOffset.set(link.target, (inOffset.get(link.target) ?? 0) + thickness);
    const path =
      `M${r(x0)},${r(sy)} C${r(xm)},${r(sy)} ${r(xm)},${r(ty)} ${r(x1)},${r(ty)} ` +
      `L${r(x1)},${r(ty + thickness)} C${r(xm)},${r(ty + thickness)} ${r(xm)},${r(sy + thickness)} ` +
      `${r(x0)},${r(sy + thickness)} Z`;
    links.push({ source: s.node, target: t.node, sourceIndex: s.index, value: link.value, path, thickness });
  }
  return { width, height, left, right, links, leftX, rightX, top };
}
