/**
 * A text input that commits on Enter or when it loses focus (not on every keystroke: each commit rebuilds the
 * dataset in the worker), and reverts on Escape. Used for the inline corrections of the file table.
 */
import { useEffect, useState } from 'react';

export function CommitInput({
  value,
  onCommit,
  label,
  placeholder,
  disabled,
  invalid,
  describedBy,
  size,
  testId,
}: {
  value: string;
  onCommit: (v: string) => void;
  label: string;
  placeholder?: string;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
  size?: number;
  testId?: string;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const commit = () => {
    const t = text.trim();
    if (t !== value) onCommit(t);
  };
  return (
    <input
      type="text"
      className="dm-cell-input"
      value={text}
      size={size}
      placeholder={placeholder}
      aria-label={label}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      disabled={disabled}
      data-testid={testId}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        } else if (e.key === 'Escape') setText(value);
      }}
    />
  );
}
