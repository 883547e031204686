/**
 * What was loaded: source, dimensions, sparsity, memory, warnings, labels and the first ids.
 */
import { Field } from '../shared/Field.tsx';
import { LabelsSummaryView } from './LabelsSummaryView.tsx';
import { OrientationControl } from './OrientationControl.tsx';
import { formatBytes, formatInt, formatLabel, formatPercent, formatSeconds } from '../shared/format.ts';
import { useAppStore } from '../store.ts';

export function DatasetSummaryPanel() {
  const d = useAppStore((s) => s.dataset);
  if (!d) return null;
  return (
    <section className="panel" aria-labelledby="dataset-heading" data-testid="dataset-summary">
      <h2 id="dataset-heading">
        2. Loaded: <span data-testid="dataset-name">{d.name}</span>
      </h2>
      <dl className="fields">
        <Field label="Format" testId="format">
          {formatLabel(d.format)} <code data-testid="format-code">{d.format}</code>
        </Field>
        <Field label="Cells" testId="n-cells">
          {formatInt(d.nCells)}
        </Field>
        <Field label="Genes" testId="n-genes">
          {formatInt(d.nGenes)}
        </Field>
        <Field label="Non-zero entries" testId="nnz">
          {formatInt(d.nnz)}
        </Field>
        <Field label="Sparsity (zeros)" testId="sparsity">
          {formatPercent(d.sparsity)}
        </Field>
        <Field label="Values" testId="integer-valued">
          {d.integerValued ? 'integer counts' : 'not integers (already normalised?)'}
        </Field>
        <Field label="Matrix memory" testId="matrix-bytes">
          {formatBytes(d.matrixBytes)}
        </Field>
        <Field label="Load time" testId="load-seconds">
          {formatSeconds(d.loadSeconds)}
        </Field>
      </dl>
      {d.orientation ? (
        <div className="subsection">
          <h3>Orientation</h3>
          <OrientationControl orientation={d.orientation} />
        </div>
      ) : null}
      <div className="subsection">
        <h3>First ids</h3>
        <dl className="fields fields-wide">
          <Field label="Cells" testId="cell-ids">
            <code>{d.cellIdsPreview.join(', ')}</code>
            {d.nCells > d.cellIdsPreview.length ? ', …' : ''}
          </Field>
          <Field label="Genes" testId="gene-ids">
            <code>{d.geneIdsPreview.join(', ')}</code>
            {d.nGenes > d.geneIdsPreview.length ? ', …' : ''}
          </Field>
        </dl>
      </div>
      {d.labels ? <LabelsSummaryView labels={d.labels} nCells={d.nCells} /> : null}
      {d.warnings.length > 0 ? (
        <div className="subsection">
          <h3>Warnings</h3>
          <ul className="warnings" data-testid="warnings">
            {d.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <details className="subsection">
        <summary>Source files ({d.sourceFiles.length})</summary>
        <ul className="files" data-testid="source-files">
          {d.sourceFiles.map((f) => (
            <li key={f}>
              <code>{f}</code>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
