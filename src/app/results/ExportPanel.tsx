/**
 * Downloads of every output of the finished run. The engine writes each file in chunks into a Blob, so the
 * imputed matrix of 100,000 cells is never one string; the page only receives the finished Blob. A run with
 * bulk RNA-seq adds its proportions, profiles and blending weights. The `.h5ad`
 * (everything in one AnnData file) is written by the engine with h5wasm; its X is the imputed matrix or the
 * raw counts, as chosen here.
 */
import { useState } from 'react';
import type { ExportKind, ExportOptions } from '../../engine/contract.ts';
import { downloadExport } from '../run/run-actions.ts';
import { useAppStore } from '../store.ts';

/** The downloads a run with bulk RNA-seq adds. */
const BULK_FILES: { kind: ExportKind; label: string; what: string }[] = [
  {
    kind: 'bulk-proportions',
    label: 'Bulk proportions',
    what: 'bulk_proportions.csv: sample,cluster,proportion (each sample sums to 1)',
  },
  {
    kind: 'bulk-profiles',
    label: 'Bulk cell-type profiles',
    what: 'bulk_profiles.csv: genes x clusters, each cluster’s profile after the deconvolution',
  },
  {
    kind: 'bulk-weights',
    label: 'Blending weights',
    what: 'bulk_weights.csv: per gene, the weight of the single-cell estimate in the imputation',
  },
];

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
  {
    kind: 'h5ad',
    label: 'AnnData (.h5ad)',
    what: 'results.h5ad: X, clusters, labels, embedding, UMAP, cell graph and manifest in one file (Scanpy, Seurat)',
  },
];

export function ExportPanel() {
  const status = useAppStore((s) => s.run.status);
  const results = useAppStore((s) => s.run.results);
  const layoutReady = useAppStore(
    (s) => !!s.run.results?.layout || (!s.layout.running && !!s.layout.positions),
  );
  const [matrixLayout, setMatrixLayout] = useState<'genes-x-cells' | 'cells-x-genes'>('genes-x-cells');
  const [h5adX, setH5adX] = useState<'imputed' | 'raw'>('imputed');
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (status !== 'done' || !results) return null;
  const download = async (kind: ExportKind) => {
    setBusy(kind);
    setError(null);
    const options: ExportOptions | undefined =
      kind === 'imputed' ? { layout: matrixLayout } : kind === 'h5ad' ? { x: h5adX } : undefined;
    const problem = await downloadExport(kind, options);
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
      <div className="param">
        <label htmlFor="h5ad-x">AnnData X</label>
        <select id="h5ad-x" value={h5adX} onChange={(e) => setH5adX(e.currentTarget.value as typeof h5adX)}>
          <option value="imputed">imputed values, ln(1 + x)</option>
          <option value="raw">raw counts of the selected cells and genes</option>
        </select>
      </div>
      <ul className="exports">
        {[...FILES, ...(results.summary.bulk ? BULK_FILES : [])].map((f) => (
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
