/**
 * Loader for delimited count tables (CSV, TSV; gzipped or not), the input format of the scGNN reference tool.
 *
 * Layout: the first row holds column ids, the first column row ids. The header may start with an empty or
 * label field (`,cell1,cell2` or `gene,cell1,cell2`) or have one field fewer than the data rows (R's
 * `write.table` style). The file is streamed and tokenized byte by byte into CSR (see
 * `delimited-tokenizer.ts`), rows as in the file; the orientation is decided afterwards and a genes x cells
 * table is transposed once, since the in-memory matrix is always cells x genes.
 */
import type { LoadedDataset, Orientation } from '../core/dataset.ts';
import { CsrBuilder, csrBytes, transposeCsr, type CsrMatrix } from '../core/matrix/csr.ts';
import { LineSplitter, RowParser, countFields, isBlank, splitFields } from './delimited-tokenizer.ts';
import { InputError, formatBytes, isInputError } from './errors.ts';
import { baseName, isGzip, readChunks, type InputFile } from './input-file.ts';
import { DEFAULT_MEMORY_BUDGET_BYTES, type LoadOptions } from './load-types.ts';
import { detectOrientation, orientationLabel } from './orientation.ts';

export { detectOrientation } from './orientation.ts';

const TAB = 9;
const COMMA = 44;
const SEMICOLON = 59;
/** Bytes at the start of the (decompressed) file checked for binary content. */
const SNIFF_BYTES = 1024;
const PROGRESS_INTERVAL_MS = 100;
/** Float32 holds integers exactly only up to 2^24. */
const FLOAT32_EXACT_INT = 2 ** 24;

/** The table as read: rows and columns as in the file. */
interface ParsedTable {
  readonly rowIds: string[];
  readonly colIds: string[];
  readonly matrix: CsrMatrix;
  readonly delimiter: number;
  readonly warnings: string[];
  readonly integerValued: boolean;
}

/** Pick the delimiter from the extension, or from the first line when the extension does not say. */
function chooseDelimiter(file: InputFile, firstLine: string): number {
  const name = baseName(file);
  const tabs = firstLine.split('\t').length - 1;
  const commas = firstLine.split(',').length - 1;
  const semicolons = firstLine.split(';').length - 1;
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return TAB;
  if (name.endsWith('.csv') && (commas > 0 || (tabs === 0 && semicolons === 0))) return COMMA;
  if (name.endsWith('.txt') && tabs > 0) return TAB;
  if (tabs > 0 && tabs >= commas) return TAB;
  if (commas > 0) return COMMA;
  if (semicolons > 0) return SEMICOLON;
  return COMMA;
}

/**
 * Line-by-line state machine: header, first data row (which settles the layout), then the body.
 */
class TableParser {
  private headerFields: string[] | null = null;
  private headerLine = 0;
  private delimiter = COMMA;
  private colIds: string[] = [];
  private rows: RowParser | null = null;
  private readonly builder: CsrBuilder;
  readonly rowIds: string[] = [];
  private readonly rowLines = new Map<string, number>();
  private checkCounter = 0;

  constructor(
    private readonly file: InputFile,
    private readonly budget: number,
  ) {
    this.builder = new CsrBuilder(-1);
  }

  get nRows(): number {
    return this.rowIds.length;
  }

  onLine(buf: Uint8Array, start: number, end: number, line: number): void {
    if (this.rows) {
      if ((end === start || buf[start] === 32 || buf[start] === TAB) && isBlank(buf, start, end)) return;
      this.dataRow(buf, start, end, line);
      return;
    }
    if (this.headerFields === null) {
      if (
        line === 1 &&
        end - start >= 3 &&
        buf[start] === 0xef &&
        buf[start + 1] === 0xbb &&
        buf[start + 2] === 0xbf
      ) {
        start += 3;
      }
      if (isBlank(buf, start, end)) return;
      this.header(new TextDecoder('utf-8').decode(buf.subarray(start, end)), line);
      return;
    }
    if (isBlank(buf, start, end)) return;
    this.settleLayout(countFields(buf, start, end, this.delimiter), line);
    this.dataRow(buf, start, end, line);
  }

