/** Command-line parsing (args.ts): `--thin`, the thinning protocol's probability, and its limits. */
import { describe, expect, it } from 'vitest';
import { parseCli } from './args.ts';

describe('parseCli --thin', () => {
  it('takes a probability in (0, 1) for eval and turns the default dropout off', () => {
    const o = parseCli(['eval', 'x.csv', '--thin', '0.2']);
    expect(o.thin).toBe(0.2);
    expect(o.dropout).toBe(0);
    const plain = parseCli(['eval', 'x.csv']);
    expect(plain.thin).toBeNull();
    expect(plain.dropout).toBe(0.1);
  });

  it('refuses values outside (0, 1), a missing value, and commands other than eval', () => {
    for (const p of ['0', '1', '-0.2', '1.5', 'abc'])
      expect(() => parseCli(['eval', 'x.csv', '--thin', p])).toThrow(/--thin must be in \(0, 1\)/);
    expect(() => parseCli(['eval', 'x.csv', '--thin'])).toThrow(/--thin needs a value/);
    expect(() => parseCli(['run', 'x.csv', '--out', 'o', '--thin', '0.2'])).toThrow(/--thin is for eval/);
  });

  it('cannot be combined with --dropout, whatever its value and order', () => {
    for (const args of [
      ['--thin', '0.2', '--dropout', '0.1'],
      ['--dropout', '0', '--thin', '0.5'],
    ])
      expect(() => parseCli(['eval', 'x.csv', ...args])).toThrow('--thin and --dropout cannot be combined');
  });
});

describe('parseCli --preset and --k', () => {
  it('gives the preset, and a given --k is a fixed k even over scgnn2 (k = 5 % of the cells)', () => {
    expect(parseCli(['run', 'x.csv', '--out', 'o', '--preset', 'scgnn2']).params.graph).toMatchObject({
      kRule: 'fraction',
      kFraction: 0.05,
    });
    const fixed = parseCli(['run', 'x.csv', '--out', 'o', '--preset', 'scgnn2', '--k', '7']).params.graph;
    expect(fixed).toMatchObject({ k: 7, kRule: 'fixed', weights: 'inverse-distance' });
  });
});

describe('parseCli --bulk', () => {
  it('takes a bulk file for run and eval, and its truth for eval', () => {
    expect(parseCli(['run', 'x.csv', '--out', 'o', '--bulk', 'b.tsv.gz']).bulk).toBe('b.tsv.gz');
    const e = parseCli(['eval', 'x.csv', '--bulk', 'b.csv', '--bulk-truth', 't.csv']);
    expect([e.bulk, e.bulkTruth]).toEqual(['b.csv', 't.csv']);
    expect(parseCli(['run', 'x.csv', '--out', 'o']).bulk).toBeUndefined();
    expect(parseCli(['run', 'x.csv', '--out', 'o', '--bulk', 'b.csv', '--no-bulk-feedback']).params).toEqual({
      bulk: { feedback: false },
    });
  });

  it('refuses --bulk for ltmg, --bulk-truth outside eval or without --bulk, and a missing value', () => {
    expect(() => parseCli(['ltmg', 'x.csv', '--out', 'o.tsv', '--bulk', 'b.csv'])).toThrow(
      '--bulk is for run and eval.',
    );
    expect(() =>
      parseCli(['run', 'x.csv', '--out', 'o', '--bulk', 'b.csv', '--bulk-truth', 't.csv']),
    ).toThrow('--bulk-truth is for eval.');
    expect(() => parseCli(['eval', 'x.csv', '--bulk-truth', 't.csv'])).toThrow(/--bulk-truth needs --bulk/);
    expect(() => parseCli(['run', 'x.csv', '--out', 'o', '--bulk'])).toThrow('--bulk needs a value');
  });
});
