/**
 * Shows which compute backend the worker uses (name, GPU adapter, warm-up time) and any fallbacks.
 */
import { useAppStore } from './store.ts';
import { backendLabel } from './format.ts';

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
        Starting the compute backend…
      </div>
    );
  }
  const parts = [backendLabel(backend.name), backend.adapter, `warm-up ${Math.round(backend.warmupMs)} ms`];
  return (
    <div className="badge" data-testid="backend" data-backend={backend.name} role="status">
      <span className="badge-main">{parts.filter(Boolean).join(' · ')}</span>
      {backend.requested !== 'auto' && backend.requested !== backend.name ? (
        <span className="badge-note"> (asked for {backend.requested})</span>
      ) : null}
      {backend.fallbacks.length > 0 ? (
        <ul className="badge-fallbacks" aria-label="Backends that could not be used">
          {backend.fallbacks.map((f) => (
            <li key={f.name}>
              {backendLabel(f.name)} unavailable: {f.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
