import { describe, expect, it } from 'vitest';
import { createRng } from './rng.ts';

describe('seeded RNG', () => {
  it('repeats for the same seed and differs across seeds and forks', () => {
    const a = createRng(1);
    const b = createRng(1);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(createRng(2).next()).not.toBe(xs[0]);
    expect(createRng(1).fork('knn').next()).toBe(createRng(1).fork('knn').next());
    expect(createRng(1).fork('knn').next()).not.toBe(createRng(1).fork('kmeans').next());
  });

  it('draws uniform, integer and normal numbers with the right moments', () => {
    const rng = createRng(7);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      counts[rng.int(4)]!++;
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.05);
    for (const c of counts) expect(Math.abs(c / n - 0.25)).toBeLessThan(0.02);
  });
});
