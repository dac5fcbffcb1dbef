/**
 * Building blocks of the Model section's form: the id of a configuration field (so the problem summary can link to
 * it), the problems shown right under a field, a number field that keeps what was typed and either commits while
 * typing (cheap checks) or on Enter/blur (changes that rebuild the dataset), and a band-count list field ("4, 4, 2").
 * A field with problems is aria-invalid and described by its messages.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { parseCounts, problemsFor, problemText } from '../../../store/modelEdits';

export function fieldId(path: string): string {
  return `cfg-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;
}

export function FieldProblems({ problems, field, local }: { problems: readonly string[]; field: string; local?: string | null }) {
  const mine = problemsFor(problems, field);
  if (mine.length === 0 && !local) return null;
  return (
    <ul className="dm-field-problems" id={`${fieldId(field)}-problems`} role="alert" data-testid={`problems-${field}`}>
      {local && <li>{local}</li>}
      {mine.map((p) => (
        <li key={p}>{problemText(p)}</li>
      ))}
    </ul>
  );
}

function describedBy(problems: readonly string[], field: string, local: string | null, hintId?: string): string | undefined {
  const ids = [hintId, problemsFor(problems, field).length > 0 || local ? `${fieldId(field)}-problems` : undefined].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function NumberField({
  field,
  label,
  value,
  onCommit,
  problems,
  min,
  max,
  step,
  hint,
  commit = 'change',
  disabled,
  unit,
}: {
  field: string;
  label: ReactNode;
  value: number | null;
  onCommit: (v: number) => void;
  problems: readonly string[];
  min?: number;
  max?: number;
  step?: number | 'any';
  hint?: ReactNode;
  /** 'change': every valid keystroke; 'blur': on Enter or leaving the field. */
  commit?: 'change' | 'blur';
  disabled?: boolean;
  unit?: string;
}) {
  const [text, setText] = useState(value === null ? '' : String(value));
  const [local, setLocal] = useState<string | null>(null);
  useEffect(() => {
    setText((t) => (Number(t) === value && t.trim() !== '' ? t : value === null ? '' : String(value)));
  }, [value]);
  const id = fieldId(field);
  const hintId = hint ? `${id}-hint` : undefined;
  const tryCommit = (t: string) => {
    const n = Number(t);
    if (t.trim() === '' || !Number.isFinite(n)) {
      setLocal('Enter a number.');
      return;
    }
    setLocal(null);
    if (n !== value) onCommit(n);
  };
  const invalid = problemsFor(problems, field).length > 0 || local !== null;
  return (
    <div className="dm-field">
      <label htmlFor={id}>{label}</label>
      <span className="dm-field-input">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          value={text}
          min={min}
          max={max}
          step={step}
          disabled={disabled}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy(problems, field, local, hintId)}
          onChange={(e) => {
            setText(e.target.value);
            if (commit === 'change') tryCommit(e.target.value);
          }}
          onBlur={(e) => commit === 'blur' && tryCommit(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && commit === 'blur') {
              e.preventDefault();
              tryCommit((e.target as HTMLInputElement).value);
            }
          }}
        />
        {unit && <span className="muted small">{unit}</span>}
      </span>
      {hint && (
        <span id={hintId} className="small muted dm-field-hint">
          {hint}
        </span>
      )}
      <FieldProblems problems={problems} field={field} local={local} />
    </div>
  );
}

/** Band counts per group as text ("4, 4, 2"), committed on Enter or blur. */
export function CountsField({ field, label, value, onCommit, problems, hint }: { field: string; label: ReactNode; value: number[]; onCommit: (v: number[]) => void; problems: readonly string[]; hint?: ReactNode }) {
  const shown = value.join(', ');
  const [text, setText] = useState(shown);
  const [local, setLocal] = useState<string | null>(null);
  useEffect(() => setText(shown), [shown]);
  const id = fieldId(field);
  const hintId = hint ? `${id}-hint` : undefined;
  const commitText = () => {
    const parsed = parseCounts(text);
    if (!parsed) {
      setLocal('Enter band counts separated by commas, e.g. 4, 4, 2.');
      return;
    }
    setLocal(null);
    if (parsed.join(',') !== value.join(',')) onCommit(parsed);
  };
  const invalid = problemsFor(problems, field).length > 0 || local !== null;
  return (
    <div className="dm-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={text}
        size={12}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(problems, field, local, hintId)}
        onChange={(e) => setText(e.target.value)}
        onBlur={commitText}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commitText();
          } else if (e.key === 'Escape') setText(shown);
        }}
      />
      {hint && (
        <span id={hintId} className="small muted dm-field-hint">
          {hint}
        </span>
      )}
      <FieldProblems problems={problems} field={field} local={local} />
    </div>
  );
}

/** A group of radio buttons for one configuration field. */
export function RadioField<T extends string>({
  field,
  legend,
  value,
  options,
  onChange,
  problems,
  disabled,
}: {
  field: string;
  legend: ReactNode;
  value: T;
  options: { value: T; label: ReactNode; hint?: ReactNode }[];
  onChange: (v: T) => void;
  problems: readonly string[];
  disabled?: boolean;
}) {
  const id = fieldId(field);
  return (
    <fieldset className="dm-radio" id={id} disabled={disabled}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="dm-radio-option">
          <input type="radio" name={id} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
          <span>
            {o.label}
            {o.hint && <span className="small muted dm-block">{o.hint}</span>}
          </span>
        </label>
      ))}
      <FieldProblems problems={problems} field={field} />
    </fieldset>
  );
}
