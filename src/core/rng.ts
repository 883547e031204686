/**
 * Seeded random numbers for everything stochastic in the core (initialisation, sampling, shuffles, dropout
 * simulation): the same seed gives the same run. `Math.random` is banned in src/core and src/io by lint.
 *
 * The generator is mulberry32 (32-bit state, period 2^32): small, fast, and good enough for sampling and
 * initialisation. `fork(label)` derives an independent stream per stage, so adding a random draw in one stage
 * does not shift the numbers of another.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** An independent generator derived from this one's seed and a label. */
  fork(label: string): Rng;
  /** The seed this generator started from. */
  readonly seed: number;
}

/** FNV-1a hash of a string, for deriving fork seeds. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seeded generator. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed: seed >>> 0,
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    fork: (label) => createRng((hashString(label) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0),
  };
}
