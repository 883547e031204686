import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BulkInputError } from '../core/bulk/types.ts';
import { bulkInputError, loadBulkMatrix } from './bulk-file.ts';
import { InputError } from './errors.ts';
import { inputFileFromBytes } from './input-file.ts';

const TABLE = 'gene,s1,s2\nA,1,2\nB,3,4\nC,0,5\n';

describe('loadBulkMatrix', () => {
  it('reads a CSV and the same table gzipped', async () => {
    const plain = await loadBulkMatrix(inputFileFromBytes('bulk.csv', TABLE));
    expect(plain.sampleIds).toEqual(['s1', 's2']);
    expect(plain.geneIds).toEqual(['A', 'B', 'C']);
    expect(Array.from(plain.values)).toEqual([1, 2, 3, 4, 0, 5]);
    const gz = await loadBulkMatrix(
      inputFileFromBytes('bulk.csv.gz', gzipSync(new TextEncoder().encode(TABLE))),
    );
    expect(gz).toEqual({ ...plain, name: 'bulk.csv.gz' });
  });

  it('reports a bad table as an input error naming the file and the line', async () => {
    const err = await loadBulkMatrix(inputFileFromBytes('bulk.csv', 'gene,s1\nA,x\n')).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('bad-bulk');
    expect(err.location).toEqual({ line: 2 });
    expect(err.message).toMatch(/^bulk\.csv \(line 2\): the value of gene "A" in sample "s1"/);
  });

  it('refuses an empty or binary file', async () => {
    await expect(loadBulkMatrix(inputFileFromBytes('b.csv', '\n \n'))).rejects.toMatchObject({
      code: 'empty-file',
    });
    await expect(
      loadBulkMatrix(inputFileFromBytes('b.xlsx', new Uint8Array([80, 75, 3, 4, 0, 0, 1]))),
    ).rejects.toMatchObject({ code: 'bad-bulk', message: /not a text file/ });
  });
});

describe('bulkInputError', () => {
  it('turns a BulkInputError into an InputError and leaves other errors alone', () => {
    const e = bulkInputError(new BulkInputError('b.tsv: only 3 of the 200 single-cell genes match'), 'b.tsv');
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toBe('b.tsv: only 3 of the 200 single-cell genes match');
    const bug = new TypeError('x');
    expect(bulkInputError(bug, 'b.tsv')).toBe(bug);
  });
});
