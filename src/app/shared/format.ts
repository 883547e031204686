/**
 * Small display formatters shared by the components (numbers, percentages, backend names).
 */
import type { DatasetFormat, Orientation } from '../../core/dataset.ts';

export { formatBytes } from '../../io/errors.ts';

const intFormat = new Intl.NumberFormat('en-US');

/** 12345 → "12,345". */
export function formatInt(n: number): string {
  return intFormat.format(n);
}

/** 0.9234 → "92.34 %". */
export function formatPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

export function formatSeconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

export { backendLabel } from '../../engine/backend-names.ts';

const FORMAT_NAMES: Record<DatasetFormat, string> = {
  csv: 'CSV (delimited text)',
  tsv: 'TSV (delimited text)',
  'mtx-v2': '10x Matrix Market, v2 (genes.tsv)',
  'mtx-v3': '10x Matrix Market, v3 (features.tsv)',
  'h5-10x-v2': '10x HDF5, v2',
  'h5-10x-v3': '10x HDF5, v3',
  h5ad: 'AnnData (.h5ad)',
};

export function formatLabel(format: DatasetFormat): string {
  return FORMAT_NAMES[format];
}

export function orientationLabel(o: Orientation): string {
  return o === 'genes-x-cells' ? 'genes x cells (rows are genes)' : 'cells x genes (rows are cells)';
}