  private header(text: string, line: number): void {
    this.delimiter = chooseDelimiter(this.file, text);
    const split = splitFields(text, String.fromCharCode(this.delimiter));
    if (split.error)
      throw new InputError('bad-header', this.file.name, `the header line: ${split.error}`, { line });
    this.headerFields = split.fields;
    this.headerLine = line;
  }

  /** The first data row tells whether the header's first field is a corner label or a column id. */
  private settleLayout(dataFields: number, line: number): void {
    const h = this.headerFields!;
    let colIds: string[];
    if (dataFields === h.length) colIds = h.slice(1);
    // An empty first header field is the scGNN corner, so a longer data row is ragged, not R style.
    else if (dataFields === h.length + 1 && h[0] !== '') colIds = h;
    else {
      throw new InputError(
        'ragged-row',
        this.file.name,
        `expected ${h.length} fields (a row name and ${h.length - 1} values, as in the header on line ` +
          `${this.headerLine})${h[0] !== '' ? ` or ${h.length + 1} (if the header has no corner field)` : ''}, ` +
          `found ${dataFields} on the first data row`,
        { line },
      );
    }
    if (colIds.length === 0) {
      throw new InputError(
        'bad-header',
        this.file.name,
        'the table has no value columns: the header holds only the row-name field',
        {
          line: this.headerLine,
        },
      );
    }
    const offset = h.length - colIds.length;
    const seen = new Map<string, number>();
    for (let j = 0; j < colIds.length; j++) {
      const id = colIds[j]!;
      const position = j + offset + 1;
      if (id === '') {
        const hint = j === colIds.length - 1 ? ' (does every line end with a delimiter?)' : '';
        throw new InputError(
          'bad-header',
          this.file.name,
          `column ${position} of the header has an empty name${hint}`,
          { line: this.headerLine },
        );
      }
      const prev = seen.get(id);
      if (prev !== undefined) {
        throw new InputError(
          'duplicate-id',
          this.file.name,
          `column name "${id}" appears twice in the header, at columns ${prev} and ${position}; names must be unique`,
          { line: this.headerLine, field: id },
        );
      }
      seen.set(id, position);
    }
    this.colIds = colIds;
    this.rows = new RowParser(this.file.name, this.delimiter, colIds, this.builder);
  }

  private dataRow(buf: Uint8Array, start: number, end: number, line: number): void {
    const id = this.rows!.parseRow(buf, start, end, line);
    this.builder.endRow();
    const prev = this.rowLines.get(id);
    if (prev !== undefined) {
      throw new InputError(
        'duplicate-id',
        this.file.name,
        `row name "${id}" appears twice, on line ${prev} and line ${line}; names must be unique`,
        { line, field: id },
      );
    }
    this.rowLines.set(id, line);
    this.rowIds.push(id);
    // Growth happens in steps, so checking every few rows is as good as every row.
    if ((++this.checkCounter & 15) === 0 || this.rowIds.length === 1) this.checkBudget(line);
  }

  checkBudget(line: number): void {
    const reserved = this.builder.reservedBytes;
    if (reserved > this.budget) {
      throw new InputError(
        'too-large',
        this.file.name,
        `the matrix does not fit in the memory budget: by this line (${this.rowIds.length} rows, ` +
          `${this.builder.nnz.toLocaleString('en-US')} non-zero values) it already takes ${formatBytes(reserved)}, ` +
          `more than the ${formatBytes(this.budget)} allowed`,
        { line },
      );
    }
  }

