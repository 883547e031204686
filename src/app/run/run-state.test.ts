import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../engine/contract.ts';
import { applyRunEvents, idleRun, MAX_LOSS_POINTS, stageEta, type RunState } from './run-state.ts';

const running: RunState = { ...idleRun, status: 'running', startedAt: 0 };

describe('run state reducer', () => {
  it('tracks stages per iteration: start, progress, end', () => {
    const events: RunEvent[] = [
      { type: 'stage-start', stage: 'feature-ae', label: 'Feature autoencoder' },
      { type: 'stage-progress', stage: 'feature-ae', fraction: 0.5 },
      { type: 'stage-start', stage: 'graph', label: 'Cell graph', iteration: 1 },
      { type: 'stage-progress', stage: 'graph', fraction: 0.25, message: 'kNN' },
    ];
    const s = applyRunEvents(running, events, 1000);
    expect(s.stages.map((x) => [x.key, x.status, x.fraction, x.message])).toEqual([
      ['feature-ae#0', 'running', 0.5, null],
      ['graph#1', 'running', 0.25, 'kNN'],
    ]);
    const t = applyRunEvents(s, [{ type: 'stage-end', stage: 'graph', seconds: 2, iteration: 1 }], 3000);
    expect(t.stages[1]).toMatchObject({ status: 'done', fraction: 1, seconds: 2 });
    // Progress never goes backwards.
    const u = applyRunEvents(t, [{ type: 'stage-progress', stage: 'feature-ae', fraction: 0.1 }], 3000);
    expect(u.stages[0]!.fraction).toBe(0.5);
  });

  it('moves a bar by its progress events only, not by loss events', () => {
    const s = applyRunEvents(
      running,
      [
        { type: 'stage-start', stage: 'cluster-ae', label: 'Cluster autoencoders (4)', iteration: 1 },
        { type: 'loss', stage: 'cluster-ae', model: 'cluster-ae 2', epoch: 4, epochs: 10, loss: 1 },
      ],
      0,
    );
    expect(s.stages[0]!.fraction).toBe(0);
    expect(s.losses.map((c) => c.model)).toEqual(['cluster-ae 2']);
  });

  it('appends loss curves per model and thins them past the cap', () => {
    let s = running;
    const n = MAX_LOSS_POINTS + 10;
    const events: RunEvent[] = Array.from({ length: n }, (_, i) => ({
      type: 'loss' as const,
      stage: 'feature-ae' as const,
      model: i % 2 ? 'feature-ae' : 'cluster-ae 0',
      epoch: i,
      loss: i,
    }));
    s = applyRunEvents(s, events, 0);
    expect(s.losses.map((c) => c.model)).toEqual(['cluster-ae 0', 'feature-ae']);
    expect(s.losses[0]!.losses.slice(0, 3)).toEqual([0, 2, 4]);
    const big = applyRunEvents(
      running,
      Array.from({ length: n }, (_, i) => ({
        type: 'loss' as const,
        stage: 'feature-ae' as const,
        model: 'm',
        epoch: i,
        loss: i,
      })),
      0,
    );
    expect(big.losses[0]!.losses.length).toBeLessThanOrEqual(MAX_LOSS_POINTS);
    expect(big.losses[0]!.losses.at(-1)).toBeGreaterThan(MAX_LOSS_POINTS);
  });

  it('records iterations and keeps the latest snapshot', () => {
    const snap = {
      type: 'snapshot' as const,
      iteration: 2,
      nCells: 3,
      dims: 2,
      embedding: new Float32Array(6),
      labels: new Int32Array([0, 1, 1]),
      edges: { from: new Int32Array([0]), to: new Int32Array([1]), weight: new Float32Array([1]) },
      cellIds: ['a', 'b', 'c'],
    };
    const s = applyRunEvents(
      running,
      [
        { type: 'iteration', iteration: 1, nClusters: 2, agreement: 0, graphChange: 1, clusterSizes: [2, 1] },
        snap,
      ],
      0,
    );
    expect(s.iterations).toHaveLength(1);
    expect(s.iterations[0]!.clusterSizes).toEqual([2, 1]);
    expect(s.snapshot?.iteration).toBe(2);
    expect(s.snapshot?.cellIds).toEqual(['a', 'b', 'c']);
  });

  it('estimates the time left from the progress so far', () => {
    const s = applyRunEvents(
      running,
      [
        { type: 'stage-start', stage: 'ltmg', label: 'LTMG' },
        { type: 'stage-progress', stage: 'ltmg', fraction: 0.25 },
      ],
      1000,
    ).stages[0]!;
    expect(stageEta(s, 3000)).toBeCloseTo(6, 5); // 2 s for 25 % -> 6 s for the remaining 75 %
    expect(stageEta(s, 1200)).toBeNull(); // too early to say
  });

  it('measures the rate from the first progress event, not from the stage start', () => {
    const s = applyRunEvents(
      applyRunEvents(
        applyRunEvents(running, [{ type: 'stage-start', stage: 'ltmg', label: 'LTMG' }], 0),
        [{ type: 'stage-progress', stage: 'ltmg', fraction: 0.05 }],
        1500, // 1.5 s of setting up before any progress
      ),
      [{ type: 'stage-progress', stage: 'ltmg', fraction: 0.25 }],
      3000,
    ).stages[0]!;
    // 20 % in 1.5 s -> 0.75 / (0.2 / 1.5) = 5.625 s left at 3 s, 0.5 s less half a second later.
    expect(stageEta(s, 3000)).toBeCloseTo(5.625, 5);
    expect(stageEta(s, 3500)).toBeCloseTo(5.125, 5);
    // From the stage start it would have said 3 x 0.75 / 0.25 = 9 s.
  });
});
