/**
 * Test-only page for scripts/bench-view.ts (served by `vite` in dev, never built): a synthetic result of N
 * cells (?n=, default 100,000; 12 clusters, a 32-D embedding, a k = 10 graph within clusters) fed to the
 * cell graph view and the layout worker without running the pipeline. It records main-thread long tasks
 * (PerformanceObserver 'longtask') while the view mounts (time to first draw = until sigma's first render),
 * while a cluster is selected (until its edges are drawn), and while the layout converges (positions
 * streamed into the view), in `window.__viewBench`, with the view's path (`data-view`: sigma or large).
 */
import { createRoot } from 'react-dom/client';
import { useEffect, useState } from 'react';
import { GraphView } from '../src/app/graph/GraphView.tsx';
import { layoutCells } from '../src/app/graph/layout-client.ts';
import { GraphPanel } from '../src/app/graph/GraphPanel.tsx';
import { layoutSnapshot } from '../src/app/graph/layout-actions.ts';
import { applyRunEvents, idleRun } from '../src/app/run/run-state.ts';
import { patchState, useAppStore } from '../src/app/store.ts';
import type { RunEvent } from '../src/engine/contract.ts';
import { transferableEvent } from '../src/engine/transfer-events.ts';

const n = Number(new URLSearchParams(location.search).get('n') ?? 100_000);
const DIMS = 32;
const K = 10;
const CLUSTERS = 12;

interface Phase {
  name: string;
  ms: number;
  longest: number;
  count: number;
  /** Where the long tasks' time went (Long Animation Frame script attribution, where the browser has it). */
  attribution: string[];
}
const out: {
  phases: Phase[];
  steps: string[];
  done: boolean;
  error?: string;
  view?: string;
  drawnEdges?: string;
} = {
  phases: [],
  steps: [],
  done: false,
};
(window as unknown as { __viewBench: typeof out }).__viewBench = out;

let tasks: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) tasks.push(e.duration);
}).observe({ type: 'longtask', buffered: false });
// Long animation frames (Chromium 123+): which scripts ran long, for the report (blocking frames only).
interface LoafScript {
  duration: number;
  invoker?: string;
  sourceURL?: string;
  sourceFunctionName?: string;
  forcedStyleAndLayoutDuration?: number;
}
let attribution: string[] = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & {
      blockingDuration?: number;
      renderStart?: number;
      styleAndLayoutStart?: number;
      scripts?: LoafScript[];
    })[]) {
      if (!e.blockingDuration || e.duration < 100) continue;
      const scripts = (e.scripts ?? [])
        .filter((x) => x.duration >= 10)
        .map(
          (x) =>
            `${Math.round(x.duration)} ms ${x.invoker ?? ''} ${x.sourceFunctionName ?? ''} ${(x.sourceURL ?? '').replace(/^.*\//, '')}`,
        );
      const render = e.renderStart ? Math.round(e.startTime + e.duration - e.renderStart) : 0;
      attribution.push(
        `frame ${Math.round(e.duration)} ms (render ${render} ms): ${scripts.join('; ') || '-'}`,
      );
    }
  }).observe({ type: 'long-animation-frame', buffered: false });
} catch {
  // not supported: no attribution
}
const phase = async (name: string, fn: () => Promise<void>): Promise<void> => {
  tasks = [];
  attribution = [];
  const t0 = performance.now();
  await fn();
  await new Promise((r) => setTimeout(r, 200)); // let trailing tasks be reported
  out.phases.push({
    name,
    ms: Math.round(performance.now() - t0),
    longest: Math.round(Math.max(0, ...tasks)),
    count: tasks.length,
    attribution,
  });
};
const frames = (k: number) =>
  new Promise<void>((r) => {
    const f = () => (--k <= 0 ? r() : requestAnimationFrame(f));
    requestAnimationFrame(f);
  });

// Synthetic data (made before any phase is timed).
let seed = 7;
const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const labels = new Int32Array(n).map((_, i) => i % CLUSTERS);
const embedding = new Float32Array(n * DIMS).map(
  (_, x) => (x % DIMS === labels[(x / DIMS) | 0] ? 4 : 0) + rnd(),
);
const positions = new Float32Array(n * 2).map(
  (_, x) => (x % 2 ? Math.sin(labels[x >> 1]!) : Math.cos(labels[x >> 1]!)) * 10 + rnd() * 3,
);
const from = new Int32Array(n * K);
const to = new Int32Array(n * K);
for (let i = 0; i < n; i++)
  for (let j = 0; j < K; j++) {
    from[i * K + j] = i;
    to[i * K + j] = (i + CLUSTERS * (1 + Math.floor(rnd() * 200))) % n;
  }
