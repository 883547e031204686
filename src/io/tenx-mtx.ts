/**
 * 10x Genomics MatrixMarket loader (Cell Ranger "MEX" folders, v2 and v3).
 *
 * A folder holds `matrix.mtx(.gz)` (1-based `gene cell value` triplets), `barcodes.tsv(.gz)` (one cell per line)
 * and either `features.tsv(.gz)` (v3: id, symbol, feature type) or `genes.tsv` (v2: id, symbol). The matrix is
 * streamed through a byte-level parser straight into typed arrays preallocated from the header's entry count
 * (after a memory-budget check), then turned into cells x genes CSR. No line strings, no per-entry objects and
 * never a dense copy: a 1M-cell file costs ~12 bytes per stored value while parsing.
 */
import type { LoadedDataset } from '../core/dataset.ts';
import { csrFromCoo } from '../core/matrix/csr.ts';
import { InputError, formatBytes } from './errors.ts';
import { readChunks, readLines, type InputFile } from './input-file.ts';
import { DEFAULT_MEMORY_BUDGET_BYTES, type LoadOptions } from './load-types.ts';

export interface TenxMtxFiles {
  matrix: InputFile;
  /** features.tsv(.gz) (v3) or genes.tsv(.gz) (v2). */
  features: InputFile;
  barcodes: InputFile;
}

/** The feature type scanpy's `gex_only` keeps; other types (antibody capture, CRISPR, peaks) are dropped. */
export const GENE_EXPRESSION = 'Gene Expression';

/** Bytes held per stored entry while parsing: cell index, gene index (int32) and value (float32). */
const BYTES_PER_ENTRY = 12;

/** Longest numeric token we accept; longer ones are reported as non-numeric. */
const MAX_TOKEN = 64;

interface Features {
  ids: string[];
  symbols: string[];
  /** 'Gene Expression' etc. per feature (v3); null for v2. */
  types: string[] | null;
  /** Number of tab-separated columns (2 for v2, 3+ for v3). */
  columns: number;
}

/** Read features.tsv / genes.tsv: every line must have the column count of the first line. */
async function readFeatures(file: InputFile, signal?: AbortSignal): Promise<Features> {
  const ids: string[] = [];
  const symbols: string[] = [];
  const types: string[] = [];
  const seen = new Map<string, number>();
  let columns = 0;
  for await (const [line, text] of readLines(file, signal ? { signal } : {})) {
    const parts = text.split('\t');
    if (columns === 0) {
      if (parts.length < 2) {
        throw new InputError(
          'ragged-row',
          file.name,
          `expected 2 (v2 genes.tsv: id, symbol) or 3 (v3 features.tsv: id, symbol, type) tab-separated columns, ` +
            `found ${parts.length}: "${clip(text)}"`,
          { line },
        );
      }
      columns = parts.length;
    } else if (parts.length !== columns) {
      throw new InputError(
        'ragged-row',
        file.name,
        `expected ${columns} tab-separated columns like line 1, found ${parts.length}: "${clip(text)}"`,
        { line },
      );
    }
    const id = parts[0]!;
    if (id === '')
      throw new InputError('ragged-row', file.name, 'the feature id (column 1) is empty', { line });
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw new InputError(
        'duplicate-id',
        file.name,
        `feature id "${id}" appears on lines ${prev} and ${line}`,
        {
          line,
        },
      );
    }
    seen.set(id, line);
    ids.push(id);
    symbols.push(parts[1]!);
    if (columns >= 3) types.push(parts[2]!);
  }
  if (ids.length === 0) throw new InputError('empty-file', file.name, 'the features file has no lines');
  return { ids, symbols, types: columns >= 3 ? types : null, columns };
}

/** Read barcodes.tsv: one barcode per line (first tab-separated column), unique. */
async function readBarcodes(file: InputFile, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  const seen = new Map<string, number>();
  for await (const [line, text] of readLines(file, signal ? { signal } : {})) {
    const tab = text.indexOf('\t');
    const barcode = (tab < 0 ? text : text.slice(0, tab)).trim();
    if (barcode === '') throw new InputError('ragged-row', file.name, 'empty barcode line', { line });
    const prev = seen.get(barcode);
    if (prev !== undefined) {
      throw new InputError(
        'duplicate-id',
        file.name,
        `barcode "${barcode}" appears on lines ${prev} and ${line}`,
        {
          line,
        },
      );
    }
    seen.set(barcode, line);
    out.push(barcode);
  }
  if (out.length === 0) throw new InputError('empty-file', file.name, 'the barcodes file has no lines');
  return out;
}

