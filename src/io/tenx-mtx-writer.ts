/**
 * Write a 10x Genomics v3 MatrixMarket folder (`filtered_feature_bc_matrix/`) as Cell Ranger does:
 *
 *   matrix.mtx.gz     coordinate integer general, genes x cells, 1-based `gene cell count`, ordered by cell
 *   barcodes.tsv.gz   one barcode per line
 *   features.tsv.gz   id <tab> name <tab> feature type
 *
 * Everything is streamed through node:zlib: the matrix is formatted into a reused byte buffer (digits written
 * directly, no string per entry) that is handed to gzip a megabyte at a time, so a file with tens of millions of
 * entries never exists whole in memory. Node only; never imported by browser code.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { CsrMatrix } from '../core/matrix/csr.ts';

export interface TenxMtxContent {
  /** Cells x genes counts (rows = cells); the values must be integers. */
  readonly counts: CsrMatrix;
  readonly barcodes: readonly string[];
  readonly featureIds: readonly string[];
  readonly featureNames: readonly string[];
  /** Default "Gene Expression" for every feature. */
  readonly featureTypes?: readonly string[];
}

/** Bytes formatted before each hand-over to gzip. */
const BUFFER_BYTES = 1 << 20;
/** Room for one line: three numbers of at most 16 digits, two spaces and a newline. */
const MAX_LINE = 64;

/** Gzip what `chunks` yields into `path`. */
async function writeGzip(path: string, chunks: () => AsyncGenerator<Uint8Array> | Generator<Uint8Array>) {
  await pipeline(chunks(), createGzip({ level: 6 }), createWriteStream(path));
}

/** Lines of text, a megabyte of them at a time. */
function* textLines(lines: Iterable<string>): Generator<Uint8Array> {
  const enc = new TextEncoder();
  let parts: string[] = [];
  let size = 0;
  for (const line of lines) {
    parts.push(line, '\n');
    size += line.length + 1;
    if (size >= BUFFER_BYTES) {
      yield enc.encode(parts.join(''));
      parts = [];
      size = 0;
    }
  }
  if (parts.length) yield enc.encode(parts.join(''));
}

/** ASCII digits of a non-negative integer at `at`; returns the position after them. */
function putInt(buf: Uint8Array, at: number, n: number): number {
  if (n < 10) {
    buf[at] = 48 + n;
    return at + 1;
  }
  let digits = 0;
  for (let x = n; x > 0; x = Math.floor(x / 10)) digits++;
  let x = n;
  for (let i = at + digits - 1; i >= at; i--) {
    buf[i] = 48 + (x % 10);
    x = Math.floor(x / 10);
  }
  return at + digits;
}

function* matrixBytes(m: CsrMatrix, header: string): Generator<Uint8Array> {
  yield new TextEncoder().encode(header);
  const { indptr, indices, values, nRows } = m;
  let buf = new Uint8Array(BUFFER_BYTES + MAX_LINE);
  let at = 0;
  for (let c = 0; c < nRows; c++) {
    for (let k = indptr[c]!; k < indptr[c + 1]!; k++) {
      const v = values[k]!;
      if (!(Number.isInteger(v) && v >= 0))
        throw new RangeError(`cell ${c}, gene ${indices[k]}: ${v} is not a non-negative integer count`);
      at = putInt(buf, at, indices[k]! + 1);
      buf[at++] = 32;
      at = putInt(buf, at, c + 1);
      buf[at++] = 32;
      at = putInt(buf, at, v);
      buf[at++] = 10;
      if (at >= BUFFER_BYTES) {
        yield buf.subarray(0, at);
        buf = new Uint8Array(BUFFER_BYTES + MAX_LINE); // the stream may still hold the previous one
        at = 0;
      }
    }
  }
  if (at > 0) yield buf.subarray(0, at);
}

/** Write the three gzipped files into `dir` (created if needed); returns their paths. */
export async function writeTenxMtx(
  dir: string,
  content: TenxMtxContent,
): Promise<{ matrix: string; barcodes: string; features: string }> {
  mkdirSync(dir, { recursive: true });
  const { counts } = content;
  const paths = {
    matrix: join(dir, 'matrix.mtx.gz'),
    barcodes: join(dir, 'barcodes.tsv.gz'),
    features: join(dir, 'features.tsv.gz'),
  };
  const total = counts.indptr[counts.nRows] ?? 0;
  const header =
    '%%MatrixMarket matrix coordinate integer general\n' +
    '%metadata_json: {"software_version": "scgnn-web make-synthetic", "format_version": 2}\n' +
    `${counts.nCols} ${counts.nRows} ${total}\n`;
  await writeGzip(paths.matrix, () => matrixBytes(counts, header));
  await writeGzip(paths.barcodes, () => textLines(content.barcodes));
  const types = content.featureTypes;
  await writeGzip(paths.features, () =>
    textLines(
      content.featureIds.map(
        (id, i) => `${id}\t${content.featureNames[i]}\t${types?.[i] ?? 'Gene Expression'}`,
      ),
    ),
  );
  return paths;
}
