import { describe, expect, it } from 'vitest';
import { detectInput } from './detect.ts';
import { isInputError } from './errors.ts';
import { inputFileFromBytes, type InputFile } from './input-file.ts';

const f = (relativePath: string, content: string | Uint8Array = 'x'): InputFile =>
  inputFileFromBytes(relativePath.split('/').pop()!, content, relativePath);

async function detectError(files: InputFile[]): Promise<{ code: string; message: string }> {
  const e = await detectInput(files).then(
    () => null,
    (err: unknown) => err,
  );
  if (!isInputError(e)) throw new Error(`expected an InputError, got ${String(e)}`);
  return { code: e.code, message: e.message };
}

describe('input detection', () => {
  it('recognises a 10x folder (v3 and v2 names, GEO prefixes) and ignores hidden files', async () => {
    const v3 = await detectInput([
      f('s/barcodes.tsv.gz'),
      f('s/features.tsv.gz'),
      f('s/matrix.mtx.gz'),
      f('s/.DS_Store'),
    ]);
    expect(v3.kind).toBe('mtx');
    if (v3.kind === 'mtx')
      expect([v3.matrix.name, v3.features.name, v3.barcodes.name]).toEqual([
        'matrix.mtx.gz',
        'features.tsv.gz',
        'barcodes.tsv.gz',
      ]);
    const geo = await detectInput([f('GSM1_barcodes.tsv'), f('GSM1_genes.tsv'), f('GSM1_matrix.mtx')]);
    expect(geo.kind).toBe('mtx');
  });

  it('recognises delimited text, HDF5 by name or signature, and a labels file beside the data', async () => {
    const csv = await detectInput([f('counts.csv', ',c1\ng1,1\n'), f('labels.csv', 'cell,label\nc1,A\n')]);
    expect(csv.kind).toBe('delimited');
    expect(csv.labels?.name).toBe('labels.csv');
    const meta = await detectInput([f('m.csv', 'cell,celltype\nc1,A\n'), f('expr.tsv', '\tc1\ng1\t1\n')]);
    expect(meta.kind === 'delimited' && meta.file.name).toBe('expr.tsv');
    expect(meta.labels?.name).toBe('m.csv');
    const magic = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect((await detectInput([f('data.bin', magic)])).kind).toBe('hdf5');
    expect((await detectInput([f('pbmc.h5ad')])).kind).toBe('hdf5');
  });

  it('explains incomplete 10x folders and unsupported drops', async () => {
    const noBarcodes = await detectError([f('s/features.tsv.gz'), f('s/matrix.mtx.gz')]);
    expect(noBarcodes.code).toBe('missing-10x-file');
    expect(noBarcodes.message).toContain('s/');
    expect(noBarcodes.message).toContain('no barcodes.tsv');
    const noFeatures = await detectError([f('s/barcodes.tsv'), f('s/matrix.mtx')]);
    expect(noFeatures.code).toBe('missing-10x-file');
    expect(noFeatures.message).toContain('no features.tsv (or genes.tsv)');
    const lone = await detectError([f('counts.txt', '%%MatrixMarket matrix coordinate integer general\n')]);
    expect(lone).toMatchObject({ code: 'missing-10x-file' });
    expect(lone.message).toContain('counts.txt');
    const binary = await detectError([f('photo.jpg', new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2, 0, 0]))]);
    expect(binary.code).toBe('unknown-format');
    expect(binary.message).toContain('photo.jpg');
    expect(binary.message).toContain('Supported');
    const two = await detectError([f('a.csv', ',c\ng,1\n'), f('b.csv', ',c\ng,1\n')]);
    expect(two.code).toBe('unknown-format');
    expect(two.message).toContain('one dataset at a time');
    const onlyLabels = await detectError([f('labels.csv', 'cell,label\nc,1\n')]);
    expect(onlyLabels.message).toContain('labels file');
    expect((await detectError([])).code).toBe('empty-file');
  });
});
