/** A small labelled whole-number input that keeps the stored value inside [min, max] (keyboard: arrows step it). */
import { useId } from 'react';

export function NumberInput({ label, value, min, max, step = 1, onChange, disabled, testId, hint }: { label: string; value: number; min: number; max: number; step?: number; onChange: (v: number) => void; disabled?: boolean; testId?: string; hint?: string }) {
  const id = useId();
  return (
    <label className="ev-field" htmlFor={id}>
      <span>{label}</span>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        step={step}
        value={value}
        disabled={disabled}
        data-testid={testId}
        title={hint}
        onChange={(e) => {
          const v = Number(e.target.value);
          // An empty or partial entry keeps the last valid value; the range keeps the worker's limits.
          if (e.target.value.trim() !== '' && Number.isFinite(v)) onChange(Math.min(max, Math.max(min, Math.round(v / step) * step)));
        }}
      />
    </label>
  );
}
