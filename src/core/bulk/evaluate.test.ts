import { describe, expect, it } from 'vitest';
import { parseProportionTruth, proportionError, UNMAPPED } from './evaluate.ts';

describe('proportionError', () => {
  it('maps clusters to their majority label, sums them per label, and averages |error| over labels', () => {
    // Clusters 0 and 2 are mostly "T", cluster 1 mostly "B"; the truth also has "NK" (no cluster).
    const clusters = Int32Array.from([0, 0, 0, 1, 1, 2, 2, 2]);
    const labels = ['T', 'T', 'B', 'B', 'B', 'T', 'NK', 'T'];
    const deconv = {
      nClusters: 3,
      sampleIds: ['a', 'b'],
      proportions: Float64Array.from([0.2, 0.5, 0.3, 0.1, 0.1, 0.8]),
    };
    const truth = [
      { sample: 'a', label: 'T', proportion: 0.4 },
      { sample: 'a', label: 'B', proportion: 0.5 },
      { sample: 'a', label: 'NK', proportion: 0.1 },
      { sample: 'b', label: 'T', proportion: 1 },
    ];
    const e = proportionError(deconv, clusters, labels, truth);
    expect(e.clusterLabel).toEqual(['T', 'B', 'T']);
    // a: T 0.5 vs 0.4, B 0.5 vs 0.5, NK 0 vs 0.1 -> 0.2 / 3; b: T 0.9 vs 1, B 0.1 vs 0, NK 0 vs 0 -> 0.2 / 3.
    expect(e.perSample.map((p) => p.sample)).toEqual(['a', 'b']);
    expect(e.perSample[0]!.mae).toBeCloseTo(0.2 / 3, 12);
    expect(e.perSample[1]!.mae).toBeCloseTo(0.2 / 3, 12);
    expect(e.mae).toBeCloseTo(0.2 / 3, 12);
  });

  it('counts the share of a cluster without cells as error, and breaks majority ties by name', () => {
    const e = proportionError(
      { nClusters: 2, sampleIds: ['a'], proportions: Float64Array.from([0.75, 0.25]) },
      Int32Array.from([0, 0]),
      ['Y', 'X'],
      [{ sample: 'a', label: 'X', proportion: 1 }],
    );
    expect(e.clusterLabel).toEqual(['X', null]);
    // X 0.75 vs 1, (no cells) 0.25 vs 0.
    expect(e.mae).toBeCloseTo(0.25, 12);
    expect(UNMAPPED).toMatch(/without cells/);
    expect(() =>
      proportionError(
        { nClusters: 1, sampleIds: ['zz'], proportions: Float64Array.from([1]) },
        Int32Array.from([0]),
        ['X'],
        [],
      ),
    ).toThrow(/no line for bulk sample "zz"/);
  });
});

describe('parseProportionTruth', () => {
  it('reads sample,label,proportion in any column order, CRLF and quotes included', () => {
    const t = parseProportionTruth('label,sample,proportion\r\n"B, naive",s1,0.25\r\nT,s1,0.75\r\n');
    expect(t).toEqual([
      { sample: 's1', label: 'B, naive', proportion: 0.25 },
      { sample: 's1', label: 'T', proportion: 0.75 },
    ]);
    expect(() => parseProportionTruth('sample,label\ns,T\n')).toThrow(/no "proportion" column/);
    expect(() => parseProportionTruth('sample,label,proportion\ns,T,x\n', 't.csv')).toThrow(/t\.csv, line 2/);
  });
});
