/**
 * Outcome lines of the last data operation ("3 files were already loaded …") and, separately, the error of an
 * operation that failed as a whole (per-file problems are shown on their rows instead).
 */
import { useStudioStore } from '../../../store';

export function DataMessages() {
  const messages = useStudioStore((s) => s.data.messages);
  const error = useStudioStore((s) => s.data.error);
  const dismiss = useStudioStore((s) => s.dismissDataMessages);
  if (messages.length === 0 && !error) return null;
  return (
    <div className="dm-data-messages" data-testid="data-messages">
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {messages.length > 0 && (
        <ul className="plain" role="status">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <button type="button" className="dm-btn dm-btn-small dm-btn-quiet" onClick={dismiss} aria-label="Dismiss these messages">
        Dismiss
      </button>
    </div>
  );
}
