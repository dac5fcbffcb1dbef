/**
 * Run controls and state: what is missing before a start (data, model, GPU), the expected time per step (computed
 * before starting, essential on a software adapter), Start / Pause / Resume / Stop, a progress bar with ETA, steps/s
 * and tokens/s, the latest losses, and — after a NaN, a lost device or an error — the message and the way back
 * (resume from the run's last checkpoint).
 * Invariants: buttons reflect the worker's phase (never a local guess); an action waiting for the worker disables
 * the controls and names itself; its failure is shown right under the buttons.
 */
import { useStudioStore, type Section } from '../../../store';
import { ACTIVE_PHASES, formatDuration, selectCanStart, type TrainAction, type TrainPhase } from '../../../store/trainSlice';
import { fmtBytes, fmtCount, fmtLoss, fmtRate, fmtSeconds } from './format';

const RUN_ACTIONS: TrainAction[] = ['start', 'pause', 'resume', 'stop', 'recover', 'options', 'simulateDeviceLoss'];

const PENDING_TEXT: Partial<Record<TrainAction, string>> = {
  start: 'Starting…',
  pause: 'Pausing after this step…',
  resume: 'Resuming…',
  stop: 'Stopping after this step…',
  recover: 'Restoring the last checkpoint…',
  resumeAutosave: 'Restoring the autosave…',
  loadCheckpoint: 'Loading the checkpoint…',
};

const PHASE_LABEL: Record<TrainPhase, string> = {
  idle: 'Ready',
  starting: 'Starting',
  running: 'Training',
  paused: 'Paused',
  stopped: 'Stopped',
  done: 'Finished',
  failed: 'Stopped: NaN',
  lost: 'GPU lost',
  error: 'Error',
};

function sectionOf(message: string): Section | null {
  if (/Data section|No data|GeoTIFF/i.test(message)) return 'data';
  if (/Model section|model configuration/i.test(message)) return 'model';
  return null;
}

