/**
 * Recognise what the user dropped: a delimited text matrix, a 10x MatrixMarket folder (three files), a 10x
 * HDF5 or AnnData file, plus an optional labels file. Decided from names first, then from the first bytes.
 */
import { InputError } from './errors.ts';
import { baseName, readSlice, type InputFile } from './input-file.ts';

export type DetectedInput =
  | { kind: 'delimited'; file: InputFile; labels?: InputFile }
  | { kind: 'mtx'; matrix: InputFile; features: InputFile; barcodes: InputFile; labels?: InputFile }
  | { kind: 'hdf5'; file: InputFile; labels?: InputFile };

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const IGNORED = /^(\.|__MACOSX|thumbs\.db$|desktop\.ini$)/i;

const isMtx = (f: InputFile): boolean =>
  /(^|[._-])matrix\.mtx$/.test(baseName(f)) || baseName(f).endsWith('.mtx');
const isBarcodes = (f: InputFile): boolean => /(^|[._-])barcodes\.tsv$/.test(baseName(f));
const isFeatures = (f: InputFile): boolean => /(^|[._-])(features|genes)\.tsv$/.test(baseName(f));
const isHdf5Name = (f: InputFile): boolean => /\.(h5|hdf5|h5ad)$/.test(baseName(f));
const isTextName = (f: InputFile): boolean => /\.(csv|tsv|txt|tab)$/.test(baseName(f));

async function startsWith(f: InputFile, magic: number[]): Promise<boolean> {
  if (f.blob.size < magic.length) return false;
  const head = await readSlice(f, 0, magic.length);
  return magic.every((b, i) => head[i] === b);
}

/**
 * Does this text file hold labels (`cell,label`)? 'header' when its first line says so, 'name' when only its
 * name suggests it (then it counts as labels only beside another data file).
 */
async function looksLikeLabels(f: InputFile): Promise<'header' | 'name' | false> {
  if (f.blob.size <= 20 * 1024 * 1024 && !f.name.endsWith('.gz')) {
    const head = new TextDecoder().decode(await readSlice(f, 0, 512));
    const firstLine = head.split(/\r?\n/)[0] ?? '';
    const fields = firstLine.split(/[,\t]/).map((s) => s.trim().replace(/^"|"$/g, '').toLowerCase());
    const cellField = /^(cell|cells|barcode|barcodes|cell_?id|cell_?name|)$/;
    if (
      fields.length >= 2 &&
      cellField.test(fields[0]!) &&
      /label|type|cluster|annotation/.test(fields[1]!)
    ) {
      return 'header';
    }
  }
  return /label|annotation|celltype|cell_type|metadata/i.test(f.name) ? 'name' : false;
}

/** Classify the dropped files, or explain what is missing. */
export async function detectInput(all: InputFile[]): Promise<DetectedInput> {
  const files = all.filter((f) => !f.name.split('/').some((part) => IGNORED.test(part)) && f.blob.size >= 0);
  if (files.length === 0) throw new InputError('empty-file', '(no file)', 'no file was given');
  const names = files.map((f) => f.relativePath).join(', ');

  const mtx = files.filter(isMtx);
  const barcodes = files.filter(isBarcodes);
  const features = files.filter(isFeatures);
  const hdf5: InputFile[] = [];
  const text: InputFile[] = [];
  const rest = files.filter((f) => !mtx.includes(f) && !barcodes.includes(f) && !features.includes(f));
  for (const f of rest) {
    if (isHdf5Name(f) || (await startsWith(f, HDF5_MAGIC))) hdf5.push(f);
    else text.push(f);
  }

  // Labels: among text files, when a matrix is present in the drop.
  let labels: InputFile | undefined;
  const labelCandidates: InputFile[] = [];
  const labelsByHeader: InputFile[] = [];
  for (const f of text) {
    const kind = await looksLikeLabels(f);
    if (kind) labelCandidates.push(f);
    if (kind === 'header') labelsByHeader.push(f);
  }
  const hasMatrix =
    mtx.length + barcodes.length + features.length + hdf5.length > 0 || text.length > labelCandidates.length;
  if (!hasMatrix && labelsByHeader.length) {
    throw new InputError(
      'unknown-format',
      labelsByHeader[0]!.name,
      'this looks like a labels file (cell,label); drop it together with a count matrix',
    );
  }
  if (hasMatrix && labelCandidates.length) {
    if (labelCandidates.length > 1) {
      throw new InputError(
        'unknown-format',
        labelCandidates[1]!.name,
        `several labels files were given (${labelCandidates.map((f) => f.name).join(', ')}); give at most one`,
      );
    }
    labels = labelCandidates[0];
  }
  const dataText = text.filter((f) => f !== labels);

  if (mtx.length || barcodes.length || features.length) {
    const folder = (mtx[0] ?? barcodes[0] ?? features[0])!.relativePath.replace(/[^/]*$/, '') || './';
    const need = (list: InputFile[], what: string): InputFile => {
      if (list.length === 0) {
        const present = [...mtx, ...barcodes, ...features].map((f) => f.name).join(', ');
        throw new InputError(
          'missing-10x-file',
          folder,
          `this 10x dataset has ${present} but no ${what}: a 10x folder needs matrix.mtx, barcodes.tsv and ` +
            'features.tsv (genes.tsv for Cell Ranger 2), each optionally gzipped',
        );
      }
      if (list.length > 1) {
        throw new InputError(
          'unknown-format',
          folder,
          `more than one ${what} was given (${list.map((f) => f.relativePath).join(', ')}): load one 10x dataset at a time`,
        );
      }
      return list[0]!;
    };
    const matrix = need(mtx, 'matrix.mtx');
    const bc = need(barcodes, 'barcodes.tsv');
    const ft = need(features, 'features.tsv (or genes.tsv)');
    if (hdf5.length || dataText.length) {
      throw new InputError(
        'unknown-format',
        [...hdf5, ...dataText][0]!.name,
        `a 10x folder was given together with other data files (${names}); load one dataset at a time`,
      );
    }
    return { kind: 'mtx', matrix, features: ft, barcodes: bc, ...(labels ? { labels } : {}) };
  }

  const data = [...hdf5, ...dataText];
  if (data.length === 0) {
    throw new InputError('unknown-format', files[0]!.name, 'no count matrix was found among the files');
  }
  if (data.length > 1) {
    throw new InputError(
      'unknown-format',
      data[1]!.name,
      `several data files were given (${data.map((f) => f.name).join(', ')}); load one dataset at a time ` +
        '(plus an optional labels file)',
    );
  }
  const file = data[0]!;
  if (hdf5.includes(file)) return { kind: 'hdf5', file, ...(labels ? { labels } : {}) };

  // Text or unknown: refuse binary files that are not gzip, and lone MatrixMarket files.
  const head = await readSlice(file, 0, Math.min(1024, file.blob.size));
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  if (!isTextName(file) && !gz && head.some((b) => b === 0)) {
    throw new InputError(
      'unknown-format',
      file.name,
      'this is not a format scGNN Web reads. Supported: CSV/TSV (optionally .gz), a 10x folder ' +
        '(matrix.mtx, barcodes.tsv, features.tsv), 10x HDF5 (.h5) and AnnData (.h5ad)',
    );
  }
  if (new TextDecoder().decode(head.slice(0, 14)) === '%%MatrixMarket') {
    throw new InputError(
      'missing-10x-file',
      file.name,
      'this is a MatrixMarket matrix: drop it together with its barcodes.tsv and features.tsv (or the whole folder)',
    );
  }
  return { kind: 'delimited', file, ...(labels ? { labels } : {}) };
}
