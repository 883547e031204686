/**
 * A labelled whole-number field that may be left empty ("keep the preset's value"), with its explanation.
 */
import type { ReactNode } from 'react';

export function OptionalIntField(p: {
  id: string;
  label: string;
  help: ReactNode;
  value: number | null;
  min: number;
  max: number;
  placeholder: string;
  disabled: boolean;
  onChange: (value: number | null) => void;
}) {
  return (
    <div className="param">
      <label htmlFor={p.id}>{p.label}</label>
      <input
        id={p.id}
        type="number"
        min={p.min}
        max={p.max}
        step="1"
        placeholder={p.placeholder}
        value={p.value ?? ''}
        disabled={p.disabled}
        aria-describedby={`${p.id}-help`}
        onChange={(e) => {
          const text = e.currentTarget.value;
          const v = Number(text);
          p.onChange(text === '' || !Number.isInteger(v) || v < p.min ? null : v);
        }}
      />
      <p id={`${p.id}-help`} className="param-help">
        {p.help}
      </p>
    </div>
  );
}
