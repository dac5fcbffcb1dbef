/**
 * A labelled number input that lets the user type freely ("1e-", "0.") while the store always holds a number: the
 * text being typed is kept locally, every edit is parsed (NaN while unparsable, so the worker's validation names the
 * problem next to the field), and on blur the field shows the stored value again in its canonical form.
 * Invariants: label, hint and error are tied to the input (aria-describedby, aria-invalid), so screen readers read
 * them; the field never rounds or clamps what the user typed.
 */
import { useId, useState } from 'react';

export interface NumberFieldProps {
  label: string;
  value: number;
  onChange: (v: number) => void;
  hint?: string;
  error?: string | null;
  disabled?: boolean;
  testId?: string;
  /** How the stored value is shown when the field is not being edited. */
  format?: (v: number) => string;
}

export const defaultFormat = (v: number) => (Number.isFinite(v) ? String(v) : '');

export function NumberField({ label, value, onChange, hint, error, disabled, testId, format = defaultFormat }: NumberFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        autoComplete="off"
        spellCheck={false}
        data-testid={testId}
        value={draft ?? format(value)}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const t = text.trim();
          onChange(t === '' ? NaN : Number(t));
        }}
        onBlur={() => setDraft(null)}
      />
      {hint && (
        <div id={`${id}-hint`} className="field-hint">
          {hint}
        </div>
      )}
      {error && (
        <div id={`${id}-error`} className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
