/**
 * The finished run: summary and (with uploaded labels) ARI/NMI as evaluation only, with bulk RNA-seq the
 * estimated cell-type proportions of each bulk sample, the imputation heatmap,
 * marker genes per cluster (input and imputed values), and a Sankey diagram between the clusterings of two
 * iterations or against the uploaded labels. Markers and heatmap are computed in the worker on request.
 */
import { useMemo, useState } from 'react';
import { sankeyFlows } from '../../core/analysis/sankey.ts';
import { BulkProportionsChart } from './BulkProportionsChart.tsx';
import { HeatmapView } from './HeatmapView.tsx';
import { MarkersTable } from './MarkersTable.tsx';
import { SankeyView } from './SankeyView.tsx';
import { useAppStore } from '../store.ts';

const names = (n: number) => Array.from({ length: n }, (_, i) => `Cluster ${i}`);

export function ResultsPanel() {
  const results = useAppStore((s) => (s.run.status === 'done' ? s.run.results : null));
  const labelsFile = useAppStore((s) => s.dataset?.labels?.fileName ?? null);
  const analysis = useAppStore((s) => s.analysis);
  const [comparison, setComparison] = useState<string>('labels');

  const s = results?.summary;
  const clusterNames = names(s?.nClusters ?? 0);
  const sankey = useMemo(() => {
    if (!results || !s) return null;
    const final = results.snapshot.labels;
    const nIt = results.iterationLabels.length;
    if (comparison === 'labels' && s.truth)
      return {
        data: sankeyFlows(final, s.truth.codes, {
          leftLabels: (id) => `Cluster ${id}`,
          rightLabels: s.truth.classes,
        }),
        left: `Clusters (iteration ${nIt})`,
        right: `Uploaded labels (${labelsFile ?? 'labels'})`,
      };
    const it = Number(comparison.replace('iteration-', '')) || 1;
    const from = results.iterationLabels[it - 1] ?? final;
    return {
      data: sankeyFlows(from, final, {
        leftLabels: (id) => `Cluster ${id}`,
        rightLabels: (id) => `Cluster ${id}`,
      }),
      left: `Iteration ${it}`,
      right: `Iteration ${nIt} (final)`,
    };
  }, [results, s, comparison, labelsFile]);

  if (!results || !s) return null;
  const options = [
    ...(s.truth ? [{ value: 'labels', label: `Final clusters vs uploaded labels` }] : []),
    ...results.iterationLabels
      .slice(0, -1)
      .map((_, i) => ({ value: `iteration-${i + 1}`, label: `Iteration ${i + 1} vs final` })),
  ];
  const selected = options.some((o) => o.value === comparison) ? comparison : (options[0]?.value ?? '');

  return (
    <section className="panel" aria-labelledby="results-title">
      <h2 id="results-title">Results</h2>
      <dl className="summary-grid" data-testid="run-summary">
        <div>
          <dt>Cells x genes</dt>
          <dd>
            {s.nCells} x {s.nGenes}
          </dd>
        </div>
        <div>
          <dt>Clusters</dt>
          <dd data-testid="n-clusters">{s.nClusters}</dd>
        </div>
        <div>
          <dt>Iterations</dt>
          <dd>
            {s.history.length} {s.converged ? '(converged)' : '(stopped at the maximum)'}
          </dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>{s.seconds.total?.toFixed(1)} s</dd>
        </div>
        {s.evaluation ? (
          <div data-testid="evaluation">
            <dt>Against the uploaded labels (evaluation only)</dt>
            <dd>
              ARI <span data-testid="ari">{s.evaluation.ari.toFixed(3)}</span>, NMI{' '}
              <span data-testid="nmi">{s.evaluation.nmi.toFixed(3)}</span> over {s.evaluation.labelledCells}{' '}
              labelled cells. The labels were never used by the method.
            </dd>
          </div>
        ) : null}
      </dl>

      {s.bulk ? (
        <>
          <h3>Bulk RNA-seq: cell-type proportions</h3>
          <p data-testid="bulk-run-overlap">
            {s.bulk.fileName}: {s.bulk.matchedGenes.toLocaleString('en-US')} of the run&apos;s{' '}
            {s.bulk.nGenes.toLocaleString('en-US')} genes matched
            {s.bulk.looseMatches ? ` (${s.bulk.looseMatches.toLocaleString('en-US')} loosely)` : ''},{' '}
            {s.bulk.sampleIds.length} sample{s.bulk.sampleIds.length === 1 ? '' : 's'}. The imputed matrix is
            the single-cell estimate blended gene by gene with its bulk-corrected version.
          </p>
          <BulkProportionsChart bulk={s.bulk} />
        </>
      ) : null}

      <h3>Imputation heatmap</h3>
      {analysis.status === 'running' || analysis.status === 'idle' ? (
        <p role="status">
          Finding marker genes… {analysis.status === 'running' ? Math.round(analysis.fraction * 100) : 0} %
        </p>
      ) : analysis.status === 'failed' ? (
        <div className="alert" role="alert">
          Marker genes could not be computed: {analysis.error}
        </div>
      ) : (
        <>
          <HeatmapView
            data={analysis.value.heatmap}
            clusterNames={clusterNames}
            valueLabel="ln(1 + count)"
            caption="Top marker genes (rows) of each cluster, cells grouped by cluster (columns): before and after imputation"
          />
          <h3>Marker genes</h3>
          <p className="hint">
            Wilcoxon rank-sum test of each cluster against all other cells, Benjamini–Hochberg adjusted; fold
            change of mean expression. &quot;Input&quot; values are ln(1 + library-size-normalised counts).
          </p>
          <MarkersTable
            raw={analysis.value.raw}
            imputed={analysis.value.imputed}
            clusterNames={clusterNames}
          />
        </>
      )}

      {sankey && options.length ? (
        <>
          <h3>How the clusters relate</h3>
          <div className="param">
            <label htmlFor="sankey-comparison">Compare</label>
            <select
              id="sankey-comparison"
              value={selected}
              onChange={(e) => setComparison(e.currentTarget.value)}
            >
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
          <SankeyView data={sankey.data} leftTitle={sankey.left} rightTitle={sankey.right} />
        </>
      ) : null}
    </section>
  );
}
