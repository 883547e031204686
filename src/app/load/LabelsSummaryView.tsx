/**
 * The labels file that came with the data: how many cells it matched and which classes it has.
 */
import type { LabelsSummary } from '../../engine/contract.ts';
import { Field } from '../shared/Field.tsx';
import { formatInt } from '../shared/format.ts';

export function LabelsSummaryView(props: { labels: LabelsSummary; nCells: number }) {
  const { labels, nCells } = props;
  return (
    <div className="subsection" data-testid="labels-summary">
      <h3>
        Cell labels <span className="muted">({labels.fileName}; used for evaluation only)</span>
      </h3>
      <dl className="fields">
        <Field label="Cells labelled" testId="labels-matched">
          {formatInt(labels.nMatched)} of {formatInt(nCells)}
        </Field>
        <Field label="Label rows without a cell" testId="labels-unmatched">
          {formatInt(labels.nUnmatched)}
        </Field>
        <Field label="Classes" testId="labels-classes">
          {labels.classes.length}
        </Field>
      </dl>
      <p className="muted" data-testid="labels-class-list">
        {labels.classes.slice(0, 30).join(', ')}
        {labels.classes.length > 30 ? ', …' : ''}
      </p>
    </div>
  );
}
