/**
 * One entry point for every input format: detect what was dropped, run the matching loader, refuse a matrix
 * without a single non-zero count, attach the optional labels, and turn allocation failures into a clear
 * "too large" message.
 */
import type { LoadedDataset } from '../core/dataset.ts';
import { loadDelimited } from './delimited.ts';
import { detectInput } from './detect.ts';
import { InputError, isInputError } from './errors.ts';
import { loadHdf5 } from './hdf5.ts';
import type { InputFile } from './input-file.ts';
import { loadLabels } from './labels.ts';
import type { LoadOptions } from './load-types.ts';
import { loadTenxMtx } from './tenx-mtx.ts';

export async function loadDataset(files: InputFile[], opts: LoadOptions = {}): Promise<LoadedDataset> {
  const input = await detectInput(files);
  const main = input.kind === 'mtx' ? input.matrix : input.file;
  let dataset: LoadedDataset;
  try {
    if (input.kind === 'delimited') dataset = await loadDelimited(input.file, opts);
    else if (input.kind === 'mtx') dataset = await loadTenxMtx(input, opts);
    else dataset = await loadHdf5(input.file, opts);
  } catch (e) {
    if (isInputError(e)) throw e;
    if (e instanceof RangeError && /allocat|memory|Array buffer|length/i.test(e.message)) {
      throw new InputError(
        'too-large',
        main.name,
        `the file does not fit in the memory available to this page (${e.message}). Try a smaller subset, ` +
          'or filter it first',
      );
    }
    throw e;
  }
  assertSomeCounts(dataset, main.name);
  if (input.labels) {
    const labels = await loadLabels(input.labels, dataset.matrix.cellIds);
    dataset = { ...dataset, labels, sourceFiles: [...dataset.sourceFiles, input.labels.relativePath] };
  }
  return dataset;
}

/** Every filter and model downstream would silently keep nothing: say so at load time instead. */
function assertSomeCounts(ds: LoadedDataset, file: string): void {
  const { values, indptr, nRows, nCols } = ds.matrix.counts;
  if (nRows === 0 || nCols === 0)
    throw new InputError('empty-file', file, `the matrix has ${nRows} cells and ${nCols} genes`);
  for (let k = 0, n = indptr[nRows] ?? 0; k < n; k++) if (values[k] !== 0) return;
  throw new InputError(
    'all-zero',
    file,
    `every count is zero (${nRows} cells x ${nCols} genes), so there is nothing to analyse. Load the count ` +
      'matrix itself (raw read or UMI counts), not an empty template or a placeholder export',
  );
}
