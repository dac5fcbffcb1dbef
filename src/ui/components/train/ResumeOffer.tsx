/**
 * The offer shown after a reload when an autosaved run is in the browser's storage: "A training run from <time> at
 * step S was found — Resume / Discard". Resuming needs the same data loaded (the worker checks and says so).
 * Invariants: shown only for an autosave this page did not write itself; a failed resume keeps the offer and shows
 * why next to it.
 */
import { useStudioStore } from '../../../store';
import { fmtBytes, fmtLoss, fmtWhen } from './format';

export function ResumeOffer() {
  const offer = useStudioStore((s) => s.train.resumeOffer);
  const pending = useStudioStore((s) => s.train.pending);
  const actionError = useStudioStore((s) => s.train.actionError);
  const resume = useStudioStore((s) => s.resumeAutosave);
  const discard = useStudioStore((s) => s.discardAutosave);
  if (!offer) return null;
  const error = actionError && (actionError.action === 'resumeAutosave' || actionError.action === 'discardAutosave') ? actionError.message : null;
  return (
    <div className="resume-offer" role="region" aria-label="Saved training run" data-testid="resume-offer">
      <p>
        <strong>
          A training run from {fmtWhen(offer.savedAt)} at step {offer.step.toLocaleString('en')} of {offer.totalSteps.toLocaleString('en')} was found.
        </strong>{' '}
        <span className="muted">
          {offer.preset} model, {offer.modalities.join(', ')}; last loss {fmtLoss(offer.lastLoss)}; {fmtBytes(offer.bytes)}.
        </span>
      </p>
      <div className="button-row">
        <button type="button" className="button primary" data-testid="resume-offer-resume" disabled={pending !== null} onClick={() => void resume()}>
          Resume
        </button>
        <button type="button" className="button" data-testid="resume-offer-discard" disabled={pending !== null} onClick={() => void discard()}>
          Discard
        </button>
        <span className="muted small">Resuming needs the same data loaded in the Data section.</span>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="resume-offer-error">
          {error}
        </p>
      )}
    </div>
  );
}
