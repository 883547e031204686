/**
 * For delimited text: the orientation in use, why, and a button to flip rows and columns.
 */
import type { DatasetSummary } from '../../engine/contract.ts';
import { setOrientation } from './load-actions.ts';
import { orientationLabel } from '../shared/format.ts';
import { useAppStore } from '../store.ts';

export function OrientationControl(props: { orientation: NonNullable<DatasetSummary['orientation']> }) {
  const busy = useAppStore((s) => s.loading !== null);
  const { chosen, reason } = props.orientation;
  const flipTo = chosen === 'genes-x-cells' ? 'cells-x-genes' : 'genes-x-cells';
  return (
    <div className="orientation">
      <p>
        <strong data-testid="orientation" data-orientation={chosen}>
          {orientationLabel(chosen)}
        </strong>{' '}
        <span className="muted" data-testid="orientation-reason">
          — {reason}
        </span>
      </p>
      <button type="button" onClick={() => void setOrientation(flipTo)} disabled={busy}>
        {flipTo === 'cells-x-genes' ? 'Flip: treat rows as cells' : 'Flip: treat rows as genes'}
      </button>
    </div>
  );
}
