/**
 * Guessing whether a delimited count table is genes x cells or cells x genes from its row and column names.
 *
 * Each name is classified by pattern (Ensembl ids, gene symbols, 10x barcodes, plate wells, ...); each
 * side then gets a gene-likeness and a cell-likeness score. When the names do not tell, the table is
 * assumed to be genes x cells, the convention of the scGNN reference tool. The reason is written for a
 * biologist, with example names, so that a wrong guess is easy to spot and flip.
 */
import type { Orientation } from '../core/dataset.ts';

type IdKind =
  | 'ensembl'
  | 'model-gene-id'
  | 'gene-label'
  | 'gene-symbol'
  | 'barcode'
  | 'accession'
  | 'cell-label'
  | 'well'
  | 'number'
  | 'joined'
  | 'other';

interface KindInfo {
  /** Evidence that the name is a gene (> 0) or a cell (< 0), in [-1, 1]. */
  readonly weight: number;
  readonly description: string;
}

const KINDS: Record<IdKind, KindInfo> = {
  ensembl: { weight: 1, description: 'Ensembl gene ids' },
  'model-gene-id': { weight: 1, description: 'gene ids' },
  'gene-label': { weight: 1, description: 'gene names' },
  // Many sample names (S1, Sample3) also fit the symbol pattern, so a symbol is only weak evidence.
  'gene-symbol': { weight: 0.6, description: 'gene symbols' },
  barcode: { weight: -1, description: 'cell barcodes' },
  accession: { weight: -1, description: 'sample accessions, one per cell' },
  'cell-label': { weight: -1, description: 'cell names' },
  well: { weight: -0.8, description: 'plate well names, one cell per well' },
  number: { weight: -0.8, description: 'plain numbers, typical of cell indices' },
  // Gene symbols rarely contain "_", cell names built from sample, plate and well often do.
  joined: { weight: -0.6, description: 'cell names built from several parts' },
  other: { weight: 0, description: 'no recognisable pattern' },
};

const BARCODE = /^(?:[A-Za-z0-9]+[_:#-])?[ACGT]{12,16}(?:[-._][A-Za-z0-9]+)?$/;
const ENSEMBL = /ENS[A-Z]*G\d{9,}/;
const MODEL_GENE = /^(?:WBGene\d+|FBgn\d+|AT[1-5CM]G\d{5}(?:\.\d+)?|Y[A-P][LR]\d{3}[CW](?:-[A-Z])?)$/;
const ACCESSION = /^(?:GSM|SRR|ERR|DRR|SRX|ERX|SAM[NED]A?)\d+/;
const WELL = /^[A-P](?:0?[1-9]|1\d|2[0-4])$/;
const NUMBER = /^\d+$/;
const SYMBOL = /^[A-Za-z][A-Za-z0-9]*(?:[-.:@/][A-Za-z0-9]+)*$/;

function classify(id: string): IdKind {
  if (BARCODE.test(id)) return 'barcode';
  if (ENSEMBL.test(id)) return 'ensembl';
  if (MODEL_GENE.test(id)) return 'model-gene-id';
  if (/gene/i.test(id)) return 'gene-label';
  if (/cell/i.test(id)) return 'cell-label';
  if (ACCESSION.test(id)) return 'accession';
  if (WELL.test(id)) return 'well';
  if (NUMBER.test(id)) return 'number';
  if (id.includes('_')) return 'joined';
  if (id.length >= 2 && id.length <= 25 && SYMBOL.test(id)) return 'gene-symbol';
  return 'other';
}

interface SideSummary {
  /** Mean evidence in [-1, 1]: > 0 gene-like, < 0 cell-like. */
  readonly score: number;
  /** Sentence fragment, e.g. "look like gene symbols (e.g. Actb, Gapdh)". */
  readonly phrase: string;
}

/** Names examined per side: enough for a stable score without scanning 30 000 genes. */
const SAMPLE = 2000;
/** |evidence| below this (on a -2..2 scale) means the names do not decide. */
const DECISIVE = 0.3;

function summarise(ids: string[], leaning: 'gene' | 'cell' | null): SideSummary {
  if (ids.length === 0) return { score: 0, phrase: 'are missing' };
  const step = Math.max(1, Math.floor(ids.length / SAMPLE));
  const counts = new Map<IdKind, string[]>();
  let total = 0;
  let n = 0;
  for (let i = 0; i < ids.length; i += step) {
    const id = ids[i]!;
    const kind = classify(id);
    total += KINDS[kind].weight;
    n++;
    const list = counts.get(kind);
    if (list) list.push(id);
    else counts.set(kind, [id]);
  }
  const score = total / n;
  // Describe the most common kind that agrees with the side's overall leaning.
  let best: IdKind = 'other';
  let bestCount = 0;
  for (const [kind, list] of counts) {
    const w = KINDS[kind].weight;
    const agrees = leaning === 'gene' ? w > 0 : leaning === 'cell' ? w < 0 : w !== 0;
    if (agrees && list.length > bestCount) {
      best = kind;
      bestCount = list.length;
    }
  }
  const examples = (counts.get(best) ?? ids).slice(0, 2).join(', ');
  const phrase =
    best === 'other'
      ? `show no clear pattern (e.g. ${examples})`
      : `look like ${KINDS[best].description} (e.g. ${examples})`;
  return { score, phrase };
}

/**
 * Decide whether rows are genes (genes x cells) or cells (cells x genes) from the names, falling back to
 * genes x cells. `reason` explains the choice in plain words.
 */
export function detectOrientation(
  rowIds: string[],
  colIds: string[],
): { chosen: Orientation; reason: string } {
  const rowScore = summarise(rowIds, null).score;
  const colScore = summarise(colIds, null).score;
  // Positive: rows gene-like and/or columns cell-like.
  const evidence = rowScore - colScore;
  const shape = `${rowIds.length} rows and ${colIds.length} columns`;
  if (evidence >= DECISIVE) {
    const rows = summarise(rowIds, rowScore > 0 ? 'gene' : null);
    const cols = summarise(colIds, colScore < 0 ? 'cell' : null);
    return {
      chosen: 'genes-x-cells',
      reason: `row names ${rows.phrase} and column names ${cols.phrase}, so rows are read as genes and columns as cells (${shape})`,
    };
  }
  if (evidence <= -DECISIVE) {
    const rows = summarise(rowIds, rowScore < 0 ? 'cell' : null);
    const cols = summarise(colIds, colScore > 0 ? 'gene' : null);
    return {
      chosen: 'cells-x-genes',
      reason: `row names ${rows.phrase} and column names ${cols.phrase}, so rows are read as cells and columns as genes (${shape})`,
    };
  }
  const rows = summarise(rowIds, null);
  const cols = summarise(colIds, null);
  const names = `row names ${rows.phrase}, column names ${cols.phrase}`;
  const why =
    rowIds.length > colIds.length
      ? `because there are more rows (${rowIds.length}) than columns (${colIds.length})`
      : `even though there are ${rowIds.length} rows and ${colIds.length} columns; if the rows are cells, flip the orientation`;
  return {
    chosen: 'genes-x-cells',
    reason: `the names do not tell genes from cells (${names}); assumed genes x cells (the scGNN convention) ${why}`,
  };
}

/** "genes x cells" for display. */
export function orientationLabel(o: Orientation): string {
  return o === 'genes-x-cells' ? 'genes x cells' : 'cells x genes';
}
