/**
 * The cell graph of the current iteration, wired to the store: UMAP positions as they converge, the
 * iteration's clusters and kNN edges; a PNG download of the drawing.
 */
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { GraphViewHandle } from './GraphView.tsx';
import { GraphPreview } from './GraphPreview.tsx';
import { saveBlob } from '../run/run-actions.ts';
import { useAppStore } from '../store.ts';
import { errorMessage } from '../shared/error-message.ts';

// The interactive view (sigma, graphology and the large-graph renderer) is only drawn once a run has finished,
// so its code loads then, in a chunk of its own, instead of being parsed with the page at start.
const GraphView = lazy(() => import('./GraphView.tsx').then((m) => ({ default: m.GraphView })));

export function GraphPanel() {
  const snapshot = useAppStore((s) => s.run.snapshot);
  const layout = useAppStore((s) => s.layout);
  const status = useAppStore((s) => s.run.status);
  const handle = useRef<GraphViewHandle>(null);
  const live = status === 'running' || status === 'cancelling';
  // Sigma (WebGL) starts in a task of its own after the run, never inside the task that ends it.
  const [interactive, setInteractive] = useState(!live);
  useEffect(() => {
    const id = setTimeout(() => setInteractive(!live), live ? 0 : 50);
    return () => clearTimeout(id);
  }, [live]);
  const [error, setError] = useState<string | null>(null);
  if (!snapshot) return null;
  // A loop, not Math.max(...labels): spreading 100,000 labels as arguments overflows the stack.
  const nClusters = snapshot.labels.reduce((m, l) => Math.max(m, l + 1), 0);
  const names = Array.from({ length: nClusters }, (_, i) => `Cluster ${i}`);
  const positions = layout.positions?.length === snapshot.nCells * 2 ? layout.positions : null;
  return (
    <section className="panel" aria-labelledby="graph-title">
      <h2 id="graph-title">Cell graph</h2>
      <p className="hint">
        Iteration {snapshot.iteration}
        {status === 'running' ? ' (updates after each iteration)' : ''}.{' '}
        {layout.running
          ? 'UMAP layout converging…'
          : positions
            ? 'UMAP of the clustered embedding.'
            : 'Computing the UMAP layout…'}
        {layout.error ? ` ${layout.error}` : ''}
      </p>
      {live || !interactive ? (
        <GraphPreview snapshot={snapshot} positions={positions} />
      ) : (
        <Suspense fallback={<p className="hint">Loading the interactive graph view…</p>}>
          <GraphView
            ref={handle}
            nCells={snapshot.nCells}
            cellIds={snapshot.cellIds}
            positions={positions}
            labels={snapshot.labels}
            clusterNames={names}
            edges={snapshot.edges}
            title={`scGNN cell graph, iteration ${snapshot.iteration}`}
          />
        </Suspense>
      )}
      <div className="run-buttons">
        <button
          type="button"
          className="secondary"
          disabled={!positions || live || !interactive}
          onClick={() => {
            setError(null);
            handle.current
              ?.toPngBlob()
              .then((blob) => saveBlob(blob, 'cell-graph.png'))
              .catch((e: unknown) => setError(`Could not draw the PNG: ${errorMessage(e)}`));
          }}
        >
          Download PNG
        </button>
        {error ? <span role="alert">{error}</span> : null}
      </div>
    </section>
  );
}
