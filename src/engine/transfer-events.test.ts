import { describe, expect, it } from 'vitest';
import type { RunEvent } from './contract.ts';
import { transferableEvent, transferableResults } from './transfer-events.ts';

describe('transferableEvent', () => {
  it('passes progress events through with nothing to transfer', () => {
    const e: RunEvent = { type: 'stage-progress', stage: 'ltmg', fraction: 0.5 };
    const out = transferableEvent(e);
    expect(out.event).toBe(e);
    expect(out.buffers).toEqual([]);
  });

  it('copies a snapshot’s arrays and lists their buffers, leaving the engine’s arrays intact', () => {
    const snap = {
      type: 'snapshot' as const,
      iteration: 2,
      nCells: 3,
      dims: 2,
      embedding: new Float32Array([1, 2, 3, 4, 5, 6]),
      unitLength: true,
      labels: new Int32Array([0, 1, 1]),
      edges: { from: new Int32Array([0, 1]), to: new Int32Array([1, 2]), weight: new Float32Array([0.5, 1]) },
      cellIds: ['a', 'b', 'c'],
    };
    const { event, buffers } = transferableEvent(snap);
    if (event.type !== 'snapshot') throw new Error('expected a snapshot');
    expect(buffers).toHaveLength(5);
    expect(buffers).toContain(event.embedding.buffer);
    expect(buffers).toContain(event.edges.weight.buffer);
    expect(event.embedding).not.toBe(snap.embedding);
    expect([...event.embedding]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...event.labels]).toEqual([0, 1, 1]);
    expect([...event.edges.to]).toEqual([1, 2]);
    expect(event.cellIds).toEqual(['a', 'b', 'c']);
    expect(event.iteration).toBe(2);
    // Transferring the copies (as postMessage does) detaches them, not the engine's arrays.
    structuredClone(event, { transfer: buffers });
    expect(event.embedding.length).toBe(0);
    expect([...snap.embedding]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...snap.edges.from]).toEqual([0, 1]);
  });

  it('prepares a run’s results: fresh snapshot arrays, per-iteration labels and layout, all listed', () => {
    const snapshot = {
      iteration: 3,
      nCells: 2,
      dims: 1,
      embedding: Float32Array.from([1, 2]),
      labels: Int32Array.from([0, 1]),
      edges: { from: Int32Array.from([0]), to: Int32Array.from([1]), weight: Float32Array.from([1]) },
      cellIds: ['a', 'b'],
    };
    const layout = Float32Array.from([0, 1, 2, 3]);
    const iterationLabels = [Int32Array.from([0, 0]), Int32Array.from([0, 1])];
    const r = { summary: {} as never, iterationLabels, snapshot, layout };
    const { results, buffers } = transferableResults(r);
    expect(buffers).toHaveLength(5 + 2 + 1);
    expect(results.snapshot.embedding).not.toBe(snapshot.embedding);
    expect([...results.snapshot.embedding]).toEqual([1, 2]);
    expect(results.iterationLabels.map((l) => [...l])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect([...results.layout!]).toEqual([0, 1, 2, 3]);
    structuredClone(results, { transfer: buffers });
    expect(layout.length).toBe(4);
    expect(iterationLabels[1]!.length).toBe(2);
    expect(transferableResults({ ...r, layout: null }).buffers).toHaveLength(7);
  });
});
