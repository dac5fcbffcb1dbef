/**
 * Model: the masked autoencoder the studio will train, configured from the loaded dataset — size preset, what each
 * sample holds, each modality's band groups, spectral fusion and patch size, fusion groups, the objective and the
 * masking — with every problem shown next to its field and a live parameter / memory / FLOP estimate checked
 * against this GPU. The configuration can be exported and imported as JSON.
 */
import { useEffect } from 'react';
import { useStudioStore } from '../../store';
import { ConfigFile } from '../components/model/ConfigFile';
import { DatasetShapeEditor } from '../components/model/DatasetShapeEditor';
import { EstimatePanel } from '../components/model/EstimatePanel';
import { FusionGroupsEditor } from '../components/model/FusionGroupsEditor';
import { ModalityEditor } from '../components/model/ModalityEditor';
import { ObjectiveEditor } from '../components/model/ObjectiveEditor';
import { PresetPicker } from '../components/model/PresetPicker';
import { ProblemSummary } from '../components/model/ProblemSummary';
import '../components/data/data.css';
import '../components/model/model.css';

function NoModel() {
  const summary = useStudioStore((s) => s.data.summary);
  const busy = useStudioStore((s) => s.data.busy);
  const problems = useStudioStore((s) => s.model.problems);
  const setSection = useStudioStore((s) => s.setSection);
  const loadDemo = useStudioStore((s) => s.loadDemo);
  const hasFiles = (summary?.counts.files ?? 0) > 0;
  return (
    <div className="dm-no-model" data-testid="model-needs-data">
      {busy ? (
        <p>{busy}… the model is configured from the data as soon as it is loaded.</p>
      ) : !hasFiles ? (
        <p>The model is configured from your data (its modalities, bands, dates and sample size). Load files first.</p>
      ) : (
        <p className="error" role="alert">
          The loaded files cannot be trained on yet: {summary?.dataset?.problem ?? problems.join('; ')}
        </p>
      )}
      <div className="dm-data-actions">
        <button type="button" className="dm-btn" onClick={() => setSection('data')}>
          Go to Data
        </button>
        {!hasFiles && !busy && (
          <button type="button" className="dm-btn" onClick={() => void loadDemo()}>
            Load demo dataset
          </button>
        )}
      </div>
    </div>
  );
}

export function ModelSection() {
  const config = useStudioStore((s) => s.model.config);
  const autoLoadDemo = useStudioStore((s) => s.autoLoadDemo);
  useEffect(() => {
    void autoLoadDemo();
  }, [autoLoadDemo]);

  return (
    <section aria-labelledby="model-title" className="dm-model-section" data-testid="model-section">
      <div className="dm-section-head">
        <div>
          <h2 id="model-title">Model</h2>
          <p className="muted">A MAESTRO-style masked autoencoder, shaped by your dataset. Changes are checked as you make them.</p>
        </div>
      </div>
      {!config ? (
        <NoModel />
      ) : (
        <div className="dm-model-layout">
          <div className="dm-model-main">
            <ProblemSummary />
            <PresetPicker />
            <DatasetShapeEditor />
            <section className="dm-model-block" aria-labelledby="modalities-title">
              <h3 id="modalities-title">Modalities</h3>
              {config.modalities.map((m, i) => (
                <ModalityEditor key={m.name} modality={m} index={i} />
              ))}
            </section>
            <FusionGroupsEditor />
            <ObjectiveEditor />
            <ConfigFile />
          </div>
          <aside className="dm-model-side" aria-label="Estimate">
            <EstimatePanel />
          </aside>
        </div>
      )}
    </section>
  );
}
