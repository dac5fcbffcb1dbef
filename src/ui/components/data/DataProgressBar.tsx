/**
 * Progress of the worker's long data operations (generating the demo, inspecting files, building the dataset):
 * a bar with counts and ETA, the file being read, and Cancel where the operation can stop early. The dataset phase
 * has no meaningful count, so it shows an indeterminate bar.
 */
import { useStudioStore } from '../../../store';
import { fmtDuration } from './format';

export function DataProgressBar() {
  const progress = useStudioStore((s) => s.data.progress);
  const busy = useStudioStore((s) => s.data.busy);
  const cancel = useStudioStore((s) => s.cancelDataWork);
  if (!progress && !busy) return null;
  const indeterminate = !progress || progress.phase === 'dataset' || progress.total <= 1;
  const pct = progress && progress.total > 0 ? Math.round((100 * progress.done) / progress.total) : 0;
  const label = progress?.label ?? busy ?? 'Working';
  return (
    <div className="dm-data-progress" data-testid="data-progress" role="status" aria-live="polite">
      <div className="dm-data-progress-head">
        <span className="dm-data-progress-label">{label}</span>
        {progress && !indeterminate && (
          <span className="num muted">
            {progress.done} / {progress.total} · {pct} % · ETA {fmtDuration(progress.etaSeconds)}
          </span>
        )}
        {progress?.cancellable && (
          <button type="button" className="dm-btn dm-btn-small" onClick={() => void cancel()}>
            Cancel
          </button>
        )}
      </div>
      {indeterminate ? (
        <div className="dm-bar dm-bar-indeterminate" aria-hidden="true">
          <span />
        </div>
      ) : (
        <div className="dm-bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
          <span style={{ width: `${pct}%` }} />
        </div>
      )}
      {progress?.current && <div className="small muted dm-ellipsis">{progress.current}</div>}
    </div>
  );
}