  finish(totalBytes: number, lastLine: number): ParsedTable {
    if (this.headerFields === null) {
      const detail =
        totalBytes === 0
          ? 'the file is empty (0 bytes)'
          : `the file holds only blank lines or whitespace (${lastLine} line${lastLine === 1 ? '' : 's'}); expected a header line and data rows`;
      throw new InputError('empty-file', this.file.name, detail);
    }
    if (!this.rows || this.rowIds.length === 0) {
      throw new InputError(
        'empty-file',
        this.file.name,
        `the file has a header (line ${this.headerLine}) but no data rows`,
        { line: this.headerLine },
      );
    }
    this.checkBudget(lastLine);
    const matrix = this.builder.finish(this.colIds.length);
    const rows = this.rows;
    const warnings: string[] = [];
    if (rows.nonInteger) {
      const ex = rows.firstNonInteger!;
      warnings.push(
        `values are not all integers (e.g. ${ex.value} on line ${ex.line}, column "${ex.column}"): ` +
          'this looks like normalised data; scGNN expects raw counts',
      );
    }
    if (rows.maxValue > FLOAT32_EXACT_INT) {
      warnings.push(
        `some values are above ${FLOAT32_EXACT_INT.toLocaleString('en-US')} (largest ${rows.maxValue}) and are ` +
          'stored rounded to 32-bit precision',
      );
    }
    if (matrix.indptr[matrix.nRows] === 0) warnings.push('every value in the table is zero');
    return {
      rowIds: this.rowIds,
      colIds: this.colIds,
      matrix,
      delimiter: this.delimiter,
      warnings,
      integerValued: !rows.nonInteger,
    };
  }
}

