/**
 * The in-memory form of a loaded single-cell dataset, shared by every loader and by preprocessing.
 *
 * Counts are always held cells x genes (rows = cells) as CSR, whatever the file's orientation; the scGNN
 * CSV convention (genes x cells) is transposed once at load time.
 */
import type { CsrMatrix } from './matrix/csr.ts';

/** A count matrix with its cell and gene identifiers. */
export interface CountMatrix {
  /** Cells x genes; values are raw counts (or whatever non-negative values the file held). */
  readonly counts: CsrMatrix;
  /** One id per row of `counts` (barcodes or cell names); unique. */
  readonly cellIds: string[];
  /** One id per column of `counts` (gene ids, e.g. Ensembl ids for 10x); unique. */
  readonly geneIds: string[];
  /** Optional human-readable gene symbols, parallel to `geneIds` (10x features column 2). */
  readonly geneSymbols?: string[];
}

/** How the rows and columns of a delimited text file map to genes and cells. */
export type Orientation = 'genes-x-cells' | 'cells-x-genes';

/** Formats the loaders understand. */
export type DatasetFormat = 'csv' | 'tsv' | 'mtx-v2' | 'mtx-v3' | 'h5-10x-v2' | 'h5-10x-v3' | 'h5ad';

/** Cell-type labels supplied by the user, kept for evaluation only (never model input). */
export interface CellLabels {
  /** Name of the labels file. */
  readonly fileName: string;
  /** Label per cell of the dataset, in `cellIds` order; null where the labels file has no entry. */
  readonly labels: (string | null)[];
  /** Number of dataset cells that received a label. */
  readonly nMatched: number;
  /** Number of rows in the labels file whose cell is not in the dataset. */
  readonly nUnmatched: number;
  /** Distinct label values, sorted. */
  readonly classes: string[];
}

/** What a loader returns. */
export interface LoadedDataset {
  /** Display name (file or folder name). */
  readonly name: string;
  readonly format: DatasetFormat;
  readonly matrix: CountMatrix;
  /** Files that were read, in order. */
  readonly sourceFiles: string[];
  /**
   * For delimited text: the orientation chosen and why. Null for formats whose orientation is fixed
   * (10x, h5ad), where flipping is not offered.
   */
  readonly orientation: { readonly chosen: Orientation; readonly reason: string } | null;
  /** Non-fatal observations shown to the user (e.g. "values are not integers"). */
  readonly warnings: string[];
  /** True when every stored value is an integer (raw counts). */
  readonly integerValued: boolean;
  readonly labels?: CellLabels;
}
