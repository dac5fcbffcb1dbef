/**
 * The live estimate of the configuration at a chosen batch size: learned parameters, tokens per sample, the minimum
 * GPU memory (parameters, gradients, AdamW moments, saved activations) and the FLOPs of one training step, then the
 * verdict against this GPU's limits — with a plain warning before a configuration that will not fit.
 */
import { useStudioStore } from '../../../store';
import { fmtBytes, fmtCount, fmtFlops } from '../data/format';
import { NumberField } from './fields';

const PARTS = [
  { key: 'params', label: 'parameters', colour: '#4fd1c5' },
  { key: 'grads', label: 'gradients', colour: '#63b3ed' },
  { key: 'adam', label: 'AdamW moments', colour: '#d6bcfa' },
  { key: 'activations', label: 'activations', colour: '#f6ad55' },
] as const;

const VERDICT = { fits: 'Fits this GPU', tight: 'Tight on this GPU', 'no-fit': 'Will not fit this GPU' } as const;

export function EstimatePanel() {
  const { config, estimate, fit, problems, batchSize, checking } = useStudioStore((s) => s.model);
  const setBatch = useStudioStore((s) => s.setEstimateBatch);
  if (!config) return null;
  return (
    <section className="dm-estimate" aria-labelledby="estimate-title" data-testid="estimate-panel" aria-busy={checking || undefined}>
      <h3 id="estimate-title">Estimate</h3>
      <NumberField field="batchSize" label="Batch size" value={batchSize} min={1} step={1} problems={[]} hint="samples per training step (for this estimate)" onCommit={(v) => void setBatch(Math.max(1, Math.round(v)))} />
      {!estimate && problems.length > 0 && (
        <p className="dm-warn-text" data-testid="estimate-blocked">
          Fix the {problems.length} problem{problems.length === 1 ? '' : 's'} in the form to see the estimate.
        </p>
      )}
      {estimate && (
        <>
          <dl className="dm-kv">
            <dt>Parameters</dt>
            <dd className="num" data-testid="estimate-params">
              {fmtCount(estimate.params)}
            </dd>
            <dt>Tokens per sample</dt>
            <dd className="num">
              {estimate.tokens.map((t) => (
                <span key={t.group} className="dm-block">
                  {t.group}: {t.N.toLocaleString('en')} ({t.K.toLocaleString('en')} visible)
                </span>
              ))}
            </dd>
            <dt>GPU memory (at least)</dt>
            <dd className="num" data-testid="estimate-memory">
              {fmtBytes(estimate.bytes.total)}
            </dd>
            <dt>Per training step</dt>
            <dd className="num" data-testid="estimate-flops">
              {fmtFlops(estimate.flops.total)}
              <span className="dm-block small muted">
                forward {fmtFlops(estimate.flops.forward)}, backward {fmtFlops(estimate.flops.backward)}
              </span>
            </dd>
          </dl>
          <div className="dm-membar" role="img" aria-label={PARTS.map((p) => `${p.label} ${fmtBytes(estimate.bytes[p.key])}`).join(', ')}>
            {PARTS.map((p) => (
              <span key={p.key} style={{ width: `${(100 * estimate.bytes[p.key]) / Math.max(1, estimate.bytes.total)}%`, background: p.colour }} />
            ))}
          </div>
          <p className="dm-legend small">
            {PARTS.map((p) => (
              <span key={p.key} className="dm-legend-item">
                <span className="dm-swatch" style={{ background: p.colour }} /> {p.label} {fmtBytes(estimate.bytes[p.key])}
              </span>
            ))}
          </p>
        </>
      )}
      {fit && (
        <div className={`dm-fit dm-fit-${fit.verdict}`} role={fit.verdict === 'fits' ? 'status' : 'alert'} data-testid="fit-verdict" data-verdict={fit.verdict}>
          <strong>{VERDICT[fit.verdict]}</strong>
          <ul className="plain small">
            {fit.messages.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
          <p className="small muted">
            {fit.adapter}: {fmtBytes(fit.limits.maxStorageBufferBindingSize)} per binding, {fmtBytes(fit.limits.maxBufferSize)} per buffer. Largest tensor: {fmtBytes(fit.largestTensor.bytes)} (
            {fit.largestTensor.what}).
          </p>
        </div>
      )}
      {checking && <p className="small muted">Checking…</p>}
    </section>
  );
}
