/**
 * The IndexedDB session store (idb-store.ts): Node has no IndexedDB, so idb-keyval is replaced by a mock that
 * records calls; the test checks the wiring: one store "scgnn-web" / "session", and get / set / del passed
 * through with that store.
 */
import { describe, expect, it, vi } from 'vitest';

const calls: unknown[][] = [];
vi.mock('idb-keyval', () => ({
  createStore: (db: string, store: string) => {
    calls.push(['createStore', db, store]);
    return `store:${db}/${store}`;
  },
  get: async (key: string, store: string) => {
    calls.push(['get', key, store]);
    return key === 'params' ? { seed: 7 } : undefined;
  },
  set: async (key: string, value: unknown, store: string) => {
    calls.push(['set', key, value, store]);
  },
  del: async (key: string, store: string) => {
    calls.push(['del', key, store]);
  },
}));

const { idbStore } = await import('./idb-store.ts');

describe('IndexedDB session store (idb-store.ts)', () => {
  it('opens one scgnn-web/session store and passes get, set and del through', async () => {
    const s = idbStore();
    expect(await s.get('params')).toEqual({ seed: 7 });
    expect(await s.get('dataset')).toBeUndefined();
    await s.set('results', 42);
    await s.del('results');
    const store = 'store:scgnn-web/session';
    expect(calls).toEqual([
      ['createStore', 'scgnn-web', 'session'],
      ['get', 'params', store],
      ['get', 'dataset', store],
      ['set', 'results', 42, store],
      ['del', 'results', store],
    ]);
  });
});
