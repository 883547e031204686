import { describe, expect, it } from 'vitest';
import { isInputError } from './errors.ts';
import { inputFileFromBytes } from './input-file.ts';
import { loadLabels } from './labels.ts';
import { inputFileFromPath } from './node-input.ts';

const cells = ['a', 'b', 'c', 'd'];

async function expectInputError(p: Promise<unknown>, code: string, ...parts: string[]): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isInputError(e), `expected an InputError, got ${String(e)}`).toBe(true);
  if (!isInputError(e)) return;
  expect(e.code).toBe(code);
  for (const part of parts) expect(e.message).toContain(part);
}

describe('labels files', () => {
  it('matches labels to cells, with or without a header, and counts what did not match', async () => {
    const withHeader = await loadLabels(
      inputFileFromBytes('l.csv', 'cell,label\na,T\nc,B\nz,T\nb,T\n'),
      cells,
    );
    expect(withHeader.labels).toEqual(['T', 'T', 'B', null]);
    expect(withHeader.nMatched).toBe(3);
    expect(withHeader.nUnmatched).toBe(1);
    expect(withHeader.classes).toEqual(['B', 'T']);
    const noHeader = await loadLabels(inputFileFromBytes('l.tsv', 'a\t1\nb\t2\nc\t10\nd\t2\n'), cells);
    expect(noHeader.labels).toEqual(['1', '2', '10', '2']);
    expect(noHeader.classes).toEqual(['1', '2', '10']);
  });

  it('reads the published labels of a real dataset', async () => {
    const file = await inputFileFromPath('../shared/data/goolam_smartseq2_top2000/labels.csv');
    const ids = ['2cell_1_A', '2cell_1_B', 'not_a_cell'];
    const l = await loadLabels(file, ids);
    expect(l.labels).toEqual(['0', '0', null]);
    expect(l.nMatched).toBe(2);
    expect(l.nUnmatched).toBe(122);
  });

  it('explains bad labels files', async () => {
    await expectInputError(
      loadLabels(inputFileFromBytes('e.csv', ''), cells),
      'empty-file',
      'e.csv',
      'empty',
    );
    await expectInputError(
      loadLabels(inputFileFromBytes('h.csv', 'cell,label\n'), cells),
      'empty-file',
      'h.csv',
      'no rows',
    );
    await expectInputError(
      loadLabels(inputFileFromBytes('d.csv', 'cell,label\na,1\nb,2\na,3\n'), cells),
      'duplicate-id',
      'd.csv',
      'line 4',
      '"a"',
      'lines 2 and 4',
    );
    await expectInputError(
      loadLabels(inputFileFromBytes('r.csv', 'cell,label\na,1\nb\n'), cells),
      'ragged-row',
      'r.csv',
      'line 3',
    );
    await expectInputError(
      loadLabels(inputFileFromBytes('m.csv', 'cell,label\nx,1\ny,2\n'), cells),
      'bad-labels',
      'm.csv',
      'none of its 2 cell ids',
    );
  });
});
