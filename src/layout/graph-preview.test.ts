/**
 * The preview's drawing, on a recording stand-in for a canvas 2D context (no OffscreenCanvas in Node): the
 * calls are the observable output. Expected geometry by hand: a 124 x 124 canvas with 12 px padding leaves
 * 100 px; positions spanning 10 units in x and y give scale 10 and offsets 12, and y is flipped
 * (py = 124 − (12 + 10·y)). Node radius: max(1.5, min(4, 50/√n)) = 4 for n = 3.
 */
import { describe, expect, it } from 'vitest';
import { drawGraphPreview, type PreviewGraph } from './graph-preview.ts';
import { UNASSIGNED_COLOR, clusterColor } from './palette.ts';

type Call = [string, ...unknown[]];

/** Records method calls and, at each call, the fill/stroke style and alpha in force. */
function recorder() {
  const calls: Call[] = [];
  const state = { fillStyle: '', strokeStyle: '', globalAlpha: 1, lineWidth: 1 };
  const ctx = new Proxy(state, {
    get(target, prop: string) {
      if (prop in target) return target[prop as keyof typeof target];
      return (...args: unknown[]) => {
        calls.push([prop, ...args]);
        if (prop === 'fill') calls.push(['@fillStyle', target.fillStyle]);
        if (prop === 'stroke') calls.push(['@alpha', target.globalAlpha]);
      };
    },
    set(target, prop: string, value) {
      (target as Record<string, unknown>)[prop] = value;
      return true;
    },
  });
  return { calls, ctx: ctx as unknown as CanvasRenderingContext2D };
}

const graph: PreviewGraph = {
  nCells: 3,
  labels: Int32Array.of(0, 1, -1),
  edges: { from: Int32Array.of(0, 1), to: Int32Array.of(1, 2), weight: Float32Array.of(2, 1) },
};
const positions = Float32Array.of(0, 0, 10, 0, 0, 10);

describe('drawGraphPreview', () => {
  it('clears to white, draws edges with alpha by weight, then nodes in cluster colours', () => {
    const { calls, ctx } = recorder();
    drawGraphPreview(ctx, 124, 124, positions, graph);
    expect(calls[0]).toEqual(['fillRect', 0, 0, 124, 124]);

    const moves = calls.filter((c) => c[0] === 'moveTo' || c[0] === 'lineTo');
    expect(moves).toEqual([
      ['moveTo', 12, 112],
      ['lineTo', 112, 112],
      ['moveTo', 112, 112],
      ['lineTo', 12, 12],
    ]);
    // alpha = 0.15 + 0.45 · w / max w: 0.6 for weight 2, 0.375 for weight 1.
    const alphas = calls.filter((c) => c[0] === '@alpha').map((c) => c[1] as number);
    expect(alphas[0]).toBeCloseTo(0.6, 10);
    expect(alphas[1]).toBeCloseTo(0.375, 10);

    const arcs = calls.filter((c) => c[0] === 'arc');
    expect(arcs.map((c) => c.slice(1, 4))).toEqual([
      [12, 112, 4],
      [112, 112, 4],
      [12, 12, 4],
    ]);
    const fills = calls.filter((c) => c[0] === '@fillStyle').map((c) => c[1]);
    expect(fills).toEqual([clusterColor(0), clusterColor(1), UNASSIGNED_COLOR]);
    // Edges come before nodes.
    const lastStroke = calls.map((c) => c[0]).lastIndexOf('stroke');
    const firstArc = calls.findIndex((c) => c[0] === 'arc');
    expect(lastStroke).toBeLessThan(firstArc);
  });

  it('centres the shorter axis and keeps the aspect ratio', () => {
    const { calls, ctx } = recorder();
    // x spans 10, y spans 0 -> scale from x: (224 − 24) / 10 = 20; oy = 124 / 2 = 62, py = 124 − 62 = 62.
    drawGraphPreview(ctx, 224, 124, Float32Array.of(0, 5, 10, 5), {
      nCells: 2,
      labels: Int32Array.of(0, 0),
      edges: { from: new Int32Array(0), to: new Int32Array(0), weight: new Float32Array(0) },
    });
    const arcs = calls.filter((c) => c[0] === 'arc').map((c) => c.slice(1, 3));
    expect(arcs).toEqual([
      [12, 62],
      [212, 62],
    ]);
  });

  it('only clears when the positions do not match the cell count', () => {
    const { calls, ctx } = recorder();
    drawGraphPreview(ctx, 50, 40, Float32Array.of(0, 0), graph);
    expect(calls).toEqual([['fillRect', 0, 0, 50, 40]]);
  });
});
