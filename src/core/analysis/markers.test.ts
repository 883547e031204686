import { describe, expect, it } from 'vitest';
import { denseMatrix } from '../matrix/dense.ts';
import { createRng } from '../rng.ts';
import { benjaminiHochberg, erfc, findMarkers, rankSumZ, twoSidedNormalP } from './markers.ts';

/** One-gene matrix (cells x 1). */
function column(values: number[]) {
  return denseMatrix(values.length, 1, Float32Array.from(values));
}

/** Reference: sort-per-test average ranks (O(n log n) per cluster), tie term, z, for one gene and cluster. */
function naiveZ(values: ArrayLike<number>, labels: ArrayLike<number>, cluster: number): number {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) if (labels[i]! >= 0) idx.push(i);
  idx.sort((a, b) => values[a]! - values[b]!);
  const n = idx.length;
  let r1 = 0;
  let n1 = 0;
  let ties = 0;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && values[idx[j]!] === values[idx[i]!]) j++;
    const t = j - i;
    ties += t * t * t - t;
    for (let q = i; q < j; q++) {
      if (labels[idx[q]!] === cluster) {
        r1 += (i + 1 + j) / 2;
        n1++;
      }
    }
    i = j;
  }
  const n2 = n - n1;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  return variance > 0 ? (r1 - (n1 * (n + 1)) / 2) / Math.sqrt(variance) : 0;
}

describe('Wilcoxon rank-sum pieces', () => {
  it('erfc and the two-sided p match scipy', () => {
    // scipy.special.erfc(0.5) = 0.4795001221869535, erfc(3) = 2.2090496998585445e-05,
    // erfc(10) = 2.0884875837625446e-45
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 13);
    expect(erfc(3) / 2.2090496998585445e-5).toBeCloseTo(1, 11);
    expect(erfc(10) / 2.0884875837625446e-45).toBeCloseTo(1, 11);
    expect(erfc(-0.5)).toBeCloseTo(2 - 0.4795001221869535, 13);
    // 2 * scipy.stats.norm.sf(1.959963984540054) = 0.05
    expect(twoSidedNormalP(1.959963984540054)).toBeCloseTo(0.05, 12);
    expect(twoSidedNormalP(-1.959963984540054)).toBeCloseTo(0.05, 12);
    expect(twoSidedNormalP(0)).toBe(1);
  });

  it('rankSumZ: hand-computed U with the tie-corrected variance', () => {
    // Group A = [2, 3, 3, 0] among A ∪ B, B = [0, 0, 1, 2, 3]. Average ranks: 0 → 2 (×3), 1 → 4, 2 → 5.5 (×2),
    // 3 → 8 (×3). R_A = 5.5 + 8 + 8 + 2 = 23.5, U_A = 23.5 − 4·5/2 = 13.5, mean n1 n2 / 2 = 10.
    // Ties Σ(t³ − t) = 24 + 6 + 24 = 54; var = 20/12 · (10 − 54/72) = 15.41667; z = 3.5 / √15.41667.
    expect(rankSumZ(23.5, 4, 9, 54)).toBeCloseTo(3.5 / Math.sqrt((20 / 12) * (10 - 54 / 72)), 12);
    // Degenerate: empty group, whole set, or everything tied.
    expect(rankSumZ(0, 0, 9, 0)).toBe(0);
    expect(rankSumZ(45, 9, 9, 0)).toBe(0);
    expect(rankSumZ(10, 4, 4, 60)).toBe(0);
  });

  it('benjaminiHochberg on a known vector', () => {
    // Sorted p 0.005, 0.01, 0.03, 0.04, 0.2 → p·m/rank 0.025, 0.025, 0.05, 0.05, 0.2, then the running minimum
    // from the largest: unchanged. Back in input order:
    const adj = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.2]);
    const expected = [0.025, 0.05, 0.05, 0.025, 0.2];
    expected.forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 12));
    // The running minimum matters: p·m/rank = 0.06, 0.04 → both 0.04; capped at 1.
    const adj2 = benjaminiHochberg([0.03, 0.04]);
    expect(adj2[0]).toBeCloseTo(0.04, 12);
    expect(adj2[1]).toBeCloseTo(0.04, 12);
    expect(benjaminiHochberg([0.9, 0.8])[0]).toBeCloseTo(0.9, 12);
    expect(benjaminiHochberg([1, 1])[0]).toBe(1);
  });
});

