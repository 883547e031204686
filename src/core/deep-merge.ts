/**
 * The one deep merge of parameter sets (ScgnnParams over its defaults, preset over preset): plain objects are
 * merged key by key, anything else in the override (numbers, strings, arrays, typed arrays, null) replaces the
 * base value, and `undefined` leaves it. Neither input is mutated; merged objects are fresh copies.
 */

/** Every key optional, recursively (arrays and typed arrays are replaced whole, so their type is kept). */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** `base` with `override` merged in (override wins; see the module comment). */
export function deepMerge<T>(base: T, override: DeepPartial<T> | undefined): T {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === undefined) return a;
    if (!isPlainObject(a) || !isPlainObject(b)) return b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
    return out;
  };
  return merge(base, override) as T;
}
