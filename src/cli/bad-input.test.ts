/**
 * Bad input on the command line: each problem is one line on stderr naming the file, exit status 2, and no
 * stack trace (no "at " frames, no WASM module source). Small files in a temp dir; the CLIs run in parallel.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Outcome {
  status: number | null;
  stderr: string;
}

function cli(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      '--import',
      'tsx',
      'src/cli/scgnn.ts',
      ...args,
      '--backend',
      'cpu',
    ]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

/** genes x cells CSV: `value(g, c)` per entry. */
function matrix(nGenes: number, nCells: number, value: (g: number, c: number) => number): string {
  const header = ['', ...Array.from({ length: nCells }, (_, c) => `cell${c}`)].join(',');
  const rows = Array.from({ length: nGenes }, (_, g) =>
    [`Gene${g}`, ...Array.from({ length: nCells }, (_, c) => value(g, c))].join(','),
  );
  return `${header}\n${rows.join('\n')}\n`;
}

describe('the command line on bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scgnn-bad-'));
  const file = (name: string, content: string | Uint8Array): string => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const out = join(dir, 'never');

  it('answers each problem in one line with exit status 2', async () => {
    const good = file(
      'good.csv',
      matrix(30, 40, (g, c) => ((g * 7 + c * 3) % 5) + (c % 3)),
    );
    const cases: [string[], string[]][] = [
      [
        [
          'run',
          file(
            'zeros.csv',
            matrix(20, 30, () => 0),
          ),
          '--out',
          out,
        ],
        ['zeros.csv', 'every count is zero'],
      ],
      [
        ['run', file('counts.h5ad', ',c1,c2\nActb,1,2\n'), '--out', out],
        ['counts.h5ad', 'not an HDF5 file', 'AnnData (.h5ad)'],
      ],
      [
        // Only cell0 has counts: preprocessing keeps one cell.
        [
          'run',
          file(
            'onecell.csv',
            matrix(30, 40, (g, c) => (c === 0 ? g + 1 : 0)),
          ),
          '--out',
          out,
        ],
        ['onecell.csv', 'preprocessing keeps 1 cell and 30 genes', 'at least 11 cells'],
      ],
      [
        [
          'eval',
          good,
          '--labels',
          file('labels.csv', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff, 9])),
        ],
        ['labels.csv', 'not a text file'],
      ],
      [
        ['run', join(dir, 'missing.csv'), '--out', out],
        ['missing.csv', 'no such file or folder'],
      ],
      [
        ['run', good, '--out', out, '--bulk', file('bulk-text.csv', 'gene,s1,s2\nGene0,1,two\n')],
        ['bulk-text.csv (line 2)', '"two" is not a number'],
      ],
      [
        // Every gene matches, but 30 genes are fewer than the 50 a deconvolution needs (bulk.minGenes).
        [
          'run',
          good,
          '--out',
          out,
          '--bulk',
          file(
            'bulk-small.csv',
            matrix(30, 2, (g, s) => g + s + 1),
          ),
        ],
        ['bulk-small.csv', 'only 30 of the 30 single-cell genes', 'at least 50 are needed'],
      ],
      [
        ['eval', good, '--bulk', join(dir, 'no-bulk.tsv')],
        ['no-bulk.tsv', 'no such file or folder', 'bulk file'],
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      const [args, parts] = cases[i]!;
      const lines = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('backend:'));
      expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      for (const part of parts) expect(lines[0]).toContain(part);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });
  }, 60_000);
});
