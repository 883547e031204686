/**
 * The page: header with the backend badge, the loading panel, errors, dataset summary and preprocessing.
 */
import { useEffect } from 'react';
import { backendFromUrl, startEngine } from './actions.ts';
import { BackendBadge } from './BackendBadge.tsx';
import { DatasetSummaryPanel } from './DatasetSummaryPanel.tsx';
import { DropZone } from './DropZone.tsx';
import { LoadErrorAlert } from './LoadErrorAlert.tsx';
import { LoadProgressBar } from './LoadProgressBar.tsx';
import { PreprocessPanel } from './PreprocessPanel.tsx';
import { ExportPanel } from './run/ExportPanel.tsx';
import { GraphPanel } from './run/GraphPanel.tsx';
import { ProgressPanel } from './run/ProgressPanel.tsx';
import { ResultsPanel } from './run/ResultsPanel.tsx';
import { RunPanel } from './run/RunPanel.tsx';
import { restoreSession } from './run-actions.ts';

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
        <PreprocessPanel />
        <RunPanel />
        <ProgressPanel />
        <GraphPanel />
        <ResultsPanel />
        <ExportPanel />
      </main>
    </>
  );
}
