/**
 * Progress of the running load: file name, step message and a progress bar.
 */
import { useAppStore } from '../store.ts';

export function LoadProgressBar() {
  const loading = useAppStore((s) => s.loading);
  if (!loading) return null;
  const percent = Math.round(Math.min(1, Math.max(0, loading.fraction)) * 100);
  return (
    <div className="progress" data-testid="load-progress" role="status" aria-live="polite">
      <div className="progress-text">
        <span className="progress-file">{loading.file}</span>
        <span className="progress-message">{loading.message}</span>
        <span className="progress-percent">{percent} %</span>
      </div>
      <progress max={100} value={percent} aria-label={`Loading ${loading.file}`} />
    </div>
  );
}
