/**
 * The marker genes of one cluster (vs all other cells), from the tables of src/core/analysis/markers.ts: a
 * labelled cluster selector, raw / imputed radio buttons (the test run on the input values or on the imputed
 * values), and a table of gene, log2 fold change, z, BH-adjusted p, and the percentages of cells expressing the
 * gene in and out of the cluster.
 *
 * Presentational: plain data props. The selected cluster and source are local state, or controlled when the
 * parent passes `cluster` / `source` with their change handlers (e.g. to follow the cluster highlighted in the
 * graph).
 */
import { useId, useState } from 'react';
import type { ClusterMarkers } from '../../core/analysis/markers.ts';
import { clusterColor } from '../../layout/palette.ts';
import { formatInt, formatPercent } from '../shared/format.ts';
import { clusterLabel, formatP, formatSigned } from './result-format.ts';
import './results.css';

export type MarkerSource = 'raw' | 'imputed';

export interface MarkersTableProps {
  /** Markers computed on the input (log1p) values, one entry per cluster. */
  raw: readonly ClusterMarkers[];
  /** Markers computed on the imputed values; null while not available. */
  imputed?: readonly ClusterMarkers[] | null;
  /** Display names by cluster index; default "Cluster 1", "Cluster 2", … */
  clusterNames?: readonly string[];
  /** Controlled selection (cluster index). */
  cluster?: number;
  onClusterChange?: (cluster: number) => void;
  /** Controlled source. */
  source?: MarkerSource;
  onSourceChange?: (source: MarkerSource) => void;
  /** Heading-like caption prefix; default "Marker genes". */
  title?: string;
}

export function MarkersTable({
  raw,
  imputed = null,
  clusterNames,
  cluster: clusterProp,
  onClusterChange,
  source: sourceProp,
  onSourceChange,
  title = 'Marker genes',
}: MarkersTableProps) {
  const id = useId();
  const [clusterState, setClusterState] = useState(0);
  const [sourceState, setSourceState] = useState<MarkerSource>('raw');
  const clusters = raw.filter((c) => c.nCells > 0);
  const requested = clusterProp ?? clusterState;
  const selected = clusters.find((c) => c.cluster === requested) ?? clusters[0];
  const wanted = sourceProp ?? sourceState;
  const source: MarkerSource = wanted === 'imputed' && imputed ? 'imputed' : 'raw';
  const table = source === 'imputed' ? imputed : raw;
  const rows = selected ? (table?.find((c) => c.cluster === selected.cluster)?.markers ?? []) : [];

  const chooseCluster = (c: number): void => {
    setClusterState(c);
    onClusterChange?.(c);
  };
  const chooseSource = (s: MarkerSource): void => {
    setSourceState(s);
    onSourceChange?.(s);
  };

  if (!selected) {
    return (
      <div className="markers" data-testid="markers-table">
        <p className="muted">No clusters to show marker genes for.</p>
      </div>
    );
  }
  const name = clusterLabel(selected.cluster, clusterNames);

  return (
    <div className="markers" data-testid="markers-table">
      <div className="markers-controls">
        <div className="markers-control">
          <label htmlFor={`${id}-cluster`}>Cluster</label>
          <select
            id={`${id}-cluster`}
            value={selected.cluster}
            onChange={(e) => chooseCluster(Number(e.target.value))}
            data-testid="markers-cluster"
          >
            {clusters.map((c) => (
              <option key={c.cluster} value={c.cluster}>
                {clusterLabel(c.cluster, clusterNames)} ({formatInt(c.nCells)} cells)
              </option>
            ))}
          </select>
        </div>
        <fieldset className="markers-control markers-source">
          <legend>Values tested</legend>
          <label>
            <input
              type="radio"
              name={`${id}-source`}
              value="raw"
              checked={source === 'raw'}
              onChange={() => chooseSource('raw')}
            />{' '}
            Input (raw)
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-source`}
              value="imputed"
              checked={source === 'imputed'}
              disabled={!imputed}
              onChange={() => chooseSource('imputed')}
            />{' '}
            Imputed
          </label>
        </fieldset>
      </div>
      <div className="results-table-scroll">
        <table className="results-table" data-testid="markers-rows">
          <caption>
            <span
              className="results-swatch"
              style={{ background: clusterColor(selected.cluster) }}
              aria-hidden="true"
            />
            {title} of {name} vs all other cells ({source === 'raw' ? 'input values' : 'imputed values'};
            Wilcoxon rank-sum test, Benjamini–Hochberg adjusted)
          </caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Gene</th>
              <th scope="col" className="num">
                log2FC
              </th>
              <th scope="col" className="num">
                z
              </th>
              <th scope="col" className="num">
                Adjusted p
              </th>
              <th scope="col" className="num">
                % in
              </th>
              <th scope="col" className="num">
                % out
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  No genes.
                </td>
              </tr>
            ) : (
              rows.map((m, r) => (
                <tr key={m.geneIndex}>
                  <td className="num muted">{r + 1}</td>
                  <td className="markers-gene">{m.gene}</td>
                  <td className="num">{formatSigned(m.log2FoldChange)}</td>
                  <td className="num">{formatSigned(m.z)}</td>
                  <td className="num">{formatP(m.pAdj)}</td>
                  <td className="num">{formatPercent(m.fractionIn, 1)}</td>
                  <td className="num">{formatPercent(m.fractionOut, 1)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
