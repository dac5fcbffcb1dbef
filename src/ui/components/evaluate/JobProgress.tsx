/**
 * Progress of the Evaluate job of one kind (probe or ablation): the phase in words, a bar over the whole job, the
 * ETA the worker estimates, the elapsed time, and Cancel (the job stops at its next step; finished ablation runs are
 * kept). Announced politely to screen readers.
 */
import { useEffect, useState } from 'react';
import { useStudioStore } from '../../../store';
import { fmtDuration } from '../data/format';

export function JobProgress({ kind }: { kind: 'probe' | 'experiment' }) {
  const job = useStudioStore((s) => s.evaluate.job);
  const cancel = useStudioStore((s) => s.cancelEvaluation);
  const [now, setNow] = useState(() => Date.now());
  const active = job?.kind === kind;
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  if (!job || !active) return null;
  const p = job.progress;
  const share = p && p.total > 0 ? p.done / p.total : 0;
  const label = kind === 'probe' ? 'Probe progress' : 'Ablation progress';
  return (
    <div className="ev-progress" role="status" aria-live="polite" data-testid={`${kind}-progress`}>
      <div className="ev-progress-head">
        <span>{job.cancelling ? 'Cancelling at the next step…' : (p?.phase ?? 'Starting…')}</span>
        <span className="num muted small">
          {p?.run && `run ${p.run.index + 1} of ${p.run.total} · `}
          {Math.round(share * 100)} % · elapsed {fmtDuration(Math.max(0, (now - job.startedAt) / 1000))} · ETA {p?.etaSeconds == null ? 'estimating…' : fmtDuration(p.etaSeconds)}
        </span>
        <button type="button" className="btn" data-testid={`${kind}-cancel`} disabled={job.cancelling} onClick={() => void cancel()}>
          Cancel
        </button>
      </div>
      <div className="ev-bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}>
        <span style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}
