/**
 * Parameters beyond the preset, each with what it does and scGNN's default; "preset" keeps the preset's value.
 */
import type { RunSettings } from '../store.ts';
import { updateSettings } from './run-actions.ts';
import { OptionalIntField } from './OptionalIntField.tsx';

interface Choice<K extends keyof RunSettings> {
  readonly key: K;
  readonly label: string;
  readonly help: string;
  readonly options: readonly [RunSettings[K], string][];
}

const CHOICES = [
  {
    key: 'graphAe',
    label: 'Graph autoencoder',
    help: 'Embedding that is clustered: the feature autoencoder’s (none; scGNN.py’s default), a GCN-VAE (scGNN 1.0 paper runs) or a multi-head GAT (scGNN 2.0).',
    options: [
      ['preset', 'as the preset'],
      ['none', 'none'],
      ['gcn', 'GCN-VAE'],
      ['gat', 'GAT'],
    ],
  } satisfies Choice<'graphAe'>,
  {
    key: 'cluster',
    label: 'Clustering',
    help: 'LouvainK (scGNN): Louvain chooses the number of clusters, k-means assigns the cells. Louvain: the communities themselves.',
    options: [
      ['preset', 'as the preset'],
      ['louvainK', 'LouvainK'],
      ['louvain', 'Louvain'],
    ],
  } satisfies Choice<'cluster'>,
  {
    key: 'impute',
    label: 'Imputation',
    help: 'zero-inflated (default): each value is its posterior mean under a zero-inflated count model whose prior comes from the cell’s neighbours in the scGNN cell graph, so zeros of genes the neighbourhood does not express stay near 0; graph: every zero filled with the level where the cell’s neighbours detect the gene; scgnn1: the imputation autoencoder with graph and cell-type regularisers; closed loop: scGNN 2.0’s cluster-autoencoder reconstruction.',
    options: [
      ['preset', 'as the preset'],
      ['zero-inflated', 'zero-inflated'],
      ['graph', 'graph'],
      ['scgnn1', 'scGNN 1.0 autoencoder'],
      ['closed-loop', 'closed loop'],
      ['none', 'none (reconstruction only)'],
    ],
  } satisfies Choice<'impute'>,
  {
    key: 'ltmg',
    label: 'LTMG regulariser',
    help: 'Weights the feature autoencoder’s loss by each gene’s expression states (scGNN default on).',
    options: [
      ['preset', 'as the preset'],
      ['on', 'on'],
      ['off', 'off'],
    ],
  } satisfies Choice<'ltmg'>,
] as const;

export function AdvancedParams({ settings, disabled }: { settings: RunSettings; disabled: boolean }) {
  return (
    <details className="advanced">
      <summary>More parameters</summary>
      <div className="run-params">
        {CHOICES.map((c) => (
          <div className="param" key={c.key}>
            <label htmlFor={`run-${c.key}`}>{c.label}</label>
            <select
              id={`run-${c.key}`}
              value={settings[c.key]}
              disabled={disabled}
              aria-describedby={`run-${c.key}-help`}
              onChange={(e) => updateSettings({ [c.key]: e.currentTarget.value } as Partial<RunSettings>)}
            >
              {c.options.map(([value, text]) => (
                <option key={value} value={value}>
                  {text}
                </option>
              ))}
            </select>
            <p id={`run-${c.key}-help`} className="param-help">
              {c.help}
            </p>
          </div>
        ))}
        <OptionalIntField
          id="run-k"
          label="Neighbours per cell"
          help="k of the kNN cell graph before pruning (scGNN default 10). Empty = the preset's value."
          value={settings.k}
          min={2}
          max={100}
          placeholder="10"
          disabled={disabled}
          onChange={(k) => updateSettings({ k })}
        />
      </div>
    </details>
  );
}
