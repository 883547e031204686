/**
 * Reading a bulk RNA-seq matrix (genes x samples, CSV or TSV, optionally gzipped) for the bulk integration
 * (issue 13): the file's text, decompressed, parsed by src/core/bulk/bulk-matrix.ts. Every problem with it
 * (not text, no numbers, too few genes shared with the counts) is an InputError 'bad-bulk' naming the file,
 * so the CLI and the page report it like any other bad input.
 */
import { parseBulkMatrix } from '../core/bulk/bulk-matrix.ts';
import { BulkInputError, type BulkMatrix } from '../core/bulk/types.ts';
import { formatBytes, InputError } from './errors.ts';
import { readChunks, type InputFile } from './input-file.ts';

/** Largest bulk file read (decompressed): a genes x samples table is small next to a count matrix. */
export const MAX_BULK_BYTES = 256 * 2 ** 20;

/** The file's text, decompressed when it is gzip. */
async function readText(file: InputFile): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let bytes = 0;
  for await (const chunk of readChunks(file)) {
    bytes += chunk.byteLength;
    if (bytes > MAX_BULK_BYTES)
      throw new InputError(
        'too-large',
        file.name,
        `a bulk matrix is read whole, and this one is over ${formatBytes(MAX_BULK_BYTES)}: keep the genes ` +
          'of the single-cell data (or fewer samples) and try again',
      );
    parts.push(decoder.decode(chunk, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** A BulkInputError (or anything else the bulk code throws for bad input) as an InputError naming the file. */
export function bulkInputError(e: unknown, fileName: string): unknown {
  if (!(e instanceof BulkInputError || (e instanceof Error && e.name === 'BulkInputError'))) return e;
  // The bulk code's messages start with the file's name (and a line): the InputError says those itself.
  const head = e.message.startsWith(fileName)
    ? /^, line (\d+): |^: /.exec(e.message.slice(fileName.length))
    : null;
  if (!head) return new InputError('bad-bulk', fileName, e.message);
  const detail = e.message.slice(fileName.length + head[0].length);
  return new InputError('bad-bulk', fileName, detail, head[1] ? { line: Number(head[1]) } : {});
}

/** Read and parse a bulk matrix file. */
export async function loadBulkMatrix(file: InputFile): Promise<BulkMatrix> {
  const text = (await readText(file)).replace(/^\uFEFF/, '');
  if (!text.trim()) throw new InputError('empty-file', file.name, 'the bulk matrix file is empty');
  if (text.slice(0, 1 << 16).includes('\0'))
    throw new InputError(
      'bad-bulk',
      file.name,
      'this is not a text file; a bulk matrix is CSV or TSV text, genes x samples (a header row of sample ' +
        'names, then one row per gene: its name, then a value per sample)',
    );
  try {
    return parseBulkMatrix(text, file.name);
  } catch (e) {
    throw bulkInputError(e, file.name);
  }
}
