/**
 * Evaluate: how good are the learned features? Labels (a label raster such as Landsat Fmask files, or per-tile
 * labels) are matched to the loaded images; a probe trains a linear or attentive classifier on the frozen encoder of
 * the current weights and scores it on held-out tiles (accuracy, per-class IoU, mIoU or weighted F1, confusion
 * matrix); an ablation pre-trains variants of the model (target normalisation, spectral fusion, masking) over seeds
 * and compares their probe scores. Everything runs in the worker on the GPU; this section only shows small facts.
 */
import { useEffect } from 'react';
import { useStudioStore } from '../../store';
import { AblationPanel } from '../components/evaluate/AblationPanel';
import { LabelsPanel } from '../components/evaluate/LabelsPanel';
import { ProbePanel } from '../components/evaluate/ProbePanel';
import '../components/evaluate/evaluate.css';

export function EvaluateSection() {
  const load = useStudioStore((s) => s.loadProbeContext);
  const context = useStudioStore((s) => s.evaluate.context);
  const contextError = useStudioStore((s) => s.evaluate.contextError);
  const setSection = useStudioStore((s) => s.setSection);
  // The context follows the data, the model settings and the training run (weights, step).
  const summary = useStudioStore((s) => s.data.summary);
  const config = useStudioStore((s) => s.model.config);
  const phase = useStudioStore((s) => s.train.status.phase);

  useEffect(() => {
    void load();
  }, [load, summary, config, phase]);

  const missing = contextError ?? context?.missing ?? null;
  return (
    <section aria-labelledby="evaluate-title" className="ev" data-testid="evaluate-section">
      <h2 id="evaluate-title">Evaluate</h2>
      <p className="muted">
        Measure what the encoder has learned: give labels for the loaded images, train a small probe on the frozen features and score it on
        held-out tiles, or compare pre-training choices in an ablation. Scores are per token (one patch of pixels takes the majority label of its
        pixels), next to the chance level of the same split.
      </p>
      {missing ? (
        <div className="card" role="alert" data-testid="evaluate-missing">
          <p className="ev-blocked" style={{ marginTop: 0 }}>
            {missing}
          </p>
          <button type="button" className="btn" onClick={() => setSection('data')}>
            Open Data
          </button>{' '}
          <button type="button" className="btn" onClick={() => setSection('model')}>
            Open Model
          </button>
        </div>
      ) : (
        context && (
          <div className="ev-row" data-testid="evaluate-context">
            {context.weights && (
              <span className={`ev-note${context.weights.source === 'initial' ? ' is-initial' : ''}`} data-testid="evaluate-weights" data-source={context.weights.source}>
                {context.weights.note}
              </span>
            )}
            <span className="muted small">
              {context.tiles} validation tile{context.tiles === 1 ? '' : 's'} · {context.samples.join('; ')}
            </span>
          </div>
        )
      )}
      <LabelsPanel />
      <ProbePanel />
      <AblationPanel />
    </section>
  );
}
