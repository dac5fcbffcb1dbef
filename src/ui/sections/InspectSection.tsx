/**
 * Inspect: what the masked autoencoder makes of a sample. For a validation tile (or a random window) the grid shows,
 * per modality × normalisation group (+ RGB composite) and date, the input, the mask, the reconstruction, the
 * normalised target and the error; the masking ratio and strategy re-run the current weights live; the ratio sweep
 * plots loss against masking ratio; the PCA embedding map shows the encoder's features beside the input. Works before
 * training (random initial weights), saying so.
 */
import { useEffect } from 'react';
import { useStudioStore } from '../../store';
import { InspectControls } from '../components/inspect/InspectControls';
import { MaskOverlayPanel } from '../components/inspect/MaskOverlayPanel';
import { PcaPanel } from '../components/inspect/PcaPanel';
import { RatioSweepPanel } from '../components/inspect/RatioSweepPanel';
import { ReconstructionGrid } from '../components/inspect/ReconstructionGrid';
import { WeightsNote } from '../components/inspect/WeightsNote';
import { formatValue } from '../canvas/tiles';
import '../components/inspect/inspect.css';

export function InspectSection() {
  const s = useStudioStore((st) => st.inspect);
  const load = useStudioStore((st) => st.loadInspectSamples);
  const setSection = useStudioStore((st) => st.setSection);

  useEffect(() => {
    void load();
  }, [load]);

  const r = s.result;
  return (
    <section aria-labelledby="inspect-title" className="ins" data-testid="inspect-section">
      <h2 id="inspect-title">Inspect</h2>
      <p className="muted">
        Hide patches of a sample, let the model reconstruct them, and compare. Targets are normalised per patch and band group (MAESTRO), so the
        reconstruction is shown next to the <em>normalised target</em> in that space — exactly what the loss compares — while the input keeps its own
        2–98 % stretch in input units. Single-band views of a band group show the mean of its bands; hover a tile (or focus a row and use the arrow keys)
        for every band's values.
      </p>

      {s.samplesError ? (
        <div className="ins-blocked" role="alert" data-testid="inspect-error">
          <p className="error">{s.samplesError}</p>
          <div className="ins-inline">
            <button type="button" className="btn" onClick={() => setSection('data')}>
              Open Data
            </button>
            <button type="button" className="btn" onClick={() => setSection('model')}>
              Open Model
            </button>
            <button type="button" className="btn" onClick={() => void load()}>
              Try again
            </button>
          </div>
        </div>
      ) : (
        <>
          <InspectControls />
          {s.error && (
            <p className="error" role="alert" data-testid="inspect-error">
              {s.error}
            </p>
          )}
          {r && (
            <div className="ins-summary" data-testid="inspect-summary">
              <WeightsNote weights={r.weights} />
              <dl className="ins-facts">
                <div>
                  <dt>Sample</dt>
                  <dd data-testid="inspect-sample-label">{r.sampleLabel}</dd>
                </div>
                <div>
                  <dt>Masked</dt>
                  <dd className="num" data-testid="inspect-masked-count" data-masked={r.maskedTokens} data-total={r.totalTokens} data-ratio={r.ratio}>
                    {r.maskedTokens} of {r.totalTokens} tokens ({Math.round((100 * r.maskedTokens) / r.totalTokens)} %)
                    {r.groups.length > 1 && <span className="muted"> · {r.groups.map((g) => `${g.name} ${g.masked}/${g.N}`).join(', ')}</span>}
                  </dd>
                </div>
                <div>
                  <dt>Loss</dt>
                  <dd className="num" data-testid="inspect-loss" data-loss={r.loss}>
                    {formatValue(r.loss)}
                    {r.modalityLoss.length > 1 && <span className="muted"> ({r.modalityLoss.map((m) => `${m.modality} ${formatValue(m.loss)}`).join(', ')})</span>}
                  </dd>
                </div>
              </dl>
            </div>
          )}
          {r ? (
            <>
              <ReconstructionGrid result={r} busy={s.running} />
              <MaskOverlayPanel overlay={r.overlay} note={r.overlayNote} runId={r.runId} />
            </>
          ) : (
            !s.error && (
              <p className="muted" data-testid="inspect-loading">
                <span className="ins-spinner" aria-hidden="true" /> Preparing the first reconstruction…
              </p>
            )
          )}
          <PcaPanel />
          <RatioSweepPanel />
        </>
      )}
    </section>
  );
}
