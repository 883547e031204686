/**
 * Reading a bulk RNA-seq matrix and matching its genes to the single-cell genes (issue 13).
 *
 * The file is a genes x samples table, comma- or tab-separated (decided from the header line and the file
 * name), with sample ids in the header (after an optional title for the gene column, or without one, R's
 * `write.table` style) and gene ids in the first column. Fields may be double-quoted (the same field splitter
 * as the count-table loader, `io/delimited-tokenizer.ts`); Windows line ends and a UTF-8 byte-order mark are
 * accepted. Values must be finite, non-negative numbers: a bulk sample is a sum of counts (or of a linear
 * rescaling of counts), and the deconvolution mixes it linearly.
 *
 * A gene id that appears on several rows is summed into one row, not rejected and not reduced to its first
 * row: bulk tables keyed by symbol often repeat a symbol that several transcripts or Ensembl ids map to, and
 * since a bulk value counts reads, the reads of both rows belong to the gene. A sample whose values are all
 * zero is refused (it cannot be normalised to proportions).
 */
import { splitFields, shownToken } from '../../io/delimited-tokenizer.ts';
import { BulkInputError, type BulkGeneMatch, type BulkMatrix } from './types.ts';

/** A plain decimal number (no hex, no "Infinity", no "NA"). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** How many example ids an error message shows from each side. */
const EXAMPLES = 3;

/** The delimiter of a table: from the name when it says (.tsv / .tab), else from the header line's counts. */
function chooseDelimiter(name: string, header: string): string {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.tsv') || base.endsWith('.tab')) return '\t';
  const tabs = header.split('\t').length - 1;
  const commas = header.split(',').length - 1;
  if (base.endsWith('.csv') && commas > 0) return ',';
  return tabs > 0 && tabs >= commas ? '\t' : ',';
}

function fail(name: string, detail: string, line?: number): never {
  throw new BulkInputError(`${name}${line !== undefined ? `, line ${line}` : ''}: ${detail}`);
}

function quoted(ids: readonly string[]): string {
  return ids.map((id) => `"${shownToken(id)}"`).join(', ');
}

/** Parse a genes x samples bulk expression table (see the file comment). Throws BulkInputError. */
export function parseBulkMatrix(text: string, name: string): BulkMatrix {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  let l = 0;
  const nextLine = (): { text: string; line: number } | null => {
    while (l < lines.length) {
      const raw = lines[l++]!;
      const t = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (t.trim() !== '') return { text: t, line: l };
    }
    return null;
  };
  const header = nextLine();
  if (!header) fail(name, 'the bulk file is empty (expected a header of sample ids and one row per gene)');
  const delim = chooseDelimiter(name, header.text);
  const split = (t: string, line: number): string[] => {
    const r = splitFields(t, delim);
    if (r.error) fail(name, r.error, line);
    return r.fields;
  };
  const headerFields = split(header.text, header.line);
  const first = nextLine();
  if (!first) fail(name, `the bulk file has a header (line ${header.line}) but no gene rows`, header.line);

  // The first data row says whether the header's first field titles the gene column or is a sample id.
  const firstFields = split(first.text, first.line);
  let sampleIds: string[];
  if (firstFields.length === headerFields.length) sampleIds = headerFields.slice(1);
  else if (firstFields.length === headerFields.length + 1 && headerFields[0] !== '') sampleIds = headerFields;
  else {
    fail(
      name,
      `the first gene row has ${firstFields.length} fields but the header (line ${header.line}) has ` +
        `${headerFields.length}: expected a gene id followed by one value per sample`,
      first.line,
    );
  }
  if (sampleIds.length === 0)
    fail(name, 'the bulk file has no samples: its header holds only the gene column', header.line);
  const seenSample = new Map<string, number>();
  sampleIds.forEach((id, j) => {
    if (id === '') fail(name, `sample ${j + 1} of the header has an empty name`, header.line);
    const prev = seenSample.get(id);
    if (prev !== undefined)
      fail(
        name,
        `sample id "${shownToken(id)}" appears twice in the header (samples ${prev + 1} and ${j + 1})`,
      );
    seenSample.set(id, j);
  });

  const nSamples = sampleIds.length;
  const geneIds: string[] = [];
  const rowOf = new Map<string, number>();
  // Every gene row is a line of its own, so the lines bound the rows.
  const values = new Float64Array(lines.length * nSamples);
  for (let row: { text: string; line: number } | null = first; row; row = nextLine()) {
    const fields = row === first ? firstFields : split(row.text, row.line);
    if (fields.length !== nSamples + 1) {
      fail(
        name,
        `expected a gene id and ${nSamples} values (as the header), found ${fields.length} fields`,
        row.line,
      );
    }
    const gene = fields[0]!;
    if (gene === '') fail(name, 'the gene id (first field) is empty', row.line);
    let r = rowOf.get(gene);
    if (r === undefined) {
      r = geneIds.length;
      rowOf.set(gene, r);
      geneIds.push(gene);
    }
    for (let s = 0; s < nSamples; s++) {
      const field = fields[s + 1]!;
      const v = DECIMAL.test(field) ? Number(field) : NaN;
      if (!Number.isFinite(v) || v < 0) {
        const what =
          field === ''
            ? 'is empty'
            : Number.isNaN(v)
              ? `"${shownToken(field)}" is not a number`
              : v < 0
                ? `${shownToken(field)} is negative`
                : `${shownToken(field)} is too large`;
        fail(
          name,
          `the value of gene "${shownToken(gene)}" in sample "${shownToken(sampleIds[s]!)}" (column ` +
            `${s + 2}) ${what}; bulk values must be non-negative numbers (counts)`,
          row.line,
        );
      }
      values[r * nSamples + s]! += v;
    }
  }
  const nGenes = geneIds.length;
  const out = values.slice(0, nGenes * nSamples);
  const zeroSamples: string[] = [];
  for (let s = 0; s < nSamples; s++) {
    let sum = 0;
    for (let g = 0; g < nGenes; g++) sum += out[g * nSamples + s]!;
    if (sum === 0) zeroSamples.push(sampleIds[s]!);
  }
  if (zeroSamples.length > 0) {
    fail(
      name,
      `${zeroSamples.length} sample${zeroSamples.length === 1 ? ' is' : 's are'} zero on every gene ` +
        `(${quoted(zeroSamples.slice(0, EXAMPLES))}${zeroSamples.length > EXAMPLES ? ', …' : ''}); ` +
        'remove them or load the raw counts',
    );
  }
  return { name, geneIds, sampleIds, values: out };
}

