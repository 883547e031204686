/**
 * Optional cell-type labels (`cell,label[,extra columns]`), kept for evaluation only: they are never model
 * input. Parsed with papaparse (the file is small: one row per cell).
 */
import Papa from 'papaparse';
import type { CellLabels } from '../core/dataset.ts';
import { InputError } from './errors.ts';
import { readLines, type InputFile } from './input-file.ts';

const HEADER_CELL = /^(cell|cells|barcode|barcodes|cell_?id|cell_?name|)$/i;

/** Read the whole (small) labels file as text, line by line (gzip allowed). */
async function readText(file: InputFile): Promise<string> {
  const lines: string[] = [];
  for await (const [, line] of readLines(file)) lines.push(line);
  return lines.join('\n');
}

/**
 * An image, a spreadsheet, an HDF5 matrix…: NUL bytes, or many control characters and bytes that are not
 * UTF-8 (decoded as U+FFFD). A Latin-1 file with a few accented letters is still text.
 */
function looksBinary(head: string): boolean {
  let odd = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0) return true;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) odd++;
  }
  return odd > 0.05 * head.length;
}

/** Parse a labels file and match it to the dataset's cells. */
export async function loadLabels(file: InputFile, cellIds: readonly string[]): Promise<CellLabels> {
  const text = (await readText(file)).replace(/^\uFEFF/, '');
  if (!text.trim()) throw new InputError('empty-file', file.name, 'the labels file is empty');
  if (looksBinary(text.slice(0, 1 << 16))) {
    throw new InputError(
      'bad-labels',
      file.name,
      'this is not a text file; a labels file is CSV or TSV text with one "cell,label" line per cell ' +
        '(save a spreadsheet as CSV first)',
    );
  }
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy', delimiter: '' });
  const rows = parsed.data;
  const first = rows[0] ?? [];
  const hasHeader = HEADER_CELL.test((first[0] ?? '').trim()) && !cellIds.includes((first[0] ?? '').trim());
  const byCell = new Map<string, { label: string; line: number }>();
  for (let r = hasHeader ? 1 : 0; r < rows.length; r++) {
    const row = rows[r]!;
    const line = r + 1;
    if (row.length < 2) {
      throw new InputError(
        'ragged-row',
        file.name,
        `expected two columns, "cell,label", but found ${row.length} field: put each cell's id, then its ` +
          'label, on one line, separated by a comma or a tab',
        { line },
      );
    }
    const cell = row[0]!.trim();
    const label = row[1]!.trim();
    const previous = byCell.get(cell);
    if (previous) {
      throw new InputError(
        'duplicate-id',
        file.name,
        `cell "${cell}" is labelled twice (lines ${previous.line} and ${line})`,
        { line },
      );
    }
    byCell.set(cell, { label, line });
  }
  if (byCell.size === 0)
    throw new InputError('empty-file', file.name, 'the labels file has a header but no rows');
  const labels: (string | null)[] = cellIds.map((id) => byCell.get(id)?.label ?? null);
  const nMatched = labels.filter((l) => l !== null).length;
  if (nMatched === 0) {
    const example = byCell.keys().next().value as string;
    const ids = new Set(cellIds);
    const swapped = [...byCell.values()].some((v) => ids.has(v.label));
    throw new InputError(
      'bad-labels',
      file.name,
      `none of its ${byCell.size} cell ids match the dataset's cells (labels file has "${example}", ` +
        `dataset has "${cellIds[0] ?? ''}"). ` +
        (swapped
          ? 'Its second column holds cell ids: put the cell id first, then the label'
          : 'Its first column must hold the cell ids of this count matrix (if they are genes, flip the ' +
            "matrix's orientation)"),
    );
  }
  const classes = [...new Set(labels.filter((l): l is string => l !== null))].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  return {
    fileName: file.name,
    labels,
    nMatched,
    nUnmatched: byCell.size - nMatched,
    classes,
  };
}
