/**
 * The pre-training objective: what is reconstructed (raw pixels, per-patch normalised pixels as in MAE, or per band
 * group as in MAESTRO), the loss, the masking (random, structured with whole dates, locations and modalities
 * dropped, or A²-MAE-style anchor-aware), the masking ratio, and the date, position and geographic encodings.
 */
import { useStudioStore } from '../../../store';
import { withDateEncoding, withDateReference, withLoss, withMasking, withTargetNorm } from '../../../store/modelEdits';
import type { LossKind, MaskStrategy, TargetNorm } from '../../../store/modelSlice';
import { AnchorEditor } from './AnchorEditor';
import { EncodingsEditor } from './EncodingsEditor';
import { FieldProblems, fieldId, NumberField, RadioField } from './fields';

export function ObjectiveEditor() {
  const config = useStudioStore((s) => s.model.config);
  const problems = useStudioStore((s) => s.model.problems);
  const edit = useStudioStore((s) => s.editConfig);
  if (!config) return null;
  const mk = config.masking;
  const structured = mk.strategy === 'structured';
  const refId = fieldId('dateEncoding.reference.modality');
  const ref = config.dateEncoding.reference;
  return (
    <section className="dm-model-block" aria-labelledby="objective-title">
      <h3 id="objective-title">Objective and masking</h3>
      <div className="dm-columns">
        <RadioField<TargetNorm>
          field="targetNorm"
          legend="Reconstruction target"
          value={config.targetNorm}
          problems={problems}
          onChange={(v) => void edit((c) => withTargetNorm(c, v))}
          options={[
            { value: 'patch-group', label: 'Normalised per band group', hint: 'MAESTRO: each patch and band group standardised on its own' },
            { value: 'patch', label: 'Normalised per patch', hint: 'MAE norm_pix_loss over all bands of a patch' },
            { value: 'none', label: 'Raw pixel values', hint: 'no target normalisation' },
          ]}
        />
        <RadioField<LossKind>
          field="loss"
          legend="Loss"
          value={config.loss}
          problems={problems}
          onChange={(v) => void edit((c) => withLoss(c, v))}
          options={[
            { value: 'l1', label: 'L1 (mean absolute error)', hint: 'MAESTRO default' },
            { value: 'l2', label: 'L2 (mean squared error)', hint: 'MAE default' },
          ]}
        />
        <RadioField<MaskStrategy>
          field="masking.strategy"
          legend="Masking"
          value={mk.strategy}
          problems={problems}
          onChange={(v) => void edit((c) => withMasking(c, { strategy: v }))}
          options={[
            { value: 'structured', label: 'Structured', hint: 'also drops whole dates, locations (tubes) and modalities' },
            { value: 'random', label: 'Random', hint: 'independent tokens only' },
            { value: 'anchor', label: 'Anchor-aware', hint: 'A²-MAE style: other images masked where an anchor image is visible' },
          ]}
        />
      </div>
      <div className="dm-field-row">
        <NumberField
          field="masking.ratio"
          label="Masking ratio"
          value={mk.ratio}
          min={0.05}
          max={0.95}
          step={0.05}
          problems={problems}
          hint="fraction of every sequence that is hidden (MAE/MAESTRO: 0.75)"
          onCommit={(v) => void edit((c) => withMasking(c, { ratio: v }))}
        />
        <NumberField
          field="masking.dropDate"
          label="Drop a date"
          value={mk.dropDate}
          min={0}
          max={0.95}
          step={0.05}
          disabled={!structured}
          problems={problems}
          hint="probability"
          onCommit={(v) => void edit((c) => withMasking(c, { dropDate: v }))}
        />
        <NumberField
          field="masking.dropLocation"
          label="Drop a location"
          value={mk.dropLocation}
          min={0}
          max={0.95}
          step={0.05}
          disabled={!structured}
          problems={problems}
          hint="probability"
          onCommit={(v) => void edit((c) => withMasking(c, { dropLocation: v }))}
        />
        <NumberField
          field="masking.dropModality"
          label="Drop a modality"
          value={mk.dropModality}
          min={0}
          max={0.95}
          step={0.05}
          disabled={!structured}
          problems={problems}
          hint="probability, in groups of several modalities"
          onCommit={(v) => void edit((c) => withMasking(c, { dropModality: v }))}
        />
      </div>
      <AnchorEditor />
      <div className="dm-field-row">
        <label className="dm-inline" htmlFor={fieldId('dateEncoding.enabled')}>
          <input id={fieldId('dateEncoding.enabled')} type="checkbox" checked={config.dateEncoding.enabled} onChange={(e) => void edit((c) => withDateEncoding(c, e.target.checked))} />
          <span>Encode acquisition dates</span>
        </label>
        <div className="dm-field">
          <label htmlFor={refId}>Dates measured from</label>
          <select
            id={refId}
            value={ref.kind === 'modality' ? ref.modality : ''}
            disabled={!config.dateEncoding.enabled}
            onChange={(e) => void edit((c) => withDateReference(c, e.target.value))}
          >
            {ref.kind === 'fixed' && <option value="">a fixed date (imported)</option>}
            {config.modalities.map((m) => (
              <option key={m.name} value={m.name}>
                the first {m.name} date of each sample
              </option>
            ))}
          </select>
          <FieldProblems problems={problems} field="dateEncoding" />
        </div>
      </div>
      <EncodingsEditor />
    </section>
  );
}