/** A gene id with case and an Ensembl-style version suffix (".12") ignored. */
export function looseGeneKey(id: string): string {
  return id.toLowerCase().replace(/\.\d+$/, '');
}

export interface GeneMatchOptions {
  readonly minGenes: number;
  readonly minGeneFraction: number;
}

/**
 * The single-cell genes the bulk matrix also has. Exact names first; then, among the genes still unmatched on
 * both sides, names equal once case and a ".N" version suffix are ignored (only where that loose name is
 * unique on both sides, so one bulk row never feeds two single-cell genes). Throws BulkInputError when fewer
 * than `minGenes`, or fewer than `minGeneFraction` of the single-cell genes, match.
 */
export function matchBulkGenes(
  bulk: BulkMatrix,
  scGeneIds: readonly string[],
  opts: GeneMatchOptions,
): BulkGeneMatch {
  const nSc = scGeneIds.length;
  const bulkRow = new Map<string, number>();
  bulk.geneIds.forEach((id, r) => {
    if (!bulkRow.has(id)) bulkRow.set(id, r);
  });
  const bulkOf = new Int32Array(nSc).fill(-1);
  const bulkUsed = new Uint8Array(bulk.geneIds.length);
  for (let g = 0; g < nSc; g++) {
    const r = bulkRow.get(scGeneIds[g]!);
    if (r !== undefined && !bulkUsed[r]) {
      bulkOf[g] = r;
      bulkUsed[r] = 1;
    }
  }
  // Loose keys of what is left on each side; -2 marks a key that two genes share (ambiguous).
  const looseBulk = new Map<string, number>();
  bulk.geneIds.forEach((id, r) => {
    if (bulkUsed[r]) return;
    const key = looseGeneKey(id);
    looseBulk.set(key, looseBulk.has(key) ? -2 : r);
  });
  const looseSc = new Map<string, number>();
  for (let g = 0; g < nSc; g++) {
    if (bulkOf[g]! >= 0) continue;
    const key = looseGeneKey(scGeneIds[g]!);
    looseSc.set(key, looseSc.has(key) ? -2 : g);
  }
  let looseMatches = 0;
  for (const [key, g] of looseSc) {
    const r = looseBulk.get(key);
    if (g >= 0 && r !== undefined && r >= 0) {
      bulkOf[g] = r;
      looseMatches++;
    }
  }
  const scIndex: number[] = [];
  const bulkIndex: number[] = [];
  for (let g = 0; g < nSc; g++) {
    if (bulkOf[g]! >= 0) {
      scIndex.push(g);
      bulkIndex.push(bulkOf[g]!);
    }
  }
  const n = scIndex.length;
  const needed = Math.max(opts.minGenes, Math.ceil(opts.minGeneFraction * nSc));
  if (n < needed) {
    const which =
      n < opts.minGenes
        ? `at least ${opts.minGenes} are needed`
        : `at least ${(opts.minGeneFraction * 100).toFixed(0)} % of the single-cell genes (${needed}) are needed`;
    throw new BulkInputError(
      `${bulk.name}: only ${n} of the ${nSc} single-cell genes are in the bulk matrix's ` +
        `${bulk.geneIds.length} genes (${looseMatches} of them after ignoring case and version suffixes); ` +
        `${which}. Single-cell genes look like ${quoted(scGeneIds.slice(0, EXAMPLES))}, bulk genes like ` +
        `${quoted(bulk.geneIds.slice(0, EXAMPLES))}: both must use the same kind of gene id (symbols or ` +
        'Ensembl ids) and the same species',
    );
  }
  return {
    scIndex: Int32Array.from(scIndex),
    bulkIndex: Int32Array.from(bulkIndex),
    nScGenes: nSc,
    nBulkGenes: bulk.geneIds.length,
    looseMatches,
  };
}