const edges = { from, to, weight: new Float32Array(n * K).fill(1) };
const cellIds = Array.from({ length: n }, (_, i) => `cell-${i}`);

let setPositions: (p: Float32Array) => void = () => {};
function Bench() {
  const [pos, setPos] = useState<Float32Array>(positions);
  useEffect(() => {
    setPositions = setPos;
  }, []);
  return <GraphView nCells={n} cellIds={cellIds} positions={pos} labels={labels} edges={edges} />;
}

async function main(): Promise<void> {
  await frames(5);
  await phase('mount + first draw', async () => {
    createRoot(document.getElementById('root')!).render(<Bench />);
    for (;;) {
      await frames(1);
      if (
        document.querySelector('[data-testid="graph-view"]')?.getAttribute('data-drawn-nodes') === String(n)
      )
        break;
    }
    await frames(2);
  });
  await phase('select cluster 0 (its edges drawn)', async () => {
    (document.querySelector('[data-testid="legend-0"]') as HTMLButtonElement).click();
    // Until its edges are drawn (the large view draws in a worker, after the click's task).
    const view = document.querySelector('[data-testid="graph-view"]');
    const t0 = performance.now();
    while (view?.getAttribute('data-drawn-edges') === '0' && performance.now() - t0 < 30_000) await frames(1);
    await frames(3);
  });
  await phase('UMAP from the graph, positions streamed to the view', async () => {
    const result = await layoutCells(
      { nCells: n, dims: DIMS, embedding, graph: edges, seed: 1, ...(n > 50_000 ? { epochs: 30 } : {}) },
      (p) => setPositions(p.positions),
    );
    if (!result.ok) throw new Error(result.error.message);
    setPositions(result.value);
    await frames(3);
  });
  out.view = document.querySelector('[data-testid="graph-view"]')?.getAttribute('data-view') ?? undefined;
  out.drawnEdges =
    document.querySelector('[data-testid="graph-view"]')?.getAttribute('data-drawn-edges') ?? undefined;
  await runSnapshotPhases();
  out.done = true;
}

/**
 * What the page does with an iteration's snapshot during a run (128-D embedding as the feature AE's): the
 * message arrives (its arrays transferred, the cell ids cloned), the store takes it, the panel re-renders the
 * preview, and the layout request goes to the layout worker. Each step in a task of its own, as in the page.
 */
async function runSnapshotPhases(): Promise<void> {
  const dims = 128;
  const emb = new Float32Array(n * dims).map((_, x) => (x % dims === labels[(x / dims) | 0] ? 4 : 0) + rnd());
  const snap: RunEvent = {
    type: 'snapshot',
    iteration: 1,
    nCells: n,
    dims,
    embedding: emb,
    unitLength: true,
    labels,
    edges,
    cellIds,
  };
  patchState({ run: { ...idleRun, status: 'running' } });
  const panel = document.createElement('div');
  document.body.appendChild(panel);
  createRoot(panel).render(<GraphPanel />);
  await frames(2);
  let received: RunEvent | null = null;
  await phase('run snapshot: message received (arrays transferred)', async () => {
    const t0 = performance.now();
    const { event, buffers } = transferableEvent(snap);
    const t1 = performance.now();
    const channel = new MessageChannel();
    const got = new Promise<RunEvent>((r) => (channel.port2.onmessage = (e) => r(e.data as RunEvent)));
    channel.port1.postMessage(event, buffers);
    const t2 = performance.now();
    received = await got;
    const t3 = performance.now();
    channel.port1.close();
    out.steps.push(
      `copies ${Math.round(t1 - t0)} ms, post ${Math.round(t2 - t1)} ms, receive ${Math.round(t3 - t2)} ms`,
    );
    const t4 = performance.now();
    structuredClone(cellIds);
    out.steps.push(`structuredClone of ${n} cell ids ${Math.round(performance.now() - t4)} ms`);
  });
  await phase('run snapshot: store and panel render', async () => {
    const state = useAppStore.getState();
    patchState({ run: applyRunEvents(state.run, [received!], performance.now()) });
    await frames(3);
  });
  await phase('run snapshot: layout request sent', async () => {
    const t1 = performance.now();
    const done = layoutSnapshot(useAppStore.getState().run.snapshot!);
    out.steps.push(`layoutSnapshot call ${Math.round(performance.now() - t1)} ms`);
    await frames(3);
    void done;
  });
}
main().catch((e: unknown) => {
  out.error = String(e);
  out.view = document.querySelector('[data-testid="graph-view"]')?.getAttribute('data-view') ?? undefined;
  out.drawnEdges =
    document.querySelector('[data-testid="graph-view"]')?.getAttribute('data-drawn-edges') ?? undefined;
  out.done = true;
});
