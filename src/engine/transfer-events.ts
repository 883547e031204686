/**
 * Run events as they cross from the engine worker to the page. A snapshot carries the clustered embedding
 * (100,000 cells x 128 dims = 51 MB), the labels and the cell graph's edges; cloned, the page's thread would
 * copy all of it while deserialising the message. Instead the worker sends fresh copies of those arrays and
 * transfers their buffers: the copying happens in the worker, and the page receives them without a copy. The
 * engine keeps its own arrays (its last snapshot is part of the run's results).
 */
import type { RunEvent } from './contract.ts';

/** An event ready to post, with the buffers that may be transferred (none for anything but a snapshot). */
export function transferableEvent(e: RunEvent): { readonly event: RunEvent; readonly buffers: ArrayBuffer[] } {
  if (e.type !== 'snapshot') return { event: e, buffers: [] };
  const embedding = e.embedding.slice();
  const labels = e.labels.slice();
  const edges = { from: e.edges.from.slice(), to: e.edges.to.slice(), weight: e.edges.weight.slice() };
  return {
    event: { ...e, embedding, labels, edges },
    buffers: [embedding.buffer, labels.buffer, edges.from.buffer, edges.to.buffer, edges.weight.buffer],
  };
}
