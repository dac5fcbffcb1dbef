/**
 * The hyper-parameters of a run: steps, batch size, peak learning rate and schedule (one-cycle with warm-up, or
 * constant), weight decay, gradient clipping, seed, and the validation cadence. The worker validates (`train.plan`);
 * its messages appear under the field they concern.
 * Invariants: the run-defining fields are locked while a run is starting, running or paused (the run keeps the
 * settings it started with); the validation cadence can change at any time and applies to a running run.
 */
import { useId } from 'react';
import { useStudioStore } from '../../../store';
import { ACTIVE_PHASES, type TrainSettings } from '../../../store/trainSlice';
import { NumberField } from './NumberField';

const fmtLr = (v: number) => (Number.isFinite(v) ? (v !== 0 && Math.abs(v) < 0.01 ? v.toExponential() : String(v)) : '');

export function TrainSettingsForm() {
  const settings = useStudioStore((s) => s.train.settings);
  const plan = useStudioStore((s) => s.train.plan);
  const phase = useStudioStore((s) => s.train.status.phase);
  const set = useStudioStore((s) => s.setTrainSettings);
  const setCadence = useStudioStore((s) => s.setTrainCadence);
  const scheduleId = useId();
  const clipId = useId();
  const locked = ACTIVE_PHASES.includes(phase);
  const errorOf = (f: keyof TrainSettings) => plan?.problems.find((p) => p.field === f)?.message ?? null;
  const active = phase === 'running' || phase === 'paused';

  return (
    <form className="card train-settings" aria-labelledby="train-settings-title" onSubmit={(e) => e.preventDefault()}>
      <h3 id="train-settings-title" className="card-title">
        Settings
      </h3>
      {locked && <p className="muted small">The run uses the settings it started with. Stop it to change them.</p>}
      <fieldset disabled={locked} className="field-group">
        <legend className="visually-hidden">Run</legend>
        <NumberField label="Steps" testId="train-steps" value={settings.steps} onChange={(v) => set({ steps: v })} error={errorOf('steps')} hint="Optimizer steps of the run." />
        <NumberField label="Batch size" testId="train-batch" value={settings.batchSize} onChange={(v) => set({ batchSize: v })} error={errorOf('batchSize')} hint="Samples per step." />
        <NumberField label="Seed" testId="train-seed" value={settings.seed} onChange={(v) => set({ seed: v })} error={errorOf('seed')} hint="Initial weights, batches and masks: same seed, same run." />
      </fieldset>
      <fieldset disabled={locked} className="field-group">
        <legend>Optimizer (AdamW)</legend>
        <NumberField label="Peak learning rate" testId="train-lr" value={settings.peakLr} onChange={(v) => set({ peakLr: v })} error={errorOf('peakLr')} format={fmtLr} />
        <div className="field">
          <label htmlFor={scheduleId}>Schedule</label>
          <select id={scheduleId} data-testid="train-schedule" value={settings.schedule} onChange={(e) => set({ schedule: e.target.value === 'constant' ? 'constant' : 'one-cycle' })}>
            <option value="one-cycle">One-cycle</option>
            <option value="constant">Constant</option>
          </select>
        </div>
        {settings.schedule === 'one-cycle' && (
          <NumberField label="Warm-up (% of steps)" testId="train-warmup" value={settings.warmupPct} onChange={(v) => set({ warmupPct: v })} error={errorOf('warmupPct')} hint="One-cycle rises from peak/1000 to the peak over the warm-up, then decays along a cosine (MAESTRO: 20 %)." />
        )}
        <NumberField label="Weight decay" testId="train-wd" value={settings.weightDecay} onChange={(v) => set({ weightDecay: v })} error={errorOf('weightDecay')} />
        <div className="field field-inline">
          <input id={clipId} type="checkbox" data-testid="train-clip-on" checked={settings.clipNorm !== null} onChange={(e) => set({ clipNorm: e.target.checked ? 1 : null })} />
          <label htmlFor={clipId}>Clip the gradient norm</label>
        </div>
        {settings.clipNorm !== null && (
          <NumberField label="Clip at global norm" testId="train-clip" value={settings.clipNorm} onChange={(v) => set({ clipNorm: v })} error={errorOf('clipNorm')} hint="Guards against loss spikes; MAESTRO does not clip." />
        )}
      </fieldset>
      <fieldset className="field-group">
        <legend>Validation</legend>
        <NumberField
          label="Validate every (steps)"
          testId="train-validate-every"
          value={settings.validateEvery}
          onChange={(v) => (active ? void setCadence({ validateEvery: v }) : set({ validateEvery: v }))}
          error={errorOf('validateEvery')}
          hint="Loss on the fixed validation tiles; 0 turns it off."
        />
        <NumberField
          label="Validation tiles"
          testId="train-validation-tiles"
          value={settings.validationTiles}
          onChange={(v) => set({ validationTiles: v })}
          error={errorOf('validationTiles')}
          disabled={locked}
          hint="At most this many tiles per evaluation."
        />
      </fieldset>
    </form>
  );
}
