/**
 * One term/value row of a description list, with a test id on the value.
 */
import type { ReactNode } from 'react';

export function Field(props: { label: string; testId?: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.children}</dd>
    </div>
  );
}
