/**
 * Presets (presets.ts): lookup by name and the deep merge of overrides (b wins, nested objects merge, arrays
 * and typed arrays are replaced whole), on small objects whose merge is written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { validateParams, withParams, type ScgnnParamsOverride } from './params.ts';
import { mergeOverrides, presetByName, presets } from './presets.ts';

describe('presets (presets.ts)', () => {
  it('finds presets by name', () => {
    expect(presets.map((p) => p.name)).toEqual(['default', 'quick', 'scgnn1-paper', 'scgnn2']);
    expect(presetByName('quick')?.params.ltmg).toEqual({ enabled: false });
    expect(presetByName('scgnn2')?.params.graphAe?.model).toBe('gat');
    expect(presetByName('nope')).toBeUndefined();
  });

  it('merges nested overrides, the second winning, without touching the inputs', () => {
    const a: ScgnnParamsOverride = { seed: 1, featureAe: { pretrain: { epochs: 10, batchSize: 16 } } };
    const b: ScgnnParamsOverride = {
      featureAe: { pretrain: { epochs: 3 }, hidden: 64 },
      iterations: { max: 1 },
    };
    expect(mergeOverrides(a, b)).toEqual({
      seed: 1,
      featureAe: { pretrain: { epochs: 3, batchSize: 16 }, hidden: 64 },
      iterations: { max: 1 },
    });
    expect(a).toEqual({ seed: 1, featureAe: { pretrain: { epochs: 10, batchSize: 16 } } });
    expect(mergeOverrides(a, {})).toEqual(a);
  });

  it('replaces arrays and typed arrays instead of merging them', () => {
    const merged = mergeOverrides(
      { x: [1, 2, 3], t: Float32Array.of(1, 2) } as unknown as ScgnnParamsOverride,
      { x: [9], t: Float32Array.of(7) } as unknown as ScgnnParamsOverride,
    ) as unknown as { x: number[]; t: Float32Array };
    expect(merged.x).toEqual([9]);
    expect([...merged.t]).toEqual([7]);
  });

  it('the quick preset merged over the defaults keeps the untouched defaults', () => {
    const quick = presetByName('quick')!.params;
    const m = mergeOverrides(quick, { featureAe: { pretrain: { epochs: 2 } } });
    expect(m.featureAe?.pretrain?.epochs).toBe(2);
    expect(m.featureAe?.iteration?.epochs).toBe(3);
    expect(m.iterations?.max).toBe(2);
  });
});

/**
 * The resolved parameters of the reference presets against the reference note
 * (`../shared/docs/scgnn-reference.md`; § = its section), so that a change of the project's defaults or of a
 * preset that moves a run away from the reference fails here.
 */
