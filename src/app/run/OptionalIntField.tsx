/**
 * A labelled whole-number field that may be left empty ("keep the preset's value"), with its explanation: the
 * shared `NumberField` with whole-number parsing (empty or unusable text = null).
 */
import type { ReactNode } from 'react';
import { NumberField } from '../shared/NumberField.tsx';

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
    <NumberField
      id={p.id}
      label={p.label}
      help={p.help}
      value={p.value ?? ''}
      min={p.min}
      max={p.max}
      step="1"
      placeholder={p.placeholder}
      disabled={p.disabled}
      onChange={(text) => {
        const v = Number(text);
        p.onChange(text === '' || !Number.isInteger(v) || v < p.min ? null : v);
      }}
    />
  );
}
