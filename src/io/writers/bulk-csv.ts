/**
 * The bulk integration's outputs (issue 13), written in chunks like the other CSV writers:
 *   bulk_proportions.csv   `sample,cluster,proportion`: each bulk sample's estimated cell-type proportions,
 *                          clusters numbered as in labels.csv; each sample's proportions sum to 1
 *   bulk_profiles.csv      genes x clusters: each cluster's expression profile after the deconvolution (mean
 *                          s_i · count per cell of that type, the model input's linear scale), with gene ids
 *   bulk_weights.csv       `gene,single_cell_weight`: per gene, the weight in [0, 1] of the single-cell
 *                          estimate in the blended imputation (the bulk-corrected estimate has the rest)
 */
import { csvField, formatNumber, type TextSink } from './csv-writers.ts';

/** The parts of a deconvolution these writers read. */
export interface ProportionTable {
  readonly sampleIds: readonly string[];
  readonly nClusters: number;
  /** samples x clusters, row-major. */
  readonly proportions: ArrayLike<number>;
}

async function writeLines(sink: TextSink, lines: Iterable<string>): Promise<void> {
  let buf: string[] = [];
  let size = 0;
  for (const line of lines) {
    buf.push(line);
    size += line.length;
    if (size >= 1 << 20) {
      await sink.write(buf.join(''));
      buf = [];
      size = 0;
    }
  }
  if (buf.length) await sink.write(buf.join(''));
}

/** `sample,cluster,proportion`, one line per sample and cluster. */
export async function writeBulkProportionsCsv(sink: TextSink, d: ProportionTable): Promise<void> {
  const { sampleIds, nClusters, proportions } = d;
  if (proportions.length !== sampleIds.length * nClusters)
    throw new RangeError(
      `${proportions.length} proportions for ${sampleIds.length} samples x ${nClusters} clusters`,
    );
  await writeLines(
    sink,
    (function* () {
      yield 'sample,cluster,proportion\n';
      for (let s = 0; s < sampleIds.length; s++)
        for (let c = 0; c < nClusters; c++)
          yield `${csvField(sampleIds[s]!)},${c},${formatNumber(proportions[s * nClusters + c]!, 6)}\n`;
    })(),
  );
}

/** Genes x clusters (`gene,cluster0,cluster1,…`) from a clusters x genes row-major array. */
export async function writeBulkProfilesCsv(
  sink: TextSink,
  profiles: ArrayLike<number>,
  nClusters: number,
  geneIds: readonly string[],
): Promise<void> {
  const nGenes = geneIds.length;
  if (profiles.length !== nClusters * nGenes)
    throw new RangeError(`${profiles.length} profile values for ${nClusters} clusters x ${nGenes} genes`);
  await writeLines(
    sink,
    (function* () {
      yield ['gene', ...Array.from({ length: nClusters }, (_, c) => `cluster${c}`)].join(',') + '\n';
      for (let g = 0; g < nGenes; g++) {
        const row = [csvField(geneIds[g]!)];
        for (let c = 0; c < nClusters; c++) row.push(formatNumber(profiles[c * nGenes + g]!, 6));
        yield row.join(',') + '\n';
      }
    })(),
  );
}

/** `gene,single_cell_weight`, one line per gene of the run. */
export async function writeBulkWeightsCsv(
  sink: TextSink,
  weights: ArrayLike<number>,
  geneIds: readonly string[],
): Promise<void> {
  if (weights.length !== geneIds.length)
    throw new RangeError(`${weights.length} weights for ${geneIds.length} genes`);
  await writeLines(
    sink,
    (function* () {
      yield 'gene,single_cell_weight\n';
      for (let g = 0; g < geneIds.length; g++)
        yield `${csvField(geneIds[g]!)},${formatNumber(weights[g]!, 6)}\n`;
    })(),
  );
}
