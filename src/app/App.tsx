/**
 * The page: header with the backend badge, the loading panel, errors, dataset summary, the optional bulk
 * RNA-seq, preprocessing, the run, its progress and results, and the downloads.
 */
import { lazy, Suspense, useEffect } from 'react';
import { backendFromUrl, startEngine } from './load/load-actions.ts';
import { BackendBadge } from './shared/BackendBadge.tsx';
import { BulkPanel } from './load/BulkPanel.tsx';
import { DatasetSummaryPanel } from './load/DatasetSummaryPanel.tsx';
import { DropZone } from './load/DropZone.tsx';
import { LoadErrorAlert } from './load/LoadErrorAlert.tsx';
import { LoadProgressBar } from './load/LoadProgressBar.tsx';
import { PreprocessPanel } from './preprocess/PreprocessPanel.tsx';
import { ExportPanel } from './results/ExportPanel.tsx';
import { GraphPanel } from './graph/GraphPanel.tsx';
import { ProgressPanel } from './run/ProgressPanel.tsx';
import { RunPanel } from './run/RunPanel.tsx';
import { restoreSession } from './run/run-actions.ts';

// The results' views (Sankey, heatmap, marker table, bulk chart) are only drawn after a run: their code is a
// chunk of its own, parsed in a task of its own rather than with the page's first script.
const ResultsPanel = lazy(() =>
  import('./results/ResultsPanel.tsx').then((m) => ({ default: m.ResultsPanel })),
);

/** Stop a file dropped outside the drop zone from making the browser navigate to it. */
function preventStrayDrops(): () => void {
  const stop = (e: DragEvent) => e.preventDefault();
  window.addEventListener('dragover', stop);
  window.addEventListener('drop', stop);
  return () => {
    window.removeEventListener('dragover', stop);
    window.removeEventListener('drop', stop);
  };
}

export function App() {
  useEffect(() => {
    void startEngine(backendFromUrl(window.location.search)).then(() => restoreSession());
    return preventStrayDrops();
  }, []);
  return (
    <>
      <header className="header">
        <div>
          <h1>scGNN Web</h1>
          <p className="tagline">
            Single-cell graph neural networks in your browser. Your data never leaves this computer.
          </p>
        </div>
        <BackendBadge />
      </header>
      <main className="main">
        <DropZone />
        <LoadProgressBar />
        <LoadErrorAlert />
        <DatasetSummaryPanel />
        <BulkPanel />
        <PreprocessPanel />
        <RunPanel />
        <ProgressPanel />
        <GraphPanel />
        <Suspense fallback={null}>
          <ResultsPanel />
        </Suspense>
        <ExportPanel />
      </main>
    </>
  );
}
