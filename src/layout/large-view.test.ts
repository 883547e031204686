/**
 * The large-graph view's pure parts: the threshold switch, fitting, the picking grid (checked against a
 * brute-force nearest search), the camera, grouping by cluster, the selected cluster's edge batches and the
 * frame drawn (on a recording stand-in for a canvas 2D context).
 */
import { describe, expect, it } from 'vitest';
import {
  buildGrid,
  chunkRanges,
  EdgeAssembly,
  clusterOrder,
  CROSS_EDGE_COLOR,
  DIMMED_COLOR,
  drawScene,
  fitPositions,
  gridCellSize,
  IDENTITY_CAMERA,
  MAX_ZOOM,
  MIN_ZOOM,
  panBy,
  pickNearest,
  selectionEdgeBatches,
  toBase,
  zoomAt,
  type PointGrid,
} from './large-view.ts';
import { LARGE_GRAPH_CELLS, selectionEdges, toUndirected, usesLargeView } from './graph-edges.ts';
import { clusterColor, towardWhite, UNASSIGNED_COLOR } from './palette.ts';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function bruteNearest(xy: Float32Array, x: number, y: number, radius: number): number {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < xy.length / 2; i++) {
    const d = (xy[2 * i]! - x) ** 2 + (xy[2 * i + 1]! - y) ** 2;
    if (d < bestD || (d === bestD && best < 0)) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

describe('usesLargeView', () => {
  it('switches to the large view strictly above LARGE_GRAPH_CELLS', () => {
    expect(LARGE_GRAPH_CELLS).toBe(10_000);
    expect(usesLargeView(0)).toBe(false);
    expect(usesLargeView(10_000)).toBe(false);
    expect(usesLargeView(10_001)).toBe(true);
    expect(usesLargeView(100_000)).toBe(true);
  });
});

describe('fitPositions', () => {
  it('fits the bounding box into the padded view, centred, with y flipped', () => {
    // x spans 10, y spans 5: scale = min((124 - 24) / 10, (124 - 24) / 5) = 10; y is centred (50 of 100 px).
    const xy = fitPositions(Float32Array.of(0, 0, 10, 5, 5, 2.5), 3, 124, 124, 12);
    expect(Array.from(xy)).toEqual([12, 124 - 37, 112, 124 - 87, 62, 62]);
  });

  it('puts non-finite positions at the centre and survives a single point', () => {
    const xy = fitPositions(Float32Array.of(NaN, 1, 3, 3), 2, 100, 50, 10);
    expect(xy[0]).toBe(50);
    expect(Number.isFinite(xy[2]!)).toBe(true);
    expect(Number.isFinite(xy[3]!)).toBe(true);
  });
});

describe('buildGrid and pickNearest', () => {
  const n = 5000;
  const rnd = lcg(3);
  // Points in and around a 300 x 200 view (some outside it: they go to border cells).
  const xy = new Float32Array(2 * n).map((_, k) => (k % 2 ? rnd() * 240 - 20 : rnd() * 360 - 30));
  const grid = buildGrid(xy, n, 300, 200, gridCellSize(n, 300, 200));

  it('holds every point once, in the cell that contains it (clamped to the border)', () => {
    expect(grid.start[grid.cols * grid.rows]).toBe(n);
    expect([...grid.items].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (let r = 0; r < grid.rows; r++)
      for (let c = 0; c < grid.cols; c++) {
        const g = c + grid.cols * r;
        for (let p = grid.start[g]!; p < grid.start[g + 1]!; p++) {
          const i = grid.items[p]!;
          const cc = Math.min(grid.cols - 1, Math.max(0, Math.floor(xy[2 * i]! / grid.cell)));
          const rr = Math.min(grid.rows - 1, Math.max(0, Math.floor(xy[2 * i + 1]! / grid.cell)));
          expect([cc, rr]).toEqual([c, r]);
        }
      }
  });

  it('finds the same nearest point within the radius as a brute-force search', () => {
    const q = lcg(11);
    let found = 0;
    for (let t = 0; t < 400; t++) {
      const x = q() * 400 - 50;
      const y = q() * 300 - 50;
      const radius = [0.5, 3, 8, 25][t % 4]!;
      const got = pickNearest(grid, x, y, radius);
      const want = bruteNearest(xy, x, y, radius);
      if (want >= 0) found++;
      // Equal distances may pick a different point; the distance must match.
      if (got !== want) {
        expect(got).toBeGreaterThanOrEqual(0);
        const d = (i: number) => (xy[2 * i]! - x) ** 2 + (xy[2 * i + 1]! - y) ** 2;
        expect(d(got)).toBe(d(want));
      }
    }
    expect(found).toBeGreaterThan(100);
  });

  it('answers -1 when nothing is within the radius, and for an empty grid', () => {
    const g = buildGrid(Float32Array.of(10, 10, 50, 50), 2, 100, 100, 10);
    expect(pickNearest(g, 10, 14, 5)).toBe(0);
    expect(pickNearest(g, 10, 16, 5)).toBe(-1);
    expect(pickNearest(g, 30, 30, 20)).toBe(-1); // 28.3 px from both
    expect(pickNearest(g, 30, 30, 29)).toBe(0); // a tie goes to the lower index
    expect(pickNearest(g, NaN, 30, 29)).toBe(-1);
    const empty: PointGrid = buildGrid(new Float32Array(0), 0, 100, 100, 10);
    expect(pickNearest(empty, 10, 10, 50)).toBe(-1);
  });

  it('finds a point outside the grid area from a pointer beyond the border', () => {
    const g = buildGrid(Float32Array.of(-40, 50, 50, 50), 2, 100, 100, 10);
    expect(pickNearest(g, -35, 50, 6)).toBe(0);
    expect(pickNearest(g, 2, 50, 6)).toBe(-1);
  });

  it('caps the grid size for a tiny cell', () => {
    expect(gridCellSize(10_000_000, 4000, 100)).toBeGreaterThanOrEqual(4000 / 1024);
    expect(gridCellSize(100_000, 720, 480)).toBe(4);
  });
});

describe('camera', () => {
  it('zooms about the pointer, which stays put, within the zoom limits', () => {
    const cam = zoomAt(IDENTITY_CAMERA, 100, 50, 2);
    expect(cam.k).toBe(2);
    const [bx, by] = toBase(cam, 100, 50);
    expect([bx, by]).toEqual([100, 50]);
    expect(toBase(cam, 120, 70)).toEqual([110, 60]);
    expect(zoomAt(IDENTITY_CAMERA, 0, 0, 1e9).k).toBe(MAX_ZOOM);
    expect(zoomAt(IDENTITY_CAMERA, 0, 0, 1e-9).k).toBe(MIN_ZOOM);
  });

  it('pans by screen pixels', () => {
    const cam = panBy(zoomAt(IDENTITY_CAMERA, 0, 0, 4), 8, -4);
    expect(toBase(cam, 8, -4)).toEqual([0, 0]);
  });
});

describe('clusterOrder', () => {
  it('groups cells by cluster, unassigned first, in cell order within a group', () => {
    const o = clusterOrder(Int32Array.of(2, 0, -1, 2, 0, -3), 6);
    expect(Array.from(o.labels)).toEqual([-1, 0, 2]);
    expect(Array.from(o.start)).toEqual([0, 2, 4, 6]);
    expect(Array.from(o.items)).toEqual([2, 5, 1, 4, 0, 3]);
  });

  it('puts every cell in one group without labels', () => {
    const o = clusterOrder(null, 3);
    expect(Array.from(o.labels)).toEqual([-1]);
    expect(Array.from(o.items)).toEqual([0, 1, 2]);
  });
});

describe('selectionEdgeBatches', () => {
  // Cells 0-2 in cluster 0, 3-4 in cluster 1; weights 1..5.
  const labels = Int32Array.of(0, 0, 0, 1, 1);
  const edges = toUndirected(5, {
    from: Int32Array.of(0, 1, 2, 3, 0),
    to: Int32Array.of(1, 2, 3, 4, 4),
    weight: Float32Array.of(1, 2, 3, 4, 5),
  });

  it('draws exactly the selected cluster’s edges: inside in its light tone, leaving it in grey', () => {
    const batches = selectionEdgeBatches(edges, labels, 0);
    const drawn = batches.flatMap((b) => Array.from(b.edges)).sort((a, b) => a - b);
    expect(drawn).toEqual(Array.from(selectionEdges(edges, labels, 0)));
    expect(drawn).toHaveLength(4); // 0-1, 1-2 inside; 2-3, 0-4 leaving
    for (const b of batches) {
      for (const e of b.edges) {
        const inside = labels[edges.src[e]!] === 0 && labels[edges.dst[e]!] === 0;
        expect(b.color).toBe(inside ? towardWhite(clusterColor(0), 0.45) : CROSS_EDGE_COLOR);
      }
    }
    // Width by weight: 1 -> 0.4 px (lightest), 5 -> 2 px (heaviest).
    const widthOf = (e: number) => batches.find((b) => b.edges.includes(e))!.width;
    const e01 = Array.from(edges.src).findIndex((s, e) => s === 0 && edges.dst[e] === 1);
    const e04 = Array.from(edges.src).findIndex((s, e) => s === 0 && edges.dst[e] === 4);
    expect(widthOf(e01)).toBeCloseTo(0.4);
    expect(widthOf(e04)).toBeCloseTo(2);
  });

  it('draws no edges without a selection or labels', () => {
    expect(selectionEdgeBatches(edges, labels, null)).toEqual([]);
    expect(selectionEdgeBatches(edges, null, 0)).toEqual([]);
    expect(selectionEdgeBatches(edges, labels, 7)).toEqual([]);
  });
});

type Call = [string, ...unknown[]];

function recorder() {
  const calls: Call[] = [];
  const state = { fillStyle: '', strokeStyle: '', globalAlpha: 1, lineWidth: 1 };
  const ctx = new Proxy(state, {
    get(target, prop: string) {
      if (prop in target) return target[prop as keyof typeof target];
      return (...args: unknown[]) => {
        calls.push([prop, ...args]);
        if (prop === 'fill') calls.push(['@fillStyle', target.fillStyle]);
        if (prop === 'stroke') calls.push(['@stroke', target.strokeStyle, target.lineWidth]);
      };
    },
    set(target, prop: string, value) {
      (target as Record<string, unknown>)[prop] = value;
      return true;
    },
  });
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

describe('drawScene', () => {
  const labels = Int32Array.of(0, 1, 0, -1);
  const edges = toUndirected(4, {
    from: Int32Array.of(0, 1),
    to: Int32Array.of(2, 2),
    weight: Float32Array.of(1, 1),
  });
  const xy = Float32Array.of(10, 10, 20, 20, 30, 30, 500, 500);
  const base = {
    width: 100,
    height: 100,
    dpr: 2,
    camera: IDENTITY_CAMERA,
    n: 4,
    xy,
    order: clusterOrder(labels, 4),
    edges,
  };

  it('draws every cluster in its colour, one path each, and skips points off screen', () => {
    const { ctx, calls } = recorder();
    const drawn = drawScene(ctx, { ...base, selected: null, batches: [] });
    expect(drawn).toEqual({ nodes: 3, edges: 0 });
    expect(calls[0]).toEqual(['setTransform', 2, 0, 0, 2, 0, 0]);
    expect(calls.filter((c) => c[0] === '@fillStyle').map((c) => c[1])).toEqual([
      UNASSIGNED_COLOR,
      clusterColor(0),
      clusterColor(1),
    ]);
    expect(calls.filter((c) => c[0] === 'rect')).toHaveLength(3); // cell 3 at (500, 500) is off screen
    expect(calls.some((c) => c[0] === 'stroke')).toBe(false);
  });

  it('with a selection: its edges first (leaving ones, then inside ones), the other clusters dimmed, the selected cluster on top', () => {
    const { ctx, calls } = recorder();
    const batches = selectionEdgeBatches(edges, labels, 0);
    const drawn = drawScene(ctx, { ...base, selected: 0, batches });
    expect(drawn.edges).toBe(2);
    const kinds = calls.filter((c) => c[0] === '@stroke' || c[0] === '@fillStyle');
    expect(kinds.map((c) => c[1])).toEqual([
      CROSS_EDGE_COLOR, // edge 1-2 leaving cluster 0
      towardWhite(clusterColor(0), 0.45), // edge 0-2 inside it, above
      DIMMED_COLOR, // unassigned
      DIMMED_COLOR, // cluster 1
      clusterColor(0), // the selection, last
    ]);
    // The edges' segments, at the cells' screen positions.
    expect(calls.filter((c) => c[0] === 'moveTo' || c[0] === 'lineTo')).toEqual([
      ['moveTo', 20, 20],
      ['lineTo', 30, 30],
      ['moveTo', 10, 10],
      ['lineTo', 30, 30],
    ]);
  });

  it('applies the camera to points', () => {
    const { ctx, calls } = recorder();
    drawScene(ctx, { ...base, camera: { k: 1, tx: -15, ty: 0 }, selected: null, batches: [] });
    // Cell 0 at x = 10 - 15 moves off screen (beyond its radius); cells 1 and 2 stay.
    expect(calls.filter((c) => c[0] === 'rect')).toHaveLength(2);
  });
});

describe('chunkRanges and EdgeAssembly (the edge list sent in parts)', () => {
  it('covers 0..length in order with ranges of at most the chunk size', () => {
    expect(chunkRanges(0, 4)).toEqual([]);
    expect(chunkRanges(3, 4)).toEqual([[0, 3]]);
    expect(chunkRanges(10, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(chunkRanges(8, 4)).toEqual([
      [0, 4],
      [4, 8],
    ]);
    expect(chunkRanges(2, 0)).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  const m = 11;
  const from = Int32Array.from({ length: m }, (_, e) => e);
  const to = Int32Array.from({ length: m }, (_, e) => 100 + e);
  const weight = Float32Array.from({ length: m }, (_, e) => e / 10);
  const send = (a: EdgeAssembly, gen: number, ranges: [number, number][]) => {
    for (const [x, y] of ranges) a.part(gen, x, from.slice(x, y), to.slice(x, y), weight.slice(x, y));
  };

  it('reassembles the list from its parts, in any order', () => {
    const a = new EdgeAssembly();
    a.begin(1, m);
    send(a, 1, chunkRanges(m, 4).reverse());
    const list = a.end(1)!;
    expect(Array.from(list.from)).toEqual(Array.from(from));
    expect(Array.from(list.to)).toEqual(Array.from(to));
    expect(Array.from(list.weight)).toEqual(Array.from(weight));
  });

  it('gives nothing while parts are missing, and ignores an older generation', () => {
    const a = new EdgeAssembly();
    a.begin(1, m);
    send(a, 1, chunkRanges(m, 4).slice(0, 2));
    expect(a.end(1)).toBeNull();
    a.begin(2, m); // a newer list
    send(a, 1, chunkRanges(m, 4)); // late parts of the old one
    expect(a.end(1)).toBeNull();
    expect(a.end(2)).toBeNull();
    send(a, 2, chunkRanges(m, 4));
    expect(a.end(2)?.from.length).toBe(m);
  });
});
