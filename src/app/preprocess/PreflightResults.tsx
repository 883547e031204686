/**
 * What each preprocessing filter keeps, as computed by the worker's preflight.
 */
import { Field } from '../shared/Field.tsx';
import { formatInt, formatPercent } from '../shared/format.ts';
import { runBlocker } from '../run/run-actions.ts';
import { useAppStore } from '../store.ts';

export function PreflightResults() {
  const s = useAppStore((st) => st.preflight);
  const error = useAppStore((st) => st.preflightError);
  const busy = useAppStore((st) => st.preflightBusy);
  const tooFew = useAppStore(runBlocker);
  return (
    <div className="preflight" aria-busy={busy} data-busy={busy}>
      {error ? (
        <p className="inline-error" role="alert" data-testid="preflight-error">
          {error}
        </p>
      ) : null}
      {tooFew && !error ? (
        <p className="inline-error" role="alert" data-testid="preflight-too-few">
          {tooFew}.
        </p>
      ) : null}
      {s ? (
        <>
          <dl className="fields">
            <Field label="Genes passing the gene filter" testId="genes-passing">
              {formatInt(s.genesPassingFilter)} of {formatInt(s.input.nGenes)}
              <span className="muted"> (detected in ≥ {formatInt(s.minCellsPerGene)} cells)</span>
            </Field>
            <Field label="Cells passing the cell filter" testId="cells-passing">
              {formatInt(s.cellsPassingFilter)} of {formatInt(s.input.nCells)}
              <span className="muted"> (≥ {formatInt(s.minGenesPerCell)} kept genes detected)</span>
            </Field>
            <Field label="Genes selected (most variable)" testId="genes-selected">
              {formatInt(s.genesSelected)}
            </Field>
            <Field label="Output matrix" testId="output-shape">
              {formatInt(s.output.nCells)} cells x {formatInt(s.output.nGenes)} genes
            </Field>
            <Field label="Output sparsity" testId="output-sparsity">
              {formatPercent(s.output.sparsity)}
            </Field>
            <Field label="Values" testId="output-transform">
              {s.params.log1p ? 'ln(1 + count)' : 'raw'}
            </Field>
          </dl>
          <p className="top-genes">
            <span className="muted">Most variable genes: </span>
            <code data-testid="top-genes">{s.topGenes.join(', ')}</code>
          </p>
        </>
      ) : busy ? (
        <p className="muted">Computing…</p>
      ) : null}
    </div>
  );
}
