/**
 * Downloads of every output of the finished run. The engine writes each file in chunks into a Blob, so the
 * imputed matrix of 100,000 cells is never one string; the page only receives the finished Blob.
 */
import { useState } from 'react';
import type { ExportKind } from '../../engine/contract.ts';
import { downloadExport } from '../run-actions.ts';
import { useAppStore } from '../store.ts';

const FILES: { kind: ExportKind; label: string; what: string }[] = [
  { kind: 'imputed', label: 'Imputed matrix', what: 'imputed.csv: log1p scale, with cell and gene names' },
  { kind: 'labels', label: 'Cell clusters', what: 'labels.csv: cell,cluster' },
  {
    kind: 'embedding',
    label: 'Embedding',
    what: 'embedding.csv: the clustered embedding, cells x dimensions',
  },
  { kind: 'graph', label: 'Cell graph', what: 'graph_edges.csv: NodeA,NodeB,Weight' },
  { kind: 'umap', label: 'UMAP coordinates', what: 'umap.csv: cell,umap1,umap2' },
  { kind: 'markers', label: 'Marker genes', what: 'markers.csv: top genes per cluster, raw and imputed' },
  { kind: 'manifest', label: 'Run manifest', what: 'manifest.json: every parameter, seed, backend, timings' },
];

export function ExportPanel() {
  const status = useAppStore((s) => s.run.status);
  const results = useAppStore((s) => s.run.results);
  const layoutReady = useAppStore(
    (s) => !!s.run.results?.layout || (!s.layout.running && !!s.layout.positions),
  );
  const [matrixLayout, setMatrixLayout] = useState<'genes-x-cells' | 'cells-x-genes'>('genes-x-cells');
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (status !== 'done' || !results) return null;
  const download = async (kind: ExportKind) => {
    setBusy(kind);
    setError(null);
    const problem = await downloadExport(kind, kind === 'imputed' ? { layout: matrixLayout } : undefined);
    setBusy(null);
    if (problem) setError(problem);
  };
  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">Downloads</h2>
      <div className="param">
        <label htmlFor="matrix-layout">Imputed matrix layout</label>
        <select
          id="matrix-layout"
          value={matrixLayout}
          onChange={(e) => setMatrixLayout(e.currentTarget.value as typeof matrixLayout)}
        >
          <option value="genes-x-cells">genes x cells (as scGNN writes it; Seurat)</option>
          <option value="cells-x-genes">cells x genes (Scanpy)</option>
        </select>
      </div>
      <ul className="exports">
        {FILES.map((f) => (
          <li key={f.kind}>
            <button
              type="button"
              className="secondary"
              data-export={f.kind}
              disabled={busy !== null || (f.kind === 'umap' && !layoutReady)}
              onClick={() => void download(f.kind)}
            >
              {busy === f.kind ? 'Preparing…' : f.label}
            </button>
            <span className="param-help">{f.what}</span>
          </li>
        ))}
      </ul>
      {error ? (
        <div className="alert" role="alert">
          {error}
        </div>
      ) : null}
    </section>
  );
}
