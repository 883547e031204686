/**
 * Where data comes in: drag and drop of files or folders, file and folder pickers, and the embedded example.
 */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { loadExample, loadInputFiles } from './load-actions.ts';
import { filesFromDataTransfer, filesFromFileList } from './collect-files.ts';
import { useAppStore } from '../store.ts';

export function DropZone() {
  const busy = useAppStore((s) => s.loading !== null);
  const [over, setOver] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Not in React's typings: makes the picker choose a whole folder (with relative paths).
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, []);

  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = busy ? 'none' : 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (busy) return;
    void filesFromDataTransfer(e.dataTransfer).then(loadInputFiles);
  };
  const onPicked = (input: HTMLInputElement) => {
    const files = filesFromFileList(input.files);
    input.value = '';
    void loadInputFiles(files);
  };

  return (
    <section className="panel" aria-labelledby="load-heading">
      <h2 id="load-heading">1. Load a count matrix</h2>
      <div
        className={`dropzone${over ? ' dropzone-over' : ''}`}
        data-testid="dropzone"
        onDragOver={onDragOver}
        onDragEnter={onDragOver}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p className="dropzone-title">Drop files or a folder here</p>
        <p className="dropzone-help">
          CSV or TSV (optionally .gz), a 10x folder or its three files (matrix.mtx, barcodes.tsv,
          features.tsv/genes.tsv), a 10x .h5 or an AnnData .h5ad. Add a labels CSV (<code>cell,label</code>)
          to compare clusters with known cell types. Files are read on this computer; nothing is uploaded.
        </p>
        <div className="dropzone-actions">
          <button type="button" onClick={() => fileInput.current?.click()} disabled={busy}>
            Choose files…
          </button>
          <button type="button" onClick={() => folderInput.current?.click()} disabled={busy}>
            Choose a folder…
          </button>
          <button type="button" className="secondary" onClick={() => void loadExample()} disabled={busy}>
            Load the example dataset
          </button>
        </div>
        <p className="dropzone-example">
          Example: Goolam et al. 2016, mouse preimplantation embryos (Smart-seq2), 124 cells x 2000 genes, 5
          stages.
        </p>
        <input
          ref={fileInput}
          className="visually-hidden"
          type="file"
          multiple
          tabIndex={-1}
          aria-label="Choose files"
          data-testid="file-input"
          onChange={(e) => onPicked(e.currentTarget)}
        />
        <input
          ref={folderInput}
          className="visually-hidden"
          type="file"
          multiple
          tabIndex={-1}
          aria-label="Choose a folder"
          data-testid="folder-input"
          onChange={(e) => onPicked(e.currentTarget)}
        />
      </div>
    </section>
  );
}
