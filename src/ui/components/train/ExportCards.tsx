/**
 * The Export section's cards: checkpoint download and upload (one-file bundle with the optimizer state, so a run
 * continues exactly), the autosave to this browser's storage (cadence, last save, discard), and the model exports
 * (configuration JSON, weights as model.safetensors with the studio's parameter names).
 * Invariants: downloads start from files the worker produced at a step boundary; a rejected upload (not a
 * checkpoint, another model configuration, missing data) changes nothing and says why under the button.
 */
import { useId, useRef } from 'react';
import { useStudioStore } from '../../../store';
import { ACTIVE_PHASES, type ExportFile, type TrainAction } from '../../../store/trainSlice';
import { downloadFile } from './download';
import { fmtBytes, fmtLoss, fmtWhen } from './format';
import { NumberField } from './NumberField';

function ActionMessages({ actions }: { actions: TrainAction[] }) {
  const err = useStudioStore((s) => s.train.actionError);
  const notice = useStudioStore((s) => s.train.notice);
  return (
    <>
      {err && actions.includes(err.action) && (
        <p className="error" role="alert" data-testid={`export-error-${err.action}`}>
          {err.message}
        </p>
      )}
      {notice && actions.includes(notice.action) && (
        <p className="notice small" role="status" data-testid={`export-notice-${notice.action}`}>
          {notice.message}
        </p>
      )}
    </>
  );
}

const save = (f: ExportFile | null) => {
  if (f) downloadFile(f.name, f.bytes, f.mime);
};

export function CheckpointCard() {
  const status = useStudioStore((s) => s.train.status);
  const pending = useStudioStore((s) => s.train.pending);
  const saveCheckpoint = useStudioStore((s) => s.saveCheckpoint);
  const loadCheckpoint = useStudioStore((s) => s.loadCheckpoint);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const hasWeights = status.runId > 0 && !['idle', 'starting', 'lost'].includes(status.phase);
  const canLoad = status.phase !== 'running' && status.phase !== 'starting';
  return (
    <div className="card" aria-labelledby="ckpt-title">
      <h3 id="ckpt-title" className="card-title">
        Checkpoint
      </h3>
      <p>
        Everything needed to continue the run exactly: weights, AdamW moments, step, settings and model configuration, in one
        safetensors file.
      </p>
      <p className="muted small">
        {hasWeights ? `Current weights: step ${status.step} of ${status.totalSteps} (${status.preset} model).` : 'No weights yet: start a training run, or load a checkpoint.'}
      </p>
      <div className="button-row">
        <button type="button" className="button primary" data-testid="checkpoint-save" disabled={!hasWeights || pending !== null} onClick={async () => save(await saveCheckpoint())}>
          {pending === 'saveCheckpoint' ? 'Saving…' : 'Save checkpoint'}
        </button>
        <button type="button" className="button" data-testid="checkpoint-load" disabled={!canLoad || pending !== null} onClick={() => input.current?.click()} aria-describedby={`${inputId}-hint`}>
          {pending === 'loadCheckpoint' ? 'Loading…' : 'Load checkpoint…'}
        </button>
        <input
          ref={input}
          id={inputId}
          type="file"
          accept=".safetensors,application/octet-stream"
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          data-testid="checkpoint-file"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) await loadCheckpoint(file);
          }}
        />
      </div>
      <p id={`${inputId}-hint`} className="muted small">
        {canLoad ? 'Loading needs the data and model configuration the checkpoint was trained with; it arrives paused.' : 'Pause or stop the training to load a checkpoint.'}
      </p>
      <ActionMessages actions={['saveCheckpoint', 'loadCheckpoint']} />
    </div>
  );
}

export function AutosaveCard() {
  const settings = useStudioStore((s) => s.train.settings);
  const autosave = useStudioStore((s) => s.train.autosave);
  const phase = useStudioStore((s) => s.train.status.phase);
  const problem = useStudioStore((s) => s.train.plan?.problems.find((p) => p.field === 'autosaveEvery')?.message ?? null);
  const setCadence = useStudioStore((s) => s.setTrainCadence);
  const set = useStudioStore((s) => s.setTrainSettings);
  const discard = useStudioStore((s) => s.discardAutosave);
  const pending = useStudioStore((s) => s.train.pending);
  const last = autosave.last;
  const active = ACTIVE_PHASES.includes(phase);
  return (
    <div className="card" aria-labelledby="autosave-title">
      <h3 id="autosave-title" className="card-title">
        Autosave
      </h3>
      <p>
        The run is saved to this browser&apos;s private storage while it trains, and when it pauses, stops or ends. After a
        reload the studio offers to resume it.
      </p>
      <div className="autosave-row">
        <NumberField
          label="Autosave every (steps)"
          testId="autosave-every"
          value={settings.autosaveEvery}
          onChange={(v) => (active ? void setCadence({ autosaveEvery: v }) : set({ autosaveEvery: v }))}
          error={problem}
          hint="0 = only on pause, stop and end."
        />
        <button type="button" className="button" data-testid="autosave-discard" disabled={!last || pending !== null} onClick={() => void discard()}>
          Discard autosave
        </button>
      </div>
      <p className="small" data-testid="autosave-last" role="status">
        {last ? (
          <>
            Last autosave: step {last.step} of {last.totalSteps}, {fmtWhen(last.savedAt)}, {fmtBytes(last.bytes)}, loss {fmtLoss(last.lastLoss)} —{' '}
            {last.where === 'opfs' ? 'in the browser storage (survives a reload).' : 'in this tab’s memory only (lost on reload).'}
          </>
        ) : (
          <span className="muted">No autosave yet.</span>
        )}
      </p>
      {autosave.error && (
        <p className="warn-text small" role="alert" data-testid="autosave-error">
          {autosave.error}
        </p>
      )}
      <ActionMessages actions={['discardAutosave', 'options']} />
    </div>
  );
}

export function ModelExportCard() {
  const status = useStudioStore((s) => s.train.status);
  const pending = useStudioStore((s) => s.train.pending);
  const exportConfig = useStudioStore((s) => s.exportTrainConfig);
  const exportWeights = useStudioStore((s) => s.exportWeights);
  const hasWeights = status.runId > 0 && !['idle', 'starting', 'lost'].includes(status.phase);
  return (
    <div className="card" aria-labelledby="model-export-title">
      <h3 id="model-export-title" className="card-title">
        Model files
      </h3>
      <p>
        The configuration as JSON (the same file the Model section and <code>npm run train -- --config</code> read), and the
        weights as <code>model.safetensors</code> for PyTorch: parameters only, named as in the studio (see the README for the
        MAESTRO key mapping).
      </p>
      <div className="button-row">
        <button type="button" className="button" data-testid="export-config" disabled={pending !== null} onClick={async () => save(await exportConfig())}>
          Export configuration (JSON)
        </button>
        <button type="button" className="button" data-testid="export-weights" disabled={!hasWeights || pending !== null} onClick={async () => save(await exportWeights())}>
          Export weights (model.safetensors)
        </button>
      </div>
      <ActionMessages actions={['exportConfig', 'exportWeights']} />
    </div>
  );
}
