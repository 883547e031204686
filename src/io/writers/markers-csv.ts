/**
 * The marker-gene tables (see src/core/analysis/markers.ts) as one CSV, computed on the input (raw, log1p)
 * values and on the imputed values:
 *
 *   cluster,rank,gene,log2FoldChange,z,pValue,pAdj,fractionIn,fractionOut,source
 *
 * `cluster` is numbered from 0 as in the labels CSV, `rank` from 1 (best first), `source` is `raw` or `imputed`;
 * all raw rows come first, then all imputed rows, each cluster by cluster. Fold change, z and fractions have at
 * most 4 decimals; p-values keep 4 significant digits (so 3.2e-45 is not written as 0). Rows go to the sink in
 * chunks of about 1 MB.
 */
import type { ClusterMarkers } from '../../core/analysis/markers.ts';
import { csvField, formatNumber, type TextSink } from './csv-writers.ts';

export const MARKERS_CSV_HEADER =
  'cluster,rank,gene,log2FoldChange,z,pValue,pAdj,fractionIn,fractionOut,source';

const CHUNK_CHARS = 1 << 20;

/** A p-value with 4 significant digits, exponent form below 1e-6 (as JavaScript prints numbers). */
export function formatPValue(p: number): string {
  if (p === 0 || !Number.isFinite(p)) return Number.isFinite(p) ? '0' : String(p);
  return String(Number(p.toPrecision(4)));
}

/** Write the raw and (when there is one) imputed marker tables. */
export async function writeMarkersCsv(
  sink: TextSink,
  raw: readonly ClusterMarkers[],
  imputed: readonly ClusterMarkers[] | null,
): Promise<void> {
  let parts: string[] = [MARKERS_CSV_HEADER + '\n'];
  let size = parts[0]!.length;
  const tables: [string, readonly ClusterMarkers[]][] = [['raw', raw]];
  if (imputed) tables.push(['imputed', imputed]);
  for (const [source, table] of tables) {
    for (const cluster of table) {
      for (let r = 0; r < cluster.markers.length; r++) {
        const m = cluster.markers[r]!;
        const line =
          [
            cluster.cluster,
            r + 1,
            csvField(m.gene),
            formatNumber(m.log2FoldChange),
            formatNumber(m.z),
            formatPValue(m.pValue),
            formatPValue(m.pAdj),
            formatNumber(m.fractionIn),
            formatNumber(m.fractionOut),
            source,
          ].join(',') + '\n';
        parts.push(line);
        size += line.length;
        if (size >= CHUNK_CHARS) {
          await sink.write(parts.join(''));
          parts = [];
          size = 0;
        }
      }
    }
  }
  if (parts.length > 0) await sink.write(parts.join(''));
}
