/**
 * The probe card: head (linear, attentive or both), probe steps, split, held-out share and tiles; Run (refused in
 * words while training runs or labels are missing) and the job's progress with Cancel; then the result.
 */
import { useStudioStore } from '../../../store';
import { blockedReason, type HeadKind, type SplitKind } from '../../../store/probeSlice';
import { JobProgress } from './JobProgress';
import { NumberInput } from './NumberInput';
import { ProbeResultView } from './ProbeResultView';

const HEAD_CHOICES: { id: string; heads: HeadKind[]; label: string }[] = [
  { id: 'linear', heads: ['linear'], label: 'Linear (mean of the tokens)' },
  { id: 'attentive', heads: ['attentive'], label: 'Attentive pooling (AttentiveReduce)' },
  { id: 'both', heads: ['linear', 'attentive'], label: 'Both' },
];

const SPLITS: { id: SplitKind | 'auto'; label: string }[] = [
  { id: 'auto', label: 'Automatic' },
  { id: 'tile', label: 'By tile' },
  { id: 'date', label: 'By date (dated labels)' },
  { id: 'block', label: 'By spatial block' },
];

export function ProbePanel() {
  const settings = useStudioStore((s) => s.evaluate.settings);
  const set = useStudioStore((s) => s.setProbeSettings);
  const run = useStudioStore((s) => s.runProbe);
  const probe = useStudioStore((s) => s.evaluate.probe);
  const job = useStudioStore((s) => s.evaluate.job);
  const blocked = useStudioStore((s) => blockedReason(s));
  const headId = HEAD_CHOICES.find((h) => h.heads.join() === settings.heads.join())?.id ?? 'linear';
  const busy = job !== null;

  return (
    <section className="card" aria-labelledby="ev-probe-title" data-testid="probe-panel">
      <h3 id="ev-probe-title">Probe</h3>
      <p className="muted small">
        Trains a small classifier on the frozen encoder features of the current weights and scores it on held-out tiles. A linear probe reads the
        mean of each set's tokens; the attentive probe learns which tokens to attend to. Whole tiles (or dates, or blocks) are held out, with the
        same split for every run.
      </p>
      <div className="ev-row">
        <label className="ev-field">
          <span>Head</span>
          <select data-testid="probe-head" value={headId} disabled={busy} onChange={(e) => set({ heads: HEAD_CHOICES.find((h) => h.id === e.target.value)!.heads })}>
            {HEAD_CHOICES.map((h) => (
              <option key={h.id} value={h.id}>
                {h.label}
              </option>
            ))}
          </select>
        </label>
        <NumberInput label="Probe steps" value={settings.steps} min={1} max={5000} disabled={busy} testId="probe-steps" onChange={(steps) => set({ steps })} />
        <label className="ev-field">
          <span>Split</span>
          <select data-testid="probe-split" value={settings.split} disabled={busy} onChange={(e) => set({ split: e.target.value as SplitKind | 'auto' })}>
            {SPLITS.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <NumberInput label="Held out (%)" value={Math.round(settings.testFraction * 100)} min={5} max={90} disabled={busy} testId="probe-test-share" onChange={(v) => set({ testFraction: v / 100 })} />
        <NumberInput label="Tiles (at most)" value={settings.maxTiles} min={1} max={1024} disabled={busy} testId="probe-tiles" hint="More tiles are spread evenly over the data." onChange={(maxTiles) => set({ maxTiles })} />
        <button type="button" className="btn btn-primary" data-testid="probe-run" disabled={blocked !== null} onClick={() => void run()}>
          Run probe
        </button>
      </div>
      {blocked && !busy && (
        <p className="ev-blocked small" data-testid="probe-blocked">
          {blocked}
        </p>
      )}
      <JobProgress kind="probe" />
      {probe.error && (
        <p className="error" role="alert" data-testid="probe-error">
          {probe.error}
        </p>
      )}
      {probe.cancelled && !busy && (
        <p className="muted" role="status" data-testid="probe-cancelled">
          The probe was cancelled{probe.result ? '; the result below is from the previous run' : ''}.
        </p>
      )}
      {probe.result && <ProbeResultView result={probe.result} />}
    </section>
  );
}
