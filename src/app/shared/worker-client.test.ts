/**
 * The shared worker client, in Node: a MessageChannel stands in for the Worker (the far port exposes an API
 * with Comlink). Calls go through; calls in flight reject when the worker is terminated (AbortError) or fails
 * (its message), and are not left pending; the next call starts a fresh worker.
 */
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerClient, isWorkerStopped } from './worker-client.ts';

interface Api {
  echo(x: number): Promise<number>;
  never(): Promise<number>;
}

const ports: MessagePort[] = [];

/** A fake Worker: the near port of a channel whose far port serves `Api`. */
function fakeWorker(): Worker {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  Comlink.expose(
    { echo: async (x: number) => x * 2, never: () => new Promise<number>(() => {}) } satisfies Api,
    port2,
  );
  return Object.assign(port1, { terminate: () => port1.close() }) as unknown as Worker;
}

afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

describe('createWorkerClient', () => {
  it('starts lazily, answers calls, and rejects calls in flight when terminated', async () => {
    let starts = 0;
    const client = createWorkerClient<Api>({ label: 'test', start: () => (starts++, fakeWorker()) });
    expect(client.ifStarted()).toBeNull();
    expect(starts).toBe(0);
    expect(await client.get().echo(21)).toBe(42);
    expect(starts).toBe(1);
    const pending = client.get().never();
    client.terminate();
    await expect(pending).rejects.toSatisfy(isWorkerStopped);
    expect(client.ifStarted()).toBeNull();
    expect(await client.get().echo(2)).toBe(4);
    expect(starts).toBe(2);
    const again = client.get().never();
    client.restart();
    await expect(again).rejects.toThrow(/test worker was stopped/);
    expect(starts).toBe(3);
    client.terminate();
  });

  it('rejects calls in flight with the failure message when the worker fails, and tells listeners', async () => {
    let worker: Worker | null = null;
    const client = createWorkerClient<Api>({ label: 'test', start: () => (worker = fakeWorker()) });
    const messages: string[] = [];
    client.onFailure((m) => messages.push(m));
    const pending = client.get().never();
    const event = Object.assign(new Event('error'), { message: 'boom' });
    worker!.dispatchEvent(event);
    await expect(pending).rejects.toThrow('The test worker failed: boom');
    expect(isWorkerStopped(await pending.catch((e: unknown) => e))).toBe(false);
    expect(messages).toEqual(['The test worker failed: boom']);
    client.terminate();
  });
});
