/**
 * The ablation card: which values of target normalisation, spectral fusion and masking to compare with the current
 * model (its own values are the base and always run; values the model cannot use are shown disabled with the
 * reason), seeds, the pre-training budget and probe steps. Every variant × seed is a new model pre-trained from
 * scratch on the loaded data — the model being trained in the Train section is never touched. Finished runs appear
 * while the job goes on; at the end, the table and the chart of the probe scores with their spread over seeds.
 */
import { useStudioStore } from '../../../store';
import { ablationRunCount, blockedReason, type Factor, type FactorChoice } from '../../../store/probeSlice';
import { AblationChart } from './AblationChart';
import { AblationTable } from './AblationTable';
import { duration, pct } from './format';
import { JobProgress } from './JobProgress';
import { NumberInput } from './NumberInput';

const VALUE_LABELS: Record<string, string> = {
  none: 'none (raw patches)',
  patch: 'per patch (MAE)',
  'patch-group': 'per patch and band group (MAESTRO)',
  joint: 'joint token (all bands)',
  token: 'token per band group',
  random: 'random',
  structured: 'structured (MAESTRO)',
  anchor: 'anchor-aware (A²-MAE-style)',
};

/** A stable empty list: a selector returning a fresh [] would re-render forever. */
const NO_FACTORS: FactorChoice[] = [];

export function AblationPanel() {
  const factors = useStudioStore((s) => s.evaluate.context?.factors ?? NO_FACTORS);
  const a = useStudioStore((s) => s.evaluate.ablation);
  const set = useStudioStore((s) => s.setAblationSettings);
  const toggle = useStudioStore((s) => s.toggleAblationValue);
  const run = useStudioStore((s) => s.runAblation);
  const ex = useStudioStore((s) => s.evaluate.experiment);
  const job = useStudioStore((s) => s.evaluate.job);
  const heads = useStudioStore((s) => s.evaluate.settings.heads);
  const blocked = useStudioStore((s) => blockedReason(s));
  const busy = job !== null;
  const runs = ablationRunCount(a);
  const variants = runs / a.seeds;
  const showLive = ex.liveRuns.length > 0 && (busy || !ex.result);

  return (
    <section className="card" aria-labelledby="ev-ablation-title" data-testid="ablation-panel">
      <h3 id="ev-ablation-title">Ablation</h3>
      <p className="muted small">
        Same data, seeds and step budget for every variant: each variant changes one setting of the current model, is pre-trained from scratch for
        the given steps, and its frozen encoder is probed ({heads.join(' + ')}, with the probe settings above). The model in the Train section is not
        touched.
      </p>
      <div className="ev-factors">
        {factors.map((f) => (
          <fieldset key={f.factor} data-testid={`ablate-${f.factor}`}>
            <legend>{f.label}</legend>
            {f.values.map((v) => {
              const isBase = v.value === f.base;
              const checked = isBase || (a.values[f.factor as Factor] as string[]).includes(v.value);
              return (
                <label key={v.value} className={v.available ? '' : 'is-unavailable'} title={v.reason ?? undefined}>
                  <input
                    type="checkbox"
                    data-testid={`ablate-${f.factor}-${v.value}`}
                    checked={checked}
                    disabled={busy || isBase || !v.available}
                    onChange={(e) => toggle(f.factor, v.value, e.target.checked)}
                  />{' '}
                  {VALUE_LABELS[v.value] ?? v.value}
                  {isBase && <span className="muted"> — current model</span>}
                  {!v.available && <span className="small"> — not available: {v.reason}</span>}
                </label>
              );
            })}
          </fieldset>
        ))}
      </div>
      <div className="ev-row" style={{ marginTop: '0.75rem' }}>
        <NumberInput label="Seeds" value={a.seeds} min={1} max={5} disabled={busy} testId="ablation-seeds" onChange={(seeds) => set({ seeds })} />
        <NumberInput label="Pre-training steps" value={a.pretrainSteps} min={1} max={10000} disabled={busy} testId="ablation-pretrain-steps" onChange={(pretrainSteps) => set({ pretrainSteps })} />
        <NumberInput label="Batch" value={a.pretrainBatch} min={1} max={64} disabled={busy} testId="ablation-batch" onChange={(pretrainBatch) => set({ pretrainBatch })} />
        <NumberInput label="Probe steps" value={a.probeSteps} min={1} max={5000} disabled={busy} testId="ablation-probe-steps" onChange={(probeSteps) => set({ probeSteps })} />
        <button type="button" className="btn btn-primary" data-testid="ablation-run" disabled={blocked !== null || factors.length === 0} onClick={() => void run()}>
          Run ablation ({variants} variant{variants === 1 ? '' : 's'} × {a.seeds} seed{a.seeds === 1 ? '' : 's'} = {runs} run{runs === 1 ? '' : 's'})
        </button>
      </div>
      <p className="muted small">Pre-training: one-cycle schedule with a peak learning rate of {a.pretrainLr}; seed s drives initialisation, batches, masks and the probe.</p>
      {variants === 1 && !busy && <p className="ev-blocked small">Tick at least one value to compare with the current model.</p>}
      {blocked && !busy && (
        <p className="ev-blocked small" data-testid="ablation-blocked">
          {blocked}
        </p>
      )}
      <JobProgress kind="experiment" />
      {ex.error && (
        <p className="error" role="alert" data-testid="ablation-error">
          {ex.error}
        </p>
      )}
      {showLive && (
        <table className="small" data-testid="ablation-live">
          <caption className="muted small" style={{ textAlign: 'left' }}>
            Finished runs
          </caption>
          <tbody>
            {ex.liveRuns.map((r) => (
              <tr key={`${r.variant}/${r.seed}`}>
                <th scope="row">{r.variant}</th>
                <td>seed {r.seed}</td>
                <td className="num">{r.scores.map((s) => `${s.head} ${s.scoreName} ${pct(s.score)}`).join(', ')}</td>
                <td className="muted">
                  pre-training {duration(r.phaseMs.pretrain)}, embedding {duration(r.phaseMs.embed)}, probe {duration(r.phaseMs.probe)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {ex.result && !busy && (
        <div data-testid="ablation-result" data-cancelled={ex.result.cancelled} data-runs={ex.result.runs.length}>
          {ex.result.cancelled && (
            <p className="ev-blocked" role="status">
              Cancelled: {ex.result.runs.length} of {ex.result.variants.length * ex.result.seeds.length} runs finished and are shown.
            </p>
          )}
          <AblationTable result={ex.result} />
          <AblationChart result={ex.result} />
          <p className="muted small">Finished in {duration(ex.result.ms)}.</p>
        </div>
      )}
    </section>
  );
}
