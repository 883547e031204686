/** The Result constructors: expected values are the literal objects the helpers are documented to build. */
import { describe, expect, it } from 'vitest';
import { err, ok, type Result } from './common.ts';

describe('ok / err', () => {
  it('ok wraps a value', () => {
    expect(ok(5)).toEqual({ ok: true, value: 5 });
    const arr = new Float32Array([1, 2]);
    expect(ok(arr).value).toBe(arr); // the same object, not a copy
  });

  it('err carries a code and a message', () => {
    expect(err('bad-request', 'nCells must be > 0')).toEqual({
      ok: false,
      error: { code: 'bad-request', message: 'nCells must be > 0' },
    });
  });

  it('both narrow as a Result', () => {
    const results: Result<number>[] = [ok(1), err('internal', 'x')];
    const values = results.map((r) => (r.ok ? r.value : r.error.code));
    expect(values).toEqual([1, 'internal']);
  });
});
