/**
 * Run controls: a preset (each described), the seed, an optional cap on iterations, Run and Cancel, the
 * backend in use, the run's estimated memory and time (Run disabled, with what to change, when it would not
 * fit in this browser; the user may run anyway), and what happened to the last run.
 */
import { useMemo, useState } from 'react';
import { presets, type PresetName } from '../../core/pipeline/presets.ts';
import {
  browserMemory,
  cancelRun,
  forgetSession,
  runBlocker,
  runEstimate,
  startRun,
  updateSettings,
} from './run-actions.ts';
import { estimateBasis, estimateLine, estimateRefusal } from './estimate-text.ts';
import { useAppStore } from '../store.ts';
import { AdvancedParams } from './AdvancedParams.tsx';
import { NumberField } from '../shared/NumberField.tsx';
import { OptionalIntField } from './OptionalIntField.tsx';

export function RunPanel() {
  const dataset = useAppStore((s) => s.dataset);
  const settings = useAppStore((s) => s.settings);
  const status = useAppStore((s) => s.run.status);
  const error = useAppStore((s) => s.run.error);
  const startedAt = useAppStore((s) => s.run.startedAt);
  const finishedAt = useAppStore((s) => s.run.finishedAt);
  const notice = useAppStore((s) => s.runNotice);
  const backend = useAppStore((s) => s.backend);
  const blocked = useAppStore(runBlocker);
  const preflight = useAppStore((s) => s.preflight);
  const params = useAppStore((s) => s.params);
  const estimate = useMemo(
    () => runEstimate({ preflight, settings, params, backend }, browserMemory()),
    [preflight, settings, params, backend],
  );
  // "Run anyway" holds for the dataset and size it was ticked for only.
  const estimateKey = estimate && dataset ? `${dataset.name}|${estimate.cells}|${estimate.genes}` : null;
  const [runAnywayFor, setRunAnywayFor] = useState<string | null>(null);
  if (!dataset) return null;
  const busy = status === 'running' || status === 'cancelling';
  const refusal = estimate && !blocked ? estimateRefusal(estimate) : null;
  const tooBig = refusal !== null && runAnywayFor !== estimateKey;
  const preset = presets.find((p) => p.name === settings.preset) ?? presets[0]!;
  return (
    <section className="panel" aria-labelledby="run-title">
      <h2 id="run-title">4. Run scGNN</h2>
      <fieldset className="presets" disabled={busy}>
        <legend>Preset</legend>
        {presets.map((p) => (
          <label key={p.name} className="preset">
            <input
              type="radio"
              name="preset"
              value={p.name}
              checked={settings.preset === p.name}
              onChange={() => updateSettings({ preset: p.name as PresetName })}
            />
            <span className="preset-title">{p.title}</span>
          </label>
        ))}
        <p className="param-help" id="preset-help">
          {preset.description}
        </p>
      </fieldset>
      <div className="run-params">
        <NumberField
          id="run-seed"
          label="Seed"
          help="Every random choice follows from it: the same seed, data and backend give the same result."
          value={settings.seed}
          min="0"
          step="1"
          disabled={busy}
          onChange={(text) => {
            const v = Number(text);
            if (Number.isInteger(v) && v >= 0) updateSettings({ seed: v });
          }}
        />
        <OptionalIntField
          id="run-iterations"
          label="Maximum iterations"
          help="Cluster, retrain, re-cluster: the run stops earlier when two iterations agree. Empty = the preset's value."
          value={settings.maxIterations}
          min={1}
          max={20}
          placeholder="preset"
          disabled={busy}
          onChange={(maxIterations) => updateSettings({ maxIterations })}
        />
      </div>
      <AdvancedParams settings={settings} disabled={busy} />
      <div className="run-buttons">
        <button
          type="button"
          className="primary"
          disabled={busy || blocked !== null || tooBig}
          aria-describedby={
            blocked ? 'run-blocked' : refusal ? 'run-too-big' : estimate ? 'run-estimate' : undefined
          }
          onClick={() => void startRun()}
        >
          {status === 'done' || status === 'cancelled' || status === 'failed' ? 'Run again' : 'Run'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={status !== 'running'}
          onClick={() => void cancelRun()}
        >
          {status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
        </button>
        <span className="run-backend">
          on {backend ? backend.name.toUpperCase() : '…'}
          {backend?.adapter ? ` (${backend.adapter})` : ''}
        </span>
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => void forgetSession()}
          title="Delete the dataset, settings and results this page saved in your browser"
        >
          Forget this dataset
        </button>
      </div>
      {blocked ? (
        <p className="inline-error" id="run-blocked" data-testid="run-blocked">
          Run is disabled: {blocked}.
        </p>
      ) : null}
      {estimate && !blocked ? (
        <div className="run-estimate">
          <p id="run-estimate" data-testid="run-estimate">
            {estimateLine(estimate)}
          </p>
          <p className="param-help">{estimateBasis(estimate)}</p>
        </div>
      ) : null}
      {refusal ? (
        <div className="run-too-big" id="run-too-big" data-testid="run-too-big">
          <p className={tooBig ? 'inline-error' : undefined}>
            {tooBig ? 'Run is disabled: ' : 'This run may not fit: '}
            {refusal.reason}
          </p>
          <p>To run it:</p>
          <ul>
            {refusal.fixes.map((fix) => (
              <li key={fix}>{fix}</li>
            ))}
          </ul>
          <label className="run-anyway">
            <input
              type="checkbox"
              checked={runAnywayFor === estimateKey}
              disabled={busy}
              onChange={(e) => setRunAnywayFor(e.target.checked ? estimateKey : null)}
            />{' '}
            Run anyway. The estimate may be wrong for this computer, but if it is right the tab can run out of
            memory and close, and the run is lost.
          </label>
        </div>
      ) : null}
      <p
        className="run-status"
        role="status"
        aria-live="polite"
        data-testid="run-status"
        data-started-at={startedAt ?? undefined}
        data-finished-at={finishedAt ?? undefined}
      >
        {statusText(status)}
        {notice ? ` ${notice}` : ''}
      </p>
      {error ? (
        <div className="alert" role="alert">
          {error}
        </div>
      ) : null}
    </section>
  );
}

function statusText(status: string): string {
  switch (status) {
    case 'running':
      return 'Running…';
    case 'cancelling':
      return 'Cancelling…';
    case 'done':
      return 'Finished.';
    case 'cancelled':
      return 'Cancelled.';
    case 'failed':
      return 'The run failed.';
    default:
      return 'Ready to run.';
  }
}
