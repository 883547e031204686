/**
 * What the engine worker sends the page, prepared so that the page's thread copies nothing. A snapshot carries
 * the clustered embedding (100,000 cells x 128 dims = 51 MB), the labels and the cell graph's edges, and the
 * finished run's results carry the last snapshot again. Cloned, the page's thread would copy all of it while
 * deserialising the message (measured in headless Chromium on the 2-core machine: 250-350 ms at 100,000 cells,
 * page allocations included). Instead the worker makes fresh copies of those arrays and transfers their
 * buffers: the copying happens in the worker, and the page receives them as they are. The engine keeps its own
 * arrays (its last snapshot is part of the run's results).
 */
import type { GraphSnapshot, RunEvent, RunResults } from './contract.ts';

/** A copy of a snapshot whose arrays are fresh, and their buffers (to transfer). */
export function transferableSnapshot(s: GraphSnapshot): { snapshot: GraphSnapshot; buffers: ArrayBuffer[] } {
  const embedding = s.embedding.slice();
  const labels = s.labels.slice();
  const edges = { from: s.edges.from.slice(), to: s.edges.to.slice(), weight: s.edges.weight.slice() };
  return {
    snapshot: { ...s, embedding, labels, edges },
    buffers: [embedding.buffer, labels.buffer, edges.from.buffer, edges.to.buffer, edges.weight.buffer],
  };
}

/** An event ready to post, with the buffers that may be transferred (none for anything but a snapshot). */
export function transferableEvent(e: RunEvent): {
  readonly event: RunEvent;
  readonly buffers: ArrayBuffer[];
} {
  if (e.type !== 'snapshot') return { event: e, buffers: [] };
  const { snapshot, buffers } = transferableSnapshot(e);
  return { event: { ...snapshot, type: 'snapshot' }, buffers };
}

/** A finished run's results with fresh arrays (snapshot, per-iteration labels, layout), and their buffers. */
export function transferableResults(r: RunResults): { results: RunResults; buffers: ArrayBuffer[] } {
  const { snapshot, buffers } = transferableSnapshot(r.snapshot);
  const iterationLabels = r.iterationLabels.map((l) => l.slice());
  const layout = r.layout ? r.layout.slice() : null;
  buffers.push(...iterationLabels.map((l) => l.buffer));
  if (layout) buffers.push(layout.buffer);
  return { results: { ...r, snapshot, iterationLabels, layout }, buffers };
}
