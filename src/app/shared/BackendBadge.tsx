/**
 * Shows which compute backend the worker uses and why: the probe time of every backend it tried (one training
 * epoch over 1,024 cells plus a kNN block, at the dataset's gene count), the GPU adapter, WASM threads, and
 * what could not be used.
 */
import type { BackendCandidate, BackendInfo } from '../../engine/contract.ts';
import { useAppStore } from '../store.ts';
import { backendLabel } from './format.ts';

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

function candidateText(c: BackendCandidate): string {
  const name = backendLabel(c.name);
  const where = c.adapter ? ` (${c.adapter}${c.computeClass === 'cpu' ? ', software: CPU-class' : ''})` : '';
  const time = c.probeMs !== null ? ` ${ms(c.probeMs)}` : '';
  switch (c.outcome) {
    case 'chosen':
      return `${name}${where}${time}: chosen`;
    case 'slower':
      return `${name}${where}${time}: ${c.note}`;
    case 'failed':
      return `${name}${where}: failed the check (${c.note})`;
    default:
      return `${name}: unavailable (${c.note})`;
  }
}

/** WASM threads, or why there is only one. */
function threadsText(b: BackendInfo): string | null {
  if (b.name !== 'wasm' || b.threads === null) return null;
  if (b.threads > 1) return `${b.threads} threads`;
  return b.isolated === false
    ? '1 thread (this page is not cross-origin isolated, so WebAssembly cannot use threads)'
    : '1 thread';
}

export function BackendBadge() {
  const backend = useAppStore((s) => s.backend);
  const error = useAppStore((s) => s.backendError);
  if (error) {
    return (
      <div className="badge badge-error" data-testid="backend" role="status">
        {error}
      </div>
    );
  }
  if (!backend) {
    return (
      <div className="badge badge-pending" data-testid="backend" role="status">
        Measuring the compute backends…
      </div>
    );
  }
  const chosen = backend.candidates.find((c) => c.outcome === 'chosen');
  const parts = [
    backendLabel(backend.name),
    backend.adapter,
    backend.computeClass === 'cpu' && backend.adapter ? 'software GPU: CPU-class' : null,
    threadsText(backend),
    chosen?.probeMs != null ? `probe ${ms(chosen.probeMs)}` : null,
  ];
  return (
    <div
      className="badge"
      data-testid="backend"
      data-backend={backend.name}
      data-compute-class={backend.computeClass}
      role="status"
    >
      <span className="badge-main">{parts.filter(Boolean).join(' · ')}</span>
      <span className="badge-note"> — {backend.reason}</span>
      {backend.candidates.length > 1 ? (
        <details className="badge-details">
          <summary>Why this backend</summary>
          <ul className="badge-fallbacks" aria-label="Backends measured" data-testid="backend-candidates">
            {backend.candidates.map((c) => (
              <li
                key={c.name}
                data-candidate={c.name}
                data-outcome={c.outcome}
                data-spent-ms={Math.round(c.spentMs)}
              >
                {candidateText(c)}
              </li>
            ))}
          </ul>
          <p className="badge-fine">
            Probe: one training epoch of the feature autoencoder over 1,024 cells at{' '}
            {backend.probeGenes.toLocaleString('en-US')} genes plus one kNN block, after a check of the
            training gradients against plain JavaScript. Measuring took {ms(backend.selectMs)}.
          </p>
        </details>
      ) : null}
    </div>
  );
}
