import { describe, expect, it } from 'vitest';
import { deepMerge } from './deep-merge.ts';

interface Shape {
  a: number;
  nested: { b: string; c: number; deeper: { d: boolean; e: number } };
  list: number[];
  weights: Float32Array;
  maybe?: { f: number } | null;
}

const base = (): Shape => ({
  a: 1,
  nested: { b: 'x', c: 2, deeper: { d: true, e: 3 } },
  list: [1, 2, 3],
  weights: new Float32Array([1, 2, 3]),
  maybe: { f: 4 },
});

describe('deepMerge', () => {
  it('merges nested objects key by key', () => {
    expect(deepMerge(base(), { nested: { c: 5, deeper: { e: 6 } } })).toEqual({
      ...base(),
      nested: { b: 'x', c: 5, deeper: { d: true, e: 6 } },
    });
  });

  it('replaces arrays and typed arrays instead of merging them', () => {
    const weights = new Float32Array([9]);
    const out = deepMerge(base(), { list: [7], weights });
    expect(out.list).toEqual([7]);
    expect(out.weights).toBe(weights);
  });

  it('leaves the base value where the override has undefined; null replaces', () => {
    const out = deepMerge(base(), { a: undefined, nested: { b: undefined }, maybe: null });
    expect(out.a).toBe(1);
    expect(out.nested.b).toBe('x');
    expect(out.maybe).toBeNull();
    expect(deepMerge(base(), undefined)).toEqual(base());
    expect(deepMerge(base(), {})).toEqual(base());
  });

  it('adds keys the base lacks, and a plain object replaces a non-object', () => {
    const out = deepMerge<Record<string, unknown>>({ a: 1, b: [1] }, { c: { d: 2 }, b: { x: 1 } });
    expect(out).toEqual({ a: 1, b: { x: 1 }, c: { d: 2 } });
  });

  it('mutates neither input and shares no merged object with them', () => {
    const b = base();
    const o = { nested: { deeper: { e: 8 } }, list: [4] };
    const before = JSON.stringify([b, o]);
    const out = deepMerge(b, o);
    expect(JSON.stringify([b, o])).toBe(before);
    expect(out.nested).not.toBe(b.nested);
    expect(out.nested.deeper).not.toBe(b.nested.deeper);
    expect(out.nested.deeper).not.toBe(o.nested.deeper);
    out.nested.deeper.e = 0;
    expect(b.nested.deeper.e).toBe(3);
    expect(o.nested.deeper.e).toBe(8);
  });
});