describe('reference presets resolve to the reference values', () => {
  // §1.4 / §2.5: batch 12,800 without shuffling = full batch.
  // Fixed epochs whatever the number of cells: no training budget.
  const fullBatch = { batchSize: 12800, learningRate: 1e-3, l2: 0, reduction: 'sum', budgetCells: 0 };
  // §1.7 (v1), §2.1 (v2 "same resolution rule"): Louvain on the cell graph at igraph's resolution 1, one run,
  // every community counted, k = int(0.8 c) (< 2,000 cells) or int(0.5 c); k-means on the raw embedding;
  // trimClustering's 5 members / 30 clusters.
  const louvainK = {
    method: 'louvainK',
    resolution: 'auto',
    louvainResolution: 1,
    resolutionScaling: 'none',
    louvainGraph: 'cell-graph',
    louvainRuns: 1,
    countMinSize: 1,
    embeddingNorm: 'none',
    minClusterSize: 5,
    maxClusters: 30,
  };

  it("'scgnn1-paper': scGNN 1.0's benchmark runs (§1, §5.3)", () => {
    const p = withParams(presetByName('scgnn1-paper')!.params);
    expect(validateParams(p)).toEqual([]);
    // §1.2: no normalisation; §1.3 / §5.3: --regulized-type LTMG.
    expect(p.normalize).toBe('none');
    expect(p.ltmg.enabled).toBe(true);
    // §1.4: 512 / 128, ReLU everywhere, torch's init.
    expect(p.featureAe).toMatchObject({
      latentActivation: 'relu',
      latentBiasInit: 0,
      hidden: 512,
      latent: 128,
    });
    // §1.4: 500 epochs with 0.1 SSE + 0.9 LTMG; +200 per EM iteration; L1 only in imputation (bench).
    expect(p.featureAe.pretrain).toMatchObject({
      ...fullBatch,
      epochs: 500,
      mseWeight: 0.1,
      ltmgWeight: 0.9,
      l1: 0,
    });
    expect(p.featureAe.iteration).toMatchObject({
      ...fullBatch,
      epochs: 200,
      mseWeight: 1,
      ltmgWeight: 0,
      l1: 0,
    });
    // §1.5: k = 10, mean + std pruning, weights 1.
    expect(p.graph).toMatchObject({ k: 10, kRule: 'fixed', prune: 'mean-std', weights: 'binary' });
    // §1.6: GCN-VAE 32 -> 16 on 1·(z > column mean), lr 0.01, 200 epochs.
    expect(p.graphAe).toMatchObject({
      enabled: true,
      model: 'gcn',
      variational: true,
      binarizeInput: true,
      hidden: 32,
      latent: 16,
      epochs: 200,
      learningRate: 0.01,
    });
    expect(p.cluster).toMatchObject(louvainK);
    // §1.8: celltypeEM, 200 epochs per cluster AE.
    expect(p.clusterAe).toMatchObject({ ...fullBatch, enabled: true, epochs: 200, mseWeight: 1, l1: 0 });
    expect(p.clusterAe.observedWeight ?? 0).toBe(0);
    // §1.9: 10 EM iterations; scGNN.py's label-free ARI > 0.99 between iterations, no graph criterion.
    expect(p.iterations).toEqual({ max: 10, minAgreement: 0.99, maxGraphChange: 0 });
    // §1.10: initial weights, 200 epochs, gammaImputePara 0, graph 0.3, cell type 0.1, L1 1.0.
    expect(p.impute).toMatchObject({ enabled: true, mode: 'scgnn1', graphWeight: 0.3, celltypeWeight: 0.1 });
    expect(p.impute.train).toMatchObject({ ...fullBatch, epochs: 200, mseWeight: 0, ltmgWeight: 0, l1: 1 });
  });

  it("'scgnn2': scGNN 2.0 as its authors' run.sh (§2)", () => {
    const p = withParams(presetByName('scgnn2')!.params);
    expect(validateParams(p)).toEqual([]);
    // §2.5: log(x + 1) only.
    expect(p.normalize).toBe('none');
    // §2.1: the same feature AE.
    expect(p.featureAe).toMatchObject({
      latentActivation: 'relu',
      latentBiasInit: 0,
      hidden: 512,
      latent: 128,
    });
    // §2.5 --feature_AE_epoch 500 300; §2.2 (1 - 0.9) SSE + 0.9 LTMG pre-EM, plain SSE after, no L1.
    expect(p.featureAe.pretrain).toMatchObject({
      ...fullBatch,
      epochs: 500,
      mseWeight: 0.1,
      ltmgWeight: 0.9,
      l1: 0,
    });
    expect(p.featureAe.iteration).toMatchObject({
      ...fullBatch,
      epochs: 300,
      mseWeight: 1,
      ltmgWeight: 0,
      l1: 0,
    });
    // §2.1: k = round(0.05 N), weight 1/d, no pruning.
    expect(p.graph).toMatchObject({
      kRule: 'fraction',
      kFraction: 0.05,
      prune: 'none',
      weights: 'inverse-distance',
    });
    // §2.3, §2.5: GAT 64 x 2 heads -> 16, 200 epochs, lr 1e-2; raw embedding (v2's default normalize None).
    expect(p.graphAe).toMatchObject({
      enabled: true,
      model: 'gat',
      binarizeInput: false,
      gatHidden: 64,
      gatHeads: 2,
      latent: 16,
      epochs: 200,
      learningRate: 0.01,
    });
    expect(p.cluster).toMatchObject(louvainK);
    // §2.5 --cluster_AE_epoch 200; §2.2: observed term 1, L1 1, SSE 0.3 + graph 0.3 (its mean) + cell type 0.1.
    expect(p.clusterAe).toMatchObject({
      ...fullBatch,
      enabled: true,
      epochs: 200,
      mseWeight: 0.7,
      ltmgWeight: 0,
      l1: 1,
      observedWeight: 1,
    });
    // §2.5 --total_epoch 31, --ari_threshold 0.95 (label-free here), --graph_change_threshold 0.01.
    expect(p.iterations).toEqual({ max: 31, minAgreement: 0.95, maxGraphChange: 0.01 });
    // §2.1: closed loop.
    expect(p.impute).toMatchObject({ enabled: true, mode: 'closed-loop' });
  });

  it('leaves preprocessing to the page and the CLI (no preset sets it)', () => {
    for (const preset of presets) expect(preset.params.preprocess).toBeUndefined();
  });
});
