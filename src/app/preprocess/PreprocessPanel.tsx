/**
 * Preprocessing: the parameters and what they keep, shown once a dataset is loaded.
 */
import { ParamsForm } from './ParamsForm.tsx';
import { PreflightResults } from './PreflightResults.tsx';
import { useAppStore } from '../store.ts';

export function PreprocessPanel() {
  const loaded = useAppStore((s) => s.dataset !== null);
  if (!loaded) return null;
  return (
    <section className="panel" aria-labelledby="preprocess-heading" data-testid="preprocess-summary">
      <h2 id="preprocess-heading">3. Preprocessing</h2>
      <p className="muted">
        As in scGNN: filter genes, then cells, keep the most variable genes, then log-transform. Changing a
        value recomputes what is kept.
      </p>
      <div className="preprocess-grid">
        <ParamsForm />
        <PreflightResults />
      </div>
    </section>
  );
}