/** Offset of the first byte that breaks UTF-8 in b[0, n), or -1; a sequence cut off at the end is allowed. */
function firstInvalidUtf8(b: Uint8Array, n: number): number {
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return -1;
      const d = b[i + k]!;
      if (k === 1 ? d < lo || d > hi : (d & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Refuses binary content (NUL bytes or invalid UTF-8) in the first kilobyte of the decompressed file. */
class BinarySniffer {
  private readonly head = new Uint8Array(SNIFF_BYTES);
  private len = 0;

  constructor(private readonly file: InputFile) {}

  check(chunk: Uint8Array): void {
    if (this.len >= SNIFF_BYTES) return;
    const take = chunk.subarray(0, SNIFF_BYTES - this.len);
    this.head.set(take, this.len);
    this.len += take.length;
    const h = this.head;
    if (this.len >= 2 && ((h[0] === 0xff && h[1] === 0xfe) || (h[0] === 0xfe && h[1] === 0xff))) {
      this.fail(0, 'it is UTF-16 text; save it as UTF-8 (plain CSV/TSV) and load it again');
    }
    const nul = h.subarray(0, this.len).indexOf(0);
    if (nul >= 0) this.fail(nul, `it is a binary file, not text (it contains a NUL byte at byte ${nul + 1})`);
    const bad = firstInvalidUtf8(h, this.len);
    if (bad >= 0) this.fail(bad, `it is not UTF-8 text (byte ${bad + 1} is not valid UTF-8)`);
  }

  private fail(offset: number, why: string): never {
    let line = 1;
    for (let i = 0; i < offset; i++) if (this.head[i] === 10) line++;
    throw new InputError(
      'unknown-format',
      this.file.name,
      `cannot read this file as a CSV/TSV table: ${why}. Expected a text table of counts with gene and cell names`,
      { line },
    );
  }
}

/** Load a delimited text count table. */
export async function loadDelimited(file: InputFile, opts: LoadOptions = {}): Promise<LoadedDataset> {
  const budget = opts.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const parser = new TableParser(file, budget);
  const splitter = new LineSplitter((buf, s, e, line) => parser.onLine(buf, s, e, line));
  const sniffer = new BinarySniffer(file);
  const cancelled = (): InputError => new InputError('cancelled', file.name, 'loading was cancelled');
  let lastReport = -Infinity;
  const onBytes = opts.onProgress
    ? (read: number, total: number): void => {
        const now = Date.now();
        if (now - lastReport < PROGRESS_INTERVAL_MS) return;
        lastReport = now;
        opts.onProgress!({
          file: file.name,
          fraction: total > 0 ? read / total : 1,
          message: `Reading ${file.name}: ${parser.nRows.toLocaleString('en-US')} rows`,
        });
      }
    : undefined;

  let totalBytes = 0;
  // In a gzip file a content error may be an artefact of damaged compressed data, so the rest of the
  // stream is still decompressed (not parsed) to tell the two apart; the damage is the error to report.
  const gzip = await isGzip(file);
  let contentError: InputError | null = null;
  try {
    for await (const chunk of readChunks(file, { signal: opts.signal, onBytes })) {
      if (opts.signal?.aborted) throw cancelled();
      if (contentError) continue;
      try {
        sniffer.check(chunk);
        totalBytes += chunk.length;
        splitter.push(chunk);
      } catch (e) {
        if (!gzip || !isInputError(e) || e.code === 'cancelled') throw e;
        contentError = e;
      }
    }
  } catch (e) {
    if (isInputError(e) && e.code === 'corrupt-file') {
      const where = contentError
        ? `; the text read before the damage is already broken at line ${contentError.location.line ?? 1}`
        : `; the readable part ends after line ${splitter.line}`;
      throw new InputError('corrupt-file', file.name, `${e.detail}${where}`, {
        line: contentError ? (contentError.location.line ?? 1) : splitter.line + 1,
      });
    }
    throw e;
  }
  if (contentError) throw contentError;
  splitter.end();
  const table = parser.finish(totalBytes, splitter.line);
  if (opts.signal?.aborted) throw cancelled();

  const { chosen, reason, warnings } = decideOrientation(table, opts.orientation ?? 'auto');
  let counts = table.matrix;
  if (chosen === 'genes-x-cells') {
    const needed = 2 * csrBytes(counts);
    if (needed > budget) {
      throw new InputError(
        'too-large',
        file.name,
        `turning the genes x cells table into cells x genes needs about ${formatBytes(needed)}, ` +
          `more than the ${formatBytes(budget)} allowed`,
      );
    }
    counts = transposeCsr(counts);
  }
  opts.onProgress?.({ file: file.name, fraction: 1, message: `Read ${file.name}` });
  return {
    name: file.name,
    format: table.delimiter === TAB ? 'tsv' : 'csv',
    matrix: {
      counts,
      cellIds: chosen === 'genes-x-cells' ? table.colIds : table.rowIds,
      geneIds: chosen === 'genes-x-cells' ? table.rowIds : table.colIds,
    },
    sourceFiles: [file.relativePath],
    orientation: { chosen, reason },
    warnings: [...table.warnings, ...warnings],
    integerValued: table.integerValued,
  };
}

function decideOrientation(
  table: ParsedTable,
  requested: Orientation | 'auto',
): { chosen: Orientation; reason: string; warnings: string[] } {
  const detected = detectOrientation(table.rowIds, table.colIds);
  if (requested === 'auto') return { ...detected, warnings: [] };
  const reason = `set by the user: ${orientationLabel(requested)} (rows are ${requested === 'genes-x-cells' ? 'genes' : 'cells'})`;
  const warnings =
    detected.chosen !== requested && !detected.reason.startsWith('the names do not tell')
      ? [
          `the orientation was set to ${orientationLabel(requested)}, but ${detected.reason.replace(/, so rows.*$/, '')}`,
        ]
      : [];
  return { chosen: requested, reason, warnings };
}

const FLIP_MARK = 'flipped by the user';

/**
 * Swap genes and cells of a delimited-text dataset whose orientation was guessed wrong: the counts are
 * transposed and the ids swapped. The reason keeps the automatic reading so that the user sees both.
 */
export function flipOrientation(ds: LoadedDataset): LoadedDataset {
  if (!ds.orientation) throw new Error(`flipOrientation: ${ds.name} has a fixed orientation (${ds.format})`);
  const chosen: Orientation = ds.orientation.chosen === 'genes-x-cells' ? 'cells-x-genes' : 'genes-x-cells';
  const previous = ds.orientation.reason;
  const original = previous.startsWith(FLIP_MARK)
    ? previous.slice(previous.indexOf('; before: ') + 10)
    : previous;
  const rows = chosen === 'genes-x-cells' ? 'genes' : 'cells';
  const cols = chosen === 'genes-x-cells' ? 'cells' : 'genes';
  return {
    ...ds,
    matrix: {
      counts: transposeCsr(ds.matrix.counts),
      cellIds: ds.matrix.geneIds,
      geneIds: ds.matrix.cellIds,
    },
    orientation: {
      chosen,
      reason: `${FLIP_MARK}: the file's rows are now read as ${rows} and its columns as ${cols}; before: ${original}`,
    },
  };
}
