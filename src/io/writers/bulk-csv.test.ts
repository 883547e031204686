import { describe, expect, it } from 'vitest';
import { writeBulkProfilesCsv, writeBulkProportionsCsv, writeBulkWeightsCsv } from './bulk-csv.ts';
import { stringSink } from './csv-writers.ts';

describe('bulk CSV writers', () => {
  it('writes the proportions one line per sample and cluster', async () => {
    const sink = stringSink();
    await writeBulkProportionsCsv(sink, {
      sampleIds: ['s1', 'tumour, left'],
      nClusters: 3,
      proportions: Float64Array.of(0.5, 0.25, 0.25, 0.1, 0.2, 0.7),
    });
    expect(sink.text()).toBe(
      'sample,cluster,proportion\n' +
        's1,0,0.5\ns1,1,0.25\ns1,2,0.25\n' +
        '"tumour, left",0,0.1\n"tumour, left",1,0.2\n"tumour, left",2,0.7\n',
    );
  });

  it('writes the profiles genes x clusters with the gene ids', async () => {
    const sink = stringSink();
    // clusters x genes: cluster 0 = (1, 2, 3), cluster 1 = (4, 5, 6)
    await writeBulkProfilesCsv(sink, Float64Array.of(1, 2, 3, 4, 5, 6.1234567), 2, ['A', 'B', 'C']);
    expect(sink.text()).toBe('gene,cluster0,cluster1\nA,1,4\nB,2,5\nC,3,6.123457\n');
  });

  it('writes the weights per gene', async () => {
    const sink = stringSink();
    await writeBulkWeightsCsv(sink, Float64Array.of(1, 0.25), ['A', 'B']);
    expect(sink.text()).toBe('gene,single_cell_weight\nA,1\nB,0.25\n');
  });

  it('refuses arrays of the wrong size', async () => {
    await expect(
      writeBulkProportionsCsv(stringSink(), { sampleIds: ['s'], nClusters: 2, proportions: [1] }),
    ).rejects.toThrow(RangeError);
    await expect(writeBulkProfilesCsv(stringSink(), [1, 2], 2, ['A', 'B'])).rejects.toThrow(RangeError);
    await expect(writeBulkWeightsCsv(stringSink(), [1], ['A', 'B'])).rejects.toThrow(RangeError);
  });
});
