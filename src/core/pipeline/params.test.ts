import { describe, expect, it } from 'vitest';
import { bulkDefaults } from '../bulk/defaults.ts';
import { scgnnDefaults, validateParams, withParams } from './params.ts';
import { presets } from './presets.ts';

describe('validateParams', () => {
  it('accepts the defaults and every preset-style choice', () => {
    expect(validateParams(scgnnDefaults)).toEqual([]);
    const choices = withParams({
      normalize: 'none',
      ltmg: { mode: 'full' },
      graph: { prune: 'isolation-forest', kRule: 'fraction', kFraction: 0.05, weights: 'inverse-distance' },
      graphAe: { enabled: true, model: 'gat' },
      cluster: {
        method: 'kmeans',
        k: 4,
        louvainGraph: 'cell-graph',
        embeddingNorm: 'none',
        resolution: 'auto',
      },
      impute: { mode: 'closed-loop' },
    });
    expect(validateParams(choices)).toEqual([]);
    for (const preset of presets) expect(validateParams(withParams(preset.params))).toEqual([]);
  });

  it('names each unknown choice and what is allowed', () => {
    const bad = withParams({
      cluster: {
        method: 'leiden',
        embeddingNorm: 'cosine',
        resolution: 0,
        resolutionScaling: 'cube-root',
        resolutionCells: 0,
      },
      graphAe: { refineEpochs: 5 },
      impute: { mode: 'magic' },
      graph: { prune: 'knn', k: 0, kRule: 'percent', kFraction: 0, weights: 'gaussian' },
      clusterAe: { observedWeight: -1 },
    } as never);
    const problems = validateParams(bad);
    expect(problems).toContain('cluster.method must be one of louvainK, louvain, kmeans (got "leiden")');
    expect(problems).toContain('cluster.embeddingNorm must be one of l2, none (got "cosine")');
    expect(problems).toContain("cluster.resolution must be 'auto' or a positive number (got 0)");
    expect(problems).toContain('cluster.resolutionScaling must be one of sqrt-cells, none (got "cube-root")');
    expect(problems).toContain('cluster.resolutionCells must be positive');
    expect(problems).toContain(
      'graphAe.refineEpochs is an option of the graph AE experiments, not of the pipeline: use 0',
    );
    expect(problems).toContain(
      'impute.mode must be one of zero-inflated, graph, scgnn1, closed-loop (got "magic")',
    );
    expect(problems).toContain('graph.prune must be one of mean-std, isolation-forest, none (got "knn")');
    expect(problems).toContain('graph.k must be a positive integer (got 0)');
    expect(problems).toContain('graph.kRule must be one of fixed, fraction (got "percent")');
    expect(problems).toContain('graph.kFraction must be in (0, 1] (got 0)');
    expect(problems).toContain('graph.weights must be one of binary, inverse-distance (got "gaussian")');
    expect(problems).toContain('clusterAe.observedWeight must be non-negative');
    expect(problems).toHaveLength(13);
  });

  it('has the bulk defaults and checks the bulk numbers', () => {
    expect(scgnnDefaults.bulk).toEqual(bulkDefaults);
    expect(validateParams(withParams({ bulk: { feedback: false, minGenes: 10 } }))).toEqual([]);
    const bad = withParams({
      bulk: {
        minGenes: 0,
        minGeneFraction: 1.5,
        proportions: { learningRate: 0, maxSteps: 2.5, priorWeight: -1 },
        profiles: { tolerance: -1, regularisation: -0.1 },
        geneScale: { maxSteps: -1 },
        feedback: 'yes',
        blendSampleCells: 0,
      },
    } as never);
    expect(validateParams(bad).sort()).toEqual(
      [
        'bulk.minGenes must be a positive integer (got 0)',
        'bulk.minGeneFraction must be in [0, 1] (got 1.5)',
        'bulk.proportions.learningRate must be positive (got 0)',
        'bulk.proportions.maxSteps must be a non-negative integer (got 2.5)',
        'bulk.proportions.priorWeight must be non-negative (got -1)',
        'bulk.profiles.tolerance must be non-negative (got -1)',
        'bulk.profiles.regularisation must be non-negative (got -0.1)',
        'bulk.geneScale.maxSteps must be a non-negative integer (got -1)',
        'bulk.feedback must be true or false (got "yes")',
        'bulk.blendSampleCells must be a positive integer (got 0)',
      ].sort(),
    );
  });
});
