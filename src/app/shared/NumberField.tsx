/**
 * A labelled number input with its explanation underneath (the `.param` block of the parameter forms): the
 * one number field of the page. The caller parses the text (`onChange` gets it as typed); `invalid` marks a
 * value that cannot be used.
 */
import type { ReactNode } from 'react';

export interface NumberFieldProps {
  readonly id: string;
  readonly label: string;
  readonly help: ReactNode;
  readonly value: string | number;
  readonly onChange: (text: string) => void;
  readonly min?: number | string;
  readonly max?: number | string;
  readonly step?: number | string;
  readonly placeholder?: string;
  readonly disabled?: boolean;
  /** Shown as aria-invalid and a line under the help; leave undefined where a value is never invalid. */
  readonly invalid?: boolean;
  readonly inputMode?: 'decimal' | 'numeric';
}

export function NumberField(p: NumberFieldProps) {
  return (
    <div className="param">
      <label htmlFor={p.id}>{p.label}</label>
      <input
        id={p.id}
        type="number"
        inputMode={p.inputMode}
        step={p.step}
        min={p.min}
        max={p.max}
        placeholder={p.placeholder}
        value={p.value}
        disabled={p.disabled}
        aria-invalid={p.invalid}
        aria-describedby={`${p.id}-help`}
        onChange={(e) => p.onChange(e.currentTarget.value)}
      />
      <p id={`${p.id}-help`} className="param-help">
        {p.help}
        {p.invalid ? <span className="param-error"> This value cannot be used.</span> : null}
      </p>
    </div>
  );
}
