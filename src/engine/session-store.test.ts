/**
 * The in-memory session store (session-store.ts): get / set / del by key, values kept as given (not cloned),
 * independent stores.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from './session-store.ts';

describe('memory session store (session-store.ts)', () => {
  it('stores, returns, overwrites and deletes values by key', async () => {
    const s = memoryStore();
    expect(await s.get('dataset')).toBeUndefined();
    const params = { seed: 3 };
    await s.set('params', params);
    await s.set('results', Float32Array.of(1, 2));
    expect(s.size()).toBe(2);
    expect(await s.get('params')).toBe(params); // the same object, not a clone
    expect([...(await s.get<Float32Array>('results'))!]).toEqual([1, 2]);
    await s.set('params', { seed: 4 });
    expect(await s.get('params')).toEqual({ seed: 4 });
    expect(s.size()).toBe(2);
    await s.del('params');
    await s.del('dataset'); // absent: no error
    expect(await s.get('params')).toBeUndefined();
    expect(s.size()).toBe(1);
    expect(memoryStore().size()).toBe(0);
  });
});