describe('findMarkers', () => {
  it('matches scipy mannwhitneyu, the expm1 fold change and the fractions on a tiny example', async () => {
    // Cluster 0 = [2, 3, 3, 0], cluster 1 = [0, 0, 1, 2, 3]. Reference (scipy 1.17):
    //   mannwhitneyu(a, b, use_continuity=False, method='asymptotic') → U = 13.5, p = 0.3727144268392836,
    //   z = norm.isf(p / 2) = 0.8914003559538185;
    //   log2(mean(expm1(a)) / mean(expm1(b))) = 1.0344528525297247.
    const x = column([2, 0, 3, 0, 3, 1, 0, 2, 3]);
    const labels = Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1, 1]);
    const [c0, c1] = await findMarkers(x, labels, ['G']);
    const m0 = c0!.markers[0]!;
    expect(c0!.nCells).toBe(4);
    expect(m0.gene).toBe('G');
    expect(m0.z).toBeCloseTo(0.8914003559538185, 10);
    expect(m0.pValue).toBeCloseTo(0.3727144268392836, 10);
    expect(m0.pAdj).toBeCloseTo(0.3727144268392836, 10);
    expect(m0.log2FoldChange).toBeCloseTo(1.0344528525297247, 6);
    expect(m0.fractionIn).toBe(3 / 4);
    expect(m0.fractionOut).toBe(3 / 5);
    // The other side: same p, opposite z and fold change.
    const m1 = c1!.markers[0]!;
    expect(m1.z).toBeCloseTo(-0.8914003559538185, 10);
    expect(m1.pValue).toBeCloseTo(0.3727144268392836, 10);
    expect(m1.log2FoldChange).toBeCloseTo(-1.0344528525297247, 6);
    expect(m1.fractionIn).toBe(3 / 5);
    expect(m1.fractionOut).toBe(3 / 4);
  });

  it('ranks negative values below the zero tie group and leaves unlabelled cells out (scipy values)', async () => {
    // x = [-0.5, 0, 0, 1.5, -0.5, 2, 0, 0.7, 1.5, 0, -1.2, 3], labels [0,0,0,0,1,1,1,1,2,2,2,-1]; the unlabelled
    // cell dropped, each cluster vs the rest with scipy mannwhitneyu(use_continuity=False, 'asymptotic'):
    //   cluster 0: U = 13, z = -0.19435721050356033, p = 0.8458961920755286
    //   cluster 1: U = 17, z = 0.583071631510681,    p = 0.5598450800085171
    //   cluster 2: U = 10, z = -0.41985956137981584, p = 0.6745880506934296
    const x = column([-0.5, 0, 0, 1.5, -0.5, 2, 0, 0.7, 1.5, 0, -1.2, 3]);
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, -1]);
    const res = await findMarkers(x, labels, ['G']);
    const expected = [
      [-0.19435721050356033, 0.8458961920755286],
      [0.583071631510681, 0.5598450800085171],
      [-0.41985956137981584, 0.6745880506934296],
    ];
    expect(res.map((r) => r.nCells)).toEqual([4, 4, 3]);
    res.forEach((r, c) => {
      expect(r.markers[0]!.z).toBeCloseTo(expected[c]![0]!, 10);
      expect(r.markers[0]!.pValue).toBeCloseTo(expected[c]![1]!, 10);
    });
    // Fractions count values > 0 only (negatives are not "expressing").
    expect(res[0]!.markers[0]!.fractionIn).toBe(1 / 4);
    expect(res[2]!.markers[0]!.fractionIn).toBe(1 / 3);
  });

  it('agrees with a sort-per-cluster reference on random data with many ties, across block boundaries', async () => {
    const rng = createRng(11);
    const nCells = 700;
    const nGenes = 70; // not a multiple of the 64-gene block
    const k = 5;
    const data = new Float32Array(nCells * nGenes);
    for (let i = 0; i < data.length; i++) {
      const u = rng.next();
      // zeros, a few repeated levels, negatives, and continuous values of widely varying magnitude
      data[i] =
        u < 0.5
          ? 0
          : u < 0.65
            ? Math.log1p(1 + rng.int(3))
            : u < 0.7
              ? -rng.next() * 2
              : rng.normal() * 10 ** (rng.int(6) - 3);
    }
    const labels = Int32Array.from({ length: nCells }, () => rng.int(k + 1) - 1); // some -1
    const genes = Array.from({ length: nGenes }, (_, g) => `g${g}`);
    const res = await findMarkers(denseMatrix(nCells, nGenes, data), labels, genes, { topN: nGenes });
    for (let c = 0; c < k; c++) {
      const byGene = new Map(res[c]!.markers.map((m) => [m.geneIndex, m]));
      expect(byGene.size).toBe(nGenes);
      for (let g = 0; g < nGenes; g++) {
        const col = Array.from({ length: nCells }, (_, i) => data[i * nGenes + g]!);
        expect(byGene.get(g)!.z).toBeCloseTo(naiveZ(col, labels, c), 9);
      }
      // Ranked by z, descending.
      const z = res[c]!.markers.map((m) => m.z);
      for (let i = 1; i < z.length; i++) expect(z[i]!).toBeLessThanOrEqual(z[i - 1]!);
    }
  });

  it('finds planted markers, keeps the top N, and BH-adjusts within the cluster', async () => {
    const rng = createRng(5);
    const nCells = 300;
    const nGenes = 40;
    const labels = Int32Array.from({ length: nCells }, (_, i) => i % 3);
    const data = new Float32Array(nCells * nGenes);
    for (let i = 0; i < nCells; i++) {
      for (let g = 0; g < nGenes; g++) {
        let v = rng.next() < 0.6 ? 0 : Math.log1p(rng.int(4));
        // gene 3c is high in cluster c
        if (g === 3 * labels[i]!) v = Math.log1p(10 + rng.int(5));
        data[i * nGenes + g] = v;
      }
    }
    const genes = Array.from({ length: nGenes }, (_, g) => `g${g}`);
    const res = await findMarkers(denseMatrix(nCells, nGenes, data), labels, genes, { topN: 5 });
    for (let c = 0; c < 3; c++) {
      const top = res[c]!.markers;
      expect(top).toHaveLength(5);
      expect(top[0]!.gene).toBe(`g${3 * c}`);
      expect(top[0]!.fractionIn).toBe(1);
      expect(top[0]!.log2FoldChange).toBeGreaterThan(2);
      expect(top[0]!.pAdj).toBeLessThan(1e-30);
      // BH: adjusted p never below the raw p, and (top gene is the smallest p) exactly p·m/1.
      for (const m of top) expect(m.pAdj).toBeGreaterThanOrEqual(m.pValue);
      expect(top[0]!.pAdj / (top[0]!.pValue * nGenes)).toBeCloseTo(1, 12);
    }
  });

  it('reports progress, awaits checkpoints, and lets a checkpoint cancel', async () => {
    const nGenes = 150; // blocks of 64 genes
    const x = denseMatrix(4, nGenes, new Float32Array(4 * nGenes).fill(1));
    const labels = Int32Array.from([0, 0, 1, 1]);
    const genes = Array.from({ length: nGenes }, (_, g) => `g${g}`);
    const progress: number[] = [];
    let checkpoints = 0;
    const res = await findMarkers(x, labels, genes, {
      onProgress: (f) => progress.push(f),
      checkpoint: async () => void checkpoints++,
      checkpointEvery: 100,
    });
    expect(progress).toEqual([64 / 150, 128 / 150, 1]);
    expect(checkpoints).toBe(1); // after 128 genes (>= 100 since the last); none after the last block
    // A constant gene: every value tied → z = 0, p = 1.
    expect(res[0]!.markers[0]!.z).toBe(0);
    expect(res[0]!.markers[0]!.pValue).toBe(1);
    await expect(
      findMarkers(x, labels, genes, {
        checkpoint: () => Promise.reject(new Error('cancelled')),
        checkpointEvery: 1,
      }),
    ).rejects.toThrow('cancelled');
  });

  it('handles empty clusters and rejects mismatched inputs', async () => {
    const x = column([1, 0, 2]);
    const res = await findMarkers(x, Int32Array.from([0, 0, 2]), ['G']);
    expect(res).toHaveLength(3);
    expect(res[1]).toEqual({ cluster: 1, nCells: 0, markers: [] });
    await expect(findMarkers(x, Int32Array.from([0, 1]), ['G'])).rejects.toThrow(RangeError);
    await expect(findMarkers(x, Int32Array.from([0, 1, 1]), ['G', 'H'])).rejects.toThrow(RangeError);
  });
});
