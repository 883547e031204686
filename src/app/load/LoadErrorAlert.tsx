/**
 * The engine's error message, verbatim, and whether the previous dataset is still loaded.
 */
import { useAppStore } from '../store.ts';

export function LoadErrorAlert() {
  const error = useAppStore((s) => s.loadError);
  if (!error) return null;
  return (
    <div className="alert" role="alert" data-testid="load-error">
      <p className="alert-title">{error.title}</p>
      <p className="alert-message" data-testid="load-error-message">
        {error.message}
      </p>
      <p className="alert-note">
        {error.previousDataset
          ? `The previously loaded dataset (${error.previousDataset}) is still loaded.`
          : 'No dataset is loaded.'}
      </p>
    </div>
  );
}
