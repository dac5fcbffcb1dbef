/**
 * Which weights the reconstructions use, and whether training has moved on since: a note with a Refresh button when
 * the shown weights are older than the training run's, and an opt-in "follow training" that re-runs the inspection
 * after every step (off by default: on a software GPU each re-run slows training noticeably).
 */
import { useEffect, useState } from 'react';
import { useStudioStore } from '../../../store';
import type { InspectWeightsInfo } from '../../../store/inspectSlice';

export function WeightsNote({ weights }: { weights: InspectWeightsInfo }) {
  const trainStep = useStudioStore((s) => s.train.status.step);
  const trainRun = useStudioStore((s) => s.train.status.runId);
  const phase = useStudioStore((s) => s.train.status.phase);
  const reload = useStudioStore((s) => s.loadInspectSamples);
  const [follow, setFollow] = useState(false);

  const hasRun = trainRun > 0 && phase !== 'idle' && phase !== 'starting' && phase !== 'lost';
  const stale = hasRun && (weights.source === 'initial' || weights.step !== trainStep);

  useEffect(() => {
    if (follow && hasRun) void reload();
  }, [follow, hasRun, trainStep, trainRun, reload]);

  return (
    <div className="ins-weights-bar">
      <div className={`ins-weights ${weights.source === 'initial' ? 'is-initial' : ''}`} data-testid="inspect-weights" data-source={weights.source} data-step={weights.step}>
        {weights.note}
      </div>
      {stale && !follow && (
        <div className="ins-stale" role="status" data-testid="inspect-stale">
          Training is at step {trainStep}.{' '}
          <button type="button" className="btn" onClick={() => void reload()}>
            Show step {trainStep}
          </button>
        </div>
      )}
      <label className="small ins-follow">
        <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} data-testid="inspect-follow" /> Follow training (re-run after every step)
      </label>
    </div>
  );
}