function Missing() {
  const plan = useStudioStore((s) => s.train.plan);
  const setSection = useStudioStore((s) => s.setSection);
  if (!plan || plan.missing.length === 0) return null;
  return (
    <div className="train-missing" data-testid="train-missing">
      <strong>Before training can start:</strong>
      <ul>
        {plan.missing.map((m) => {
          const target = sectionOf(m);
          return (
            <li key={m}>
              {m}{' '}
              {target && (
                <button type="button" className="link-button" onClick={() => setSection(target)}>
                  Open {target === 'data' ? 'Data' : 'Model'}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function Expectation() {
  const estimate = useStudioStore((s) => s.train.plan?.estimate ?? null);
  const steps = useStudioStore((s) => s.train.settings.steps);
  const phase = useStudioStore((s) => s.train.status.phase);
  const hadRun = useStudioStore((s) => s.train.status.runId > 0);
  if (!estimate || ACTIVE_PHASES.includes(phase)) return null;
  const total = estimate.expectedSecondsPerStep !== null && Number.isFinite(steps) ? estimate.expectedSecondsPerStep * steps : null;
  return (
    <div className="train-expect" data-testid="train-expectation">
      {estimate.expectedSecondsPerStep !== null ? (
        <p>
          <strong>
            {hadRun ? 'A new run: expected' : 'Expected'} ≈ {fmtSeconds(estimate.expectedSecondsPerStep)} per step
          </strong>{' '}
          on this software adapter
          {total !== null && <> — {Number.isInteger(steps) ? steps.toLocaleString('en') : steps} steps ≈ {formatDuration(total)}</>}.
        </p>
      ) : (
        <p>Hardware GPU: the time per step is measured from the first steps.</p>
      )}
      <p className="muted small">
        {fmtCount(estimate.params)} parameters · {(estimate.flopsPerStep / 1e9).toFixed(2)} GFLOP and {fmtCount(estimate.tokensPerStep)} tokens per step · ≥ {fmtBytes(estimate.memoryBytes)} of GPU memory
        {estimate.expectedSecondsPerStep !== null && <> · {estimate.basis}</>}
      </p>
    </div>
  );
}

function Progress() {
  const status = useStudioStore((s) => s.train.status);
  const progress = useStudioStore((s) => s.train.progress);
  const loss = useStudioStore((s) => s.train.metrics.loss.at(-1));
  const modalityLast = useStudioStore((s) => s.train.metrics.modality.map((a) => a.at(-1)).join('|'));
  const valLoss = useStudioStore((s) => s.train.validation.loss.at(-1));
  const valStep = useStudioStore((s) => s.train.validation.step.at(-1));
  const valOff = useStudioStore((s) => (s.train.status.settings?.validateEvery ?? 1) === 0);
  const lr = useStudioStore((s) => s.train.metrics.lr.at(-1));
  const expected = useStudioStore((s) => s.train.plan?.estimate?.expectedSecondsPerStep ?? null);
  if (status.phase === 'idle' || status.totalSteps === 0) return null;
  const { step, totalSteps } = status;
  const pct = Math.min(100, (step / totalSteps) * 100);
  const running = status.phase === 'running';
  let eta: number | null = progress?.etaSeconds ?? null;
  if (running && (progress?.stepsPerSecond ?? null) === null && expected !== null) eta = (totalSteps - step) * expected;
  const sps = progress?.stepsPerSecond ?? null;
  const perModality = modalityLast.split('|').map(Number);
  return (
    <div className="train-progress" data-testid="train-progress">
      <div
        className="progress"
        role="progressbar"
        aria-label="Training progress"
        aria-valuemin={0}
        aria-valuemax={totalSteps}
        aria-valuenow={step}
        aria-valuetext={`step ${step} of ${totalSteps}`}
      >
        <div className={`progress-fill${running ? ' progress-live' : ''}`} style={{ transform: `scaleX(${pct / 100})` }} />
      </div>
      <dl className="train-stats">
        <div>
          <dt>Step</dt>
          <dd className="num" data-testid="train-step">
            {step.toLocaleString('en')} / {totalSteps.toLocaleString('en')}
          </dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd className="num" data-testid="train-eta">
            {running ? formatDuration(eta) : step >= totalSteps ? 'done' : '–'}
          </dd>
        </div>
        <div>
          <dt>Speed</dt>
          <dd className="num" title={sps === null ? undefined : `${sps.toPrecision(3)} steps per second`}>
            {sps !== null && sps > 0 && sps < 1 ? `${fmtSeconds(1 / sps)}/step` : fmtRate(sps, 'steps/s')}
          </dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd className="num">{fmtRate(progress?.tokensPerSecond, 'tokens/s')}</dd>
        </div>
        <div>
          <dt>Training loss</dt>
          <dd className="num" data-testid="train-loss">
            {fmtLoss(loss)}
          </dd>
        </div>
        <div>
          <dt>Validation loss</dt>
          <dd className="num" data-testid="train-val-loss">
            {valOff && valLoss === undefined ? 'off' : fmtLoss(valLoss)}
            {valStep !== undefined && <span className="muted"> @ {valStep}</span>}
          </dd>
        </div>
        <div>
          <dt>Learning rate</dt>
          <dd className="num">{lr === undefined ? '–' : lr.toExponential(2)}</dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd className="num">{formatDuration(progress?.elapsedSeconds ?? null)}</dd>
        </div>
      </dl>
      {status.modalities.length > 1 && loss !== undefined && (
        <p className="muted small train-modality-losses">
          {status.modalities.map((m, i) => (
            <span key={m}>
              {m} <span className="num">{fmtLoss(perModality[i])}</span>
            </span>
          ))}
        </p>
      )}
      {status.validationNote && <p className="warn-text small">{status.validationNote}</p>}
    </div>
  );
}

function Failure() {
  const status = useStudioStore((s) => s.train.status);
  const recover = useStudioStore((s) => s.recoverTraining);
  const pending = useStudioStore((s) => s.train.pending);
  const f = status.failure;
  if (!f || !['failed', 'lost', 'error'].includes(status.phase)) return null;
  const from = status.checkpointStep ?? 0;
  const title = f.kind === 'nan' ? `The loss became non-finite at step ${f.step}` : f.kind === 'device-lost' ? 'The GPU device was lost' : 'Training stopped with an error';
  return (
    <div className="train-failure" role="alert" data-testid="train-failure">
      <strong>{title}</strong>
      <p>{f.message}</p>
      {f.tensor && (
        <p className="small">
          First non-finite tensor: <code>{f.tensor}</code>
        </p>
      )}
      {status.canRecover ? (
        <div className="button-row">
          <button type="button" className="button primary" data-testid="train-recover" disabled={pending !== null} onClick={() => void recover()}>
            {f.kind === 'device-lost' ? `Resume on a new GPU device from step ${from}` : `Resume from step ${from}`}
          </button>
          <span className="muted small">{f.kind === 'nan' ? 'Uses the settings on the left: lower the learning rate or turn on clipping first.' : 'Uses the settings on the left.'}</span>
        </div>
      ) : (
        <p className="small">Change the settings (a smaller batch or model needs less memory) and start again.</p>
      )}
    </div>
  );
}

export function TrainRunPanel() {
  const status = useStudioStore((s) => s.train.status);
  const pending = useStudioStore((s) => s.train.pending);
  const actionError = useStudioStore((s) => s.train.actionError);
  const planError = useStudioStore((s) => s.train.planError);
  const canStart = useStudioStore(selectCanStart);
  const start = useStudioStore((s) => s.startTraining);
  const pause = useStudioStore((s) => s.pauseTraining);
  const resume = useStudioStore((s) => s.resumeTraining);
  const stop = useStudioStore((s) => s.stopTraining);
  const { phase } = status;
  const busy = pending !== null;
  const active = ACTIVE_PHASES.includes(phase);
  // After a failure the way back (resume from the checkpoint) is the primary action, not a new run.
  const failed = phase === 'failed' || phase === 'lost' || phase === 'error';
  // A failed start or recovery is also the run's failure (shown below with what to do): say it once.
  const runError = actionError && RUN_ACTIONS.includes(actionError.action) && actionError.message !== status.failure?.message ? actionError.message : null;
  let line: string;
  if (phase === 'running') line = `Training — step ${status.step} of ${status.totalSteps}${status.preset ? ` (${status.preset} model, batch ${status.settings?.batchSize ?? '?'})` : ''}.`;
  else if (phase === 'paused') line = status.note ?? `Paused at step ${status.step} of ${status.totalSteps}.`;
  else if (phase === 'idle') line = 'No training run yet.';
  else if (phase === 'failed' || phase === 'lost' || phase === 'error') line = `Stopped at step ${status.step} of ${status.totalSteps}.`;
  else line = status.note ?? '';

  return (
    <div className="card train-run" aria-labelledby="train-run-title">
      <div className="train-run-head">
        <h3 id="train-run-title" className="card-title">
          Run
        </h3>
        <span className={`phase phase-${phase}`} data-testid="train-phase" data-phase={phase}>
          {PHASE_LABEL[phase]}
        </span>
      </div>
      <p className="train-line" role="status" aria-live="polite" data-testid="train-status">
        {pending && PENDING_TEXT[pending] ? PENDING_TEXT[pending] : line}
      </p>
      {!active && <Missing />}
      <div className="button-row">
        {!active && (
          <button type="button" className={`button${failed ? '' : ' primary'}`} data-testid="train-start" disabled={!canStart || busy} onClick={() => void start()}>
            {status.runId > 0 && phase !== 'idle' ? 'Start a new run' : 'Start training'}
          </button>
        )}
        {phase === 'running' && (
          <button type="button" className="button" data-testid="train-pause" disabled={busy} onClick={() => void pause()}>
            Pause
          </button>
        )}
        {phase === 'paused' && (
          <button type="button" className="button primary" data-testid="train-resume" disabled={busy} onClick={() => void resume()}>
            Resume
          </button>
        )}
        {(phase === 'running' || phase === 'paused') && (
          <button type="button" className="button danger" data-testid="train-stop" disabled={busy} onClick={() => void stop()}>
            Stop
          </button>
        )}
        {!active && status.runId > 0 && phase !== 'idle' && <span className="muted small">A new run replaces these weights (the autosave keeps them until it saves).</span>}
      </div>
      {runError && (
        <p className="error" role="alert" data-testid="train-action-error">
          {runError}
        </p>
      )}
      {planError && <p className="error small">Could not check the settings: {planError}</p>}
      <Expectation />
      <Progress />
      <Failure />
    </div>
  );
}