function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
}

/** The immediate folder of the matrix file (`sample/matrix.mtx.gz` -> `sample`), else the file name. */
function datasetName(matrix: InputFile): string {
  const parts = matrix.relativePath.split('/').filter((p) => p.length > 0);
  return parts.length >= 2 ? parts[parts.length - 2]! : 'matrix.mtx';
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NONFINITE_RE = /^[+-]?(nan|inf|infinity)$/i;

export async function loadTenxMtx(files: TenxMtxFiles, opts: LoadOptions = {}): Promise<LoadedDataset> {
  const { matrix: matrixFile, features: featuresFile, barcodes: barcodesFile } = files;
  const budget = opts.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const progress = (fraction: number, message: string, file: string): void =>
    opts.onProgress?.({ file, fraction, message });

  progress(0, 'reading features', featuresFile.name);
  const features = await readFeatures(featuresFile, opts.signal);
  progress(0.02, 'reading barcodes', barcodesFile.name);
  const barcodes = await readBarcodes(barcodesFile, opts.signal);
  const isV3 = features.columns >= 3 || /^features\.tsv/i.test(featuresFile.name);

  // Gene Expression filter (scanpy's gex_only): map each feature line to its output column or -1.
  const nFeatures = features.ids.length;
  const geneMap = new Int32Array(nFeatures);
  const warnings: string[] = [];
  let geneIds = features.ids;
  let geneSymbols = features.symbols;
  const types = features.types;
  const hasGex = types !== null && types.includes(GENE_EXPRESSION);
  if (types !== null && hasGex && types.some((t) => t !== GENE_EXPRESSION)) {
    const dropped = new Map<string, number>();
    geneIds = [];
    geneSymbols = [];
    for (let i = 0; i < nFeatures; i++) {
      const t = types[i]!;
      if (t === GENE_EXPRESSION) {
        geneMap[i] = geneIds.length;
        geneIds.push(features.ids[i]!);
        geneSymbols.push(features.symbols[i]!);
      } else {
        geneMap[i] = -1;
        dropped.set(t, (dropped.get(t) ?? 0) + 1);
      }
    }
    const what = [...dropped].map(([t, n]) => `${n} "${t}"`).join(', ');
    warnings.push(
      `${featuresFile.name}: kept the ${geneIds.length} "${GENE_EXPRESSION}" features and dropped ${what} ` +
        `feature${nFeatures - geneIds.length === 1 ? '' : 's'} (as scanpy's gex_only does)`,
    );
  } else {
    for (let i = 0; i < nFeatures; i++) geneMap[i] = i;
    if (types !== null && !hasGex) {
      warnings.push(
        `${featuresFile.name}: no "${GENE_EXPRESSION}" features; kept all ${nFeatures} features ` +
          `(types: ${[...new Set(types)].join(', ')})`,
      );
    }
  }
  const nGenesOut = geneIds.length;
  const nCells = barcodes.length;

  // ---- matrix.mtx: header, then the byte-level triplet parser --------------------------------------------
  const mname = matrixFile.name;
  let lineNo = 0;
  let headerDone = false;
  let headerCarry = '';
  const headerDecoder = new TextDecoder('utf-8');
  let sawBanner = false;
  let declaredNnz = 0;
  let rows = new Int32Array(0);
  let cols = new Int32Array(0);
  let vals = new Float32Array(0);
  let stored = 0; // entries kept (Gene Expression)
  let seenEntries = 0; // triplet lines read
  let integerValued = true;
  let sawBytes = false;

  // Triplet-parser state, carried across chunks.
  let field = 0;
  let inComment = false;
  let tokLen = 0;
  let acc = 0;
  let allDigits = true;
  const tok = new Uint8Array(MAX_TOKEN);
  let gene = 0;
  let cell = 0;
  let value = 0;

  const tokenText = (): string => String.fromCharCode(...tok.subarray(0, Math.min(tokLen, MAX_TOKEN)));

  /** Parse a token that is not a plain digit string (decimals, exponents, signs, junk). */
  const slowNumber = (): number => {
    const what = field === 0 ? 'gene index' : field === 1 ? 'cell index' : 'value';
    if (tokLen > MAX_TOKEN) {
      throw new InputError('non-numeric', mname, `the ${what} "${tokenText()}..." is not a number`, {
        line: lineNo,
      });
    }
    const s = tokenText();
    if (NONFINITE_RE.test(s)) {
      throw new InputError('non-finite', mname, `the ${what} is "${s}"; values must be finite numbers`, {
        line: lineNo,
      });
    }
    if (!FLOAT_RE.test(s)) {
      throw new InputError('non-numeric', mname, `the ${what} "${s}" is not a number`, { line: lineNo });
    }
    const v = Number(s);
    if (!Number.isFinite(v)) {
      throw new InputError('non-finite', mname, `the ${what} "${s}" overflows to infinity`, { line: lineNo });
    }
    return v;
  };

  const endToken = (): void => {
    if (tokLen === 0) return;
    const v = allDigits && tokLen <= 15 ? acc : slowNumber();
    if (field === 0) gene = v;
    else if (field === 1) cell = v;
    else if (field === 2) value = v;
    field++;
    tokLen = 0;
    acc = 0;
    allDigits = true;
  };

  const endLine = (): void => {
    if (field === 0) return; // blank line
    if (field !== 3) {
      throw new InputError('ragged-row', mname, `expected 3 numbers (gene cell value), found ${field}`, {
        line: lineNo,
      });
    }
    field = 0;
    if (!Number.isInteger(gene) || gene < 1 || gene > nFeatures) {
      throw new InputError(
        'dimension-mismatch',
        mname,
        `gene index ${gene} is out of range 1..${nFeatures} (the size line and ${featuresFile.name})`,
        { line: lineNo },
      );
    }
    if (!Number.isInteger(cell) || cell < 1 || cell > nCells) {
      throw new InputError(
        'dimension-mismatch',
        mname,
        `cell index ${cell} is out of range 1..${nCells} (the size line and ${barcodesFile.name})`,
        { line: lineNo },
      );
    }
    if (value < 0) {
      throw new InputError('negative-value', mname, `negative value ${value} (counts must be >= 0)`, {
        line: lineNo,
      });
    }
    if (seenEntries >= declaredNnz) {
      throw new InputError(
        'dimension-mismatch',
        mname,
        `more entries than the ${declaredNnz} declared on the size line`,
        { line: lineNo },
      );
    }
    seenEntries++;
    const col = geneMap[gene - 1]!;
    if (col >= 0) {
      if (integerValued && !Number.isInteger(value)) integerValued = false;
      rows[stored] = cell - 1;
      cols[stored] = col;
      vals[stored] = value;
      stored++;
    }
  };

  /** Handle one header line; returns true once the size line has been read. */
  const headerLine = (text: string): boolean => {
    lineNo++;
    const t = text.trim();
    if (!sawBanner) {
      const parts = t.split(/\s+/).map((p) => p.toLowerCase());
      if (parts[0] !== '%%matrixmarket') {
        throw new InputError(
          'bad-header',
          mname,
          `the first line should be "%%MatrixMarket matrix coordinate integer general", found "${clip(t)}"`,
          { line: lineNo },
        );
      }
      if (parts[1] !== 'matrix' || parts[2] !== 'coordinate') {
        throw new InputError(
          'bad-header',
          mname,
          `only sparse "matrix coordinate" MatrixMarket files are supported, found "${clip(t)}"`,
          { line: lineNo },
        );
      }
      if (parts[3] !== 'integer' && parts[3] !== 'real') {
        throw new InputError(
          'bad-header',
          mname,
          `the value type must be "integer" or "real", found "${parts[3] ?? ''}"`,
          { line: lineNo },
        );
      }
      if (parts[4] !== 'general') {
        throw new InputError(
          'bad-header',
          mname,
          `only "general" (non-symmetric) matrices are supported, found "${parts[4] ?? ''}"`,
          { line: lineNo },
        );
      }
      sawBanner = true;
      return false;
    }
    if (t === '' || t.startsWith('%')) return false;
    const parts = t.split(/\s+/);
    if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) {
      throw new InputError(
        'bad-header',
        mname,
        `the size line should be three non-negative integers "genes cells entries", found "${clip(t)}"`,
        { line: lineNo },
      );
    }
    const [g, c, n] = parts.map(Number) as [number, number, number];
    if (g !== nFeatures) {
      throw new InputError(
        'dimension-mismatch',
        mname,
        `the size line declares ${g} genes but ${featuresFile.name} has ${nFeatures} lines`,
        { line: lineNo },
      );
    }
    if (c !== nCells) {
      throw new InputError(
        'dimension-mismatch',
        mname,
        `the size line declares ${c} cells but ${barcodesFile.name} has ${nCells} lines`,
        { line: lineNo },
      );
    }
    const need = n * BYTES_PER_ENTRY + (nCells + 1) * 4;
    if (need > budget) {
      throw new InputError(
        'too-large',
        mname,
        `${n} stored values (${nCells} cells x ${nFeatures} genes) need about ${formatBytes(need)} to load, ` +
          `more than the memory budget of ${formatBytes(budget)}`,
        { line: lineNo },
      );
    }
    declaredNnz = n;
    rows = new Int32Array(n);
    cols = new Int32Array(n);
    vals = new Float32Array(n);
    return true;
  };

  const total = matrixFile.blob.size || 1;
  for await (const chunk of readChunks(matrixFile, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    onBytes: (read) => progress(0.05 + 0.85 * (read / total), 'reading matrix', mname),
  })) {
    if (chunk.length > 0) sawBytes = true;
    let i = 0;
    if (!headerDone) {
      // Header lines are few and short: decode them as text.
      for (;;) {
        const nl = chunk.indexOf(10, i);
        if (nl < 0) {
          headerCarry += headerDecoder.decode(chunk.subarray(i), { stream: true });
          i = chunk.length;
          break;
        }
        const text = headerCarry + headerDecoder.decode(chunk.subarray(i, nl));
        headerCarry = '';
        i = nl + 1;
        if (headerLine(text)) {
          headerDone = true;
          lineNo++; // from here on lineNo is the line being parsed
          break;
        }
      }
      if (!headerDone) continue;
    }
    // Triplets: one pass over the bytes, digits accumulated inline.
    const n = chunk.length;
    for (; i < n; i++) {
      const b = chunk[i]!;
      if (inComment) {
        if (b === 10) {
          inComment = false;
          lineNo++;
        }
        continue;
      }
      if (b >= 48 && b <= 57) {
        if (tokLen < MAX_TOKEN) tok[tokLen] = b;
        tokLen++;
        acc = acc * 10 + (b - 48);
      } else if (b === 32 || b === 9 || b === 13) {
        if (tokLen > 0) endToken();
      } else if (b === 10) {
        if (tokLen > 0) endToken();
        endLine();
        lineNo++;
      } else if (b === 37 && field === 0 && tokLen === 0) {
        inComment = true; // a '%' comment line between triplets (tolerated)
      } else {
        if (tokLen < MAX_TOKEN) tok[tokLen] = b;
        tokLen++;
        allDigits = false;
      }
    }
  }
  if (!sawBytes) throw new InputError('empty-file', mname, 'the matrix file is empty');
  if (!headerDone) {
    headerCarry += headerDecoder.decode();
    if (headerCarry.trim() !== '' && headerLine(headerCarry)) {
      headerDone = true;
      lineNo++;
    }
    if (!headerDone) {
      throw new InputError(
        'bad-header',
        mname,
        sawBanner
          ? 'the file ends before the size line "genes cells entries"'
          : 'no "%%MatrixMarket" header line',
        { line: Math.max(lineNo, 1) },
      );
    }
  }
  if (tokLen > 0 || field > 0) {
    // Last line without a trailing newline.
    if (tokLen > 0) endToken();
    endLine();
    lineNo++;
  }
  if (seenEntries < declaredNnz) {
    throw new InputError(
      'dimension-mismatch',
      mname,
      `the size line declares ${declaredNnz} entries but the file has only ${seenEntries} ` +
        `(truncated file?)`,
      { line: lineNo - 1 },
    );
  }
  progress(0.92, 'building sparse matrix', mname);
  const counts = csrFromCoo(
    nCells,
    nGenesOut,
    rows.subarray(0, stored),
    cols.subarray(0, stored),
    vals.subarray(0, stored),
  );
  progress(1, 'done', mname);
  return {
    name: datasetName(matrixFile),
    format: isV3 ? 'mtx-v3' : 'mtx-v2',
    matrix: { counts, cellIds: barcodes, geneIds, geneSymbols },
    sourceFiles: [featuresFile.relativePath, barcodesFile.relativePath, matrixFile.relativePath],
    orientation: null,
    warnings,
    integerValued,
  };
}
