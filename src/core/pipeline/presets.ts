/**
 * Named parameter sets offered by the page and the CLI (`--preset`). Each is an override of the defaults
 * (params.ts); the same preset gives the same run in both.
 */
import { deepMerge } from '../deep-merge.ts';
import type { ScgnnParamsOverride } from './params.ts';

export type PresetName = 'default' | 'quick' | 'scgnn1-paper' | 'scgnn2';

export interface Preset {
  readonly name: PresetName;
  readonly title: string;
  readonly description: string;
  readonly params: ScgnnParamsOverride;
}

export const presets: readonly Preset[] = [
  {
    name: 'default',
    title: 'scGNN Web defaults',
    description:
      'LTMG, feature autoencoder, up to 3 iterations of clustering with cluster autoencoders, graph imputation. The settings measured in the README.',
    params: {},
  },
  {
    name: 'quick',
    title: 'Quick look',
    description:
      'Short training (10 pre-training epochs, 3 per iteration), no LTMG, two iterations: a first picture in a fraction of the time.',
    params: {
      ltmg: { enabled: false },
      featureAe: { pretrain: { epochs: 10 }, iteration: { epochs: 3 } },
      clusterAe: { epochs: 3 },
      iterations: { max: 2 },
    },
  },
  {
    name: 'scgnn1-paper',
    title: 'scGNN 1.0 paper',
    description:
      'As the scGNN 1.0 benchmarks: graph autoencoder (GCN-VAE) embedding, cluster autoencoders, imputation autoencoder with the graph and cell-type regularisers, up to 10 iterations.',
    params: {
      graphAe: { enabled: true, model: 'gcn' },
      impute: { enabled: true, mode: 'scgnn1' },
      iterations: { max: 10 },
    },
  },
  {
    name: 'scgnn2',
    title: 'scGNN 2.0: GAT, closed loop',
    description:
      'As scGNN 2.0: multi-head graph attention autoencoder, and the last cluster-autoencoder reconstruction is the imputation (closed loop).',
    params: {
      graphAe: { enabled: true, model: 'gat' },
      impute: { enabled: true, mode: 'closed-loop' },
    },
  },
];

export function presetByName(name: string): Preset | undefined {
  return presets.find((p) => p.name === name);
}

/** Deep merge of two overrides (b wins); arrays and typed arrays are replaced, not merged (deep-merge.ts). */
export function mergeOverrides(a: ScgnnParamsOverride, b: ScgnnParamsOverride): ScgnnParamsOverride {
  return deepMerge(a, b);
}
