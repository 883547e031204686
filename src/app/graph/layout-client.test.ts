import { describe, expect, it } from 'vitest';
import { transferableRequest } from './layout-client.ts';

describe('transferableRequest', () => {
  it('copies every array of the request into its own buffer, listed for transfer; the original is kept', () => {
    const request = {
      nCells: 3,
      dims: 2,
      embedding: Float32Array.from([1, 2, 3, 4, 5, 6]),
      graph: {
        from: Int32Array.from([0, 1]),
        to: Int32Array.from([1, 2]),
        weight: Float32Array.from([1, 1]),
      },
      init: Float32Array.from([0, 0, 1, 1, 2, 2]),
      seed: 4,
    };
    const { request: sent, buffers } = transferableRequest(request);
    expect(buffers).toHaveLength(5);
    expect(Array.from(sent.embedding)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(sent.graph!.to)).toEqual([1, 2]);
    expect(Array.from(sent.init!)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(sent.seed).toBe(4);
    expect(sent.knnIndices).toBeUndefined();
    for (const a of [sent.embedding, sent.graph!.from, sent.graph!.to, sent.graph!.weight, sent.init!])
      expect(buffers).toContain(a.buffer);
    expect(buffers).not.toContain(request.embedding.buffer);
    // Transferring detaches the copies only: structuredClone with transfer stands in for postMessage.
    structuredClone(sent, { transfer: buffers });
    expect(sent.embedding.length).toBe(0);
    expect(request.embedding.length).toBe(6);
  });

  it('with giveEmbedding transfers the embedding itself (no copy), unless it is a view of a larger buffer', () => {
    const embedding = Float32Array.from([1, 2, 3, 4]);
    const graph = { from: Int32Array.from([0]), to: Int32Array.from([1]), weight: Float32Array.from([1]) };
    const { request: sent, buffers } = transferableRequest(
      { nCells: 2, dims: 2, embedding, graph, seed: 1 },
      true,
    );
    expect(sent.embedding).toBe(embedding);
    expect(buffers).toContain(embedding.buffer);
    expect(sent.graph!.from).not.toBe(graph.from);
    structuredClone(sent, { transfer: buffers });
    expect(embedding.length).toBe(0); // given away
    expect(graph.from.length).toBe(1); // kept
    // A view into a larger buffer is copied even so (transferring would give away the rest of the buffer).
    const big = new Float32Array(8);
    const view = big.subarray(0, 4);
    const viewed = transferableRequest({ nCells: 2, dims: 2, embedding: view, seed: 1 }, true);
    expect(viewed.request.embedding).not.toBe(view);
    expect(viewed.buffers).not.toContain(big.buffer);
  });
});
