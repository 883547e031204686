/**
 * Optional bulk RNA-seq beside the count matrix (scGNN 2.0, issue 13): a file picker and a drop target for a
 * genes x samples CSV/TSV (.gz too). The worker reads it and matches its genes to the dataset's; the page
 * shows the overlap, or what is wrong with the file. Runs then deconvolve it into cell-type proportions per
 * sample and blend it into the imputation.
 */
import { useRef, useState, type DragEvent } from 'react';
import { inputFileFromFile } from '../../io/input-file.ts';
import { formatInt } from '../shared/format.ts';
import { useAppStore } from '../store.ts';
import type { BulkSummary } from '../../engine/contract.ts';
import { addBulkFile, removeBulk } from './load-actions.ts';

function Overlap({ s }: { s: BulkSummary }) {
  return (
    <p data-testid="bulk-overlap">
      <strong>{s.fileName}</strong>: {formatInt(s.nSamples)} sample{s.nSamples === 1 ? '' : 's'} (
      {s.sampleIdsPreview.join(', ')}
      {s.nSamples > s.sampleIdsPreview.length ? ', …' : ''}) x {formatInt(s.nBulkGenes)} genes;{' '}
      <span data-testid="bulk-matched">
        {formatInt(s.matchedGenes)} of the dataset&apos;s {formatInt(s.nDatasetGenes)} genes matched
        {s.looseMatches ? ` (${formatInt(s.looseMatches)} loosely: case or version suffix ignored)` : ''}
      </span>
      . Each run matches it again to the genes preprocessing keeps.
    </p>
  );
}

export function BulkPanel() {
  const dataset = useAppStore((s) => s.dataset);
  const bulk = useAppStore((s) => s.bulk);
  const running = useAppStore((s) => s.run.status === 'running' || s.run.status === 'cancelling');
  const loading = useAppStore((s) => s.loading !== null);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  if (!dataset) return null;
  const busy = running || loading || bulk.status === 'reading';
  const added = bulk.status === 'added' ? bulk.summary : bulk.status === 'failed' ? bulk.previous : null;

  const take = (files: FileList | null) => {
    const file = files?.[0];
    if (file && !busy) void addBulkFile(inputFileFromFile(file));
  };
  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    e.dataTransfer.dropEffect = busy ? 'none' : 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    take(e.dataTransfer.files);
  };

  return (
    <section className="panel" aria-labelledby="bulk-heading" data-testid="bulk-panel">
      <h2 id="bulk-heading">Bulk RNA-seq (optional)</h2>
      <div
        className={`dropzone bulk-dropzone${over ? ' dropzone-over' : ''}`}
        data-testid="bulk-dropzone"
        onDragOver={onDragOver}
        onDragEnter={onDragOver}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p className="dropzone-help">
          A bulk expression matrix of the same tissue: genes x samples, CSV or TSV (optionally .gz), sample
          names in the header, gene names as in the count matrix. The run estimates each sample&apos;s
          cell-type proportions (one type per cluster) and blends the bulk-informed estimate into the
          imputation, as scGNN 2.0 does. Read on this computer; nothing is uploaded.
        </p>
        <div className="dropzone-actions">
          <button type="button" onClick={() => input.current?.click()} disabled={busy}>
            {added ? 'Replace the bulk file…' : 'Add bulk RNA-seq (optional)…'}
          </button>
          {added ? (
            <button type="button" className="secondary" onClick={() => void removeBulk()} disabled={busy}>
              Remove it
            </button>
          ) : null}
        </div>
        <input
          ref={input}
          className="visually-hidden"
          type="file"
          tabIndex={-1}
          aria-label="Choose a bulk RNA-seq file"
          data-testid="bulk-input"
          onChange={(e) => {
            take(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </div>
      {bulk.status === 'reading' ? (
        <p role="status" data-testid="bulk-reading">
          Reading {bulk.fileName}…
        </p>
      ) : null}
      {bulk.status === 'failed' ? (
        <div className="alert" role="alert" data-testid="bulk-error">
          The bulk file could not be used: {bulk.message}
          {bulk.previous ? ` Runs keep using ${bulk.previous.fileName}.` : ''}
        </div>
      ) : null}
      {added ? <Overlap s={added} /> : null}
    </section>
  );
}
