/**
 * Settings of the anchor-aware masking (A²-MAE style, method.md §7.2), shown when that strategy is chosen: how each
 * sample's anchor image is picked, how strongly other images are masked where the anchor is visible (p_hi), how the
 * target ratio scales with GSD (γ) and within which bounds, and whether images far in time from the anchor are
 * treated as less complementary (with a half-life in days).
 */
import { useStudioStore } from '../../../store';
import { withAnchor } from '../../../store/modelEdits';
import type { AnchorRule } from '../../../store/modelSlice';
import { FieldProblems, fieldId, NumberField } from './fields';

const RULES: { value: AnchorRule; label: string }[] = [
  { value: 'random', label: 'any image, at random' },
  { value: 'finest-gsd', label: 'a date of the finest-GSD modality' },
  { value: 'most-recent', label: 'the most recent image' },
  { value: 'modality', label: 'a date of one chosen modality' },
];

export function AnchorEditor() {
  const config = useStudioStore((s) => s.model.config);
  const problems = useStudioStore((s) => s.model.problems);
  const edit = useStudioStore((s) => s.editConfig);
  const a = config?.masking.anchor;
  if (!config || config.masking.strategy !== 'anchor') return null;
  if (!a) return <p className="small muted">Loading the anchor settings…</p>;
  const ruleId = fieldId('masking.anchor.rule');
  const modId = fieldId('masking.anchor.modality');
  return (
    <fieldset className="dm-radio dm-anchor" data-testid="anchor-settings">
      <legend>Anchor-aware masking</legend>
      <div className="dm-field-row">
        <div className="dm-field">
          <label htmlFor={ruleId}>Anchor image</label>
          <select id={ruleId} value={a.rule} onChange={(e) => void edit((c) => withAnchor(c, { rule: e.target.value as AnchorRule }))}>
            {RULES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
          <FieldProblems problems={problems} field="masking.anchor.rule" />
        </div>
        {a.rule === 'modality' && (
          <div className="dm-field">
            <label htmlFor={modId}>Anchor modality</label>
            <select id={modId} value={a.modality ?? ''} onChange={(e) => void edit((c) => withAnchor(c, { modality: e.target.value }))}>
              {config.modalities.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name}
                </option>
              ))}
            </select>
            <FieldProblems problems={problems} field="masking.anchor.modality" />
          </div>
        )}
      </div>
      <div className="dm-field-row">
        <NumberField
          field="masking.anchor.pHi"
          label="p_hi"
          value={a.pHi}
          min={0.05}
          max={1}
          step={0.05}
          problems={problems}
          hint="probability of masking other images where the anchor is visible"
          onCommit={(v) => void edit((c) => withAnchor(c, { pHi: v }))}
        />
        <NumberField
          field="masking.anchor.gammaGsd"
          label="GSD exponent γ"
          value={a.gammaGsd}
          min={0}
          step={0.1}
          problems={problems}
          hint="coarser images are masked less: r·(GSD_anchor / GSD)^γ"
          onCommit={(v) => void edit((c) => withAnchor(c, { gammaGsd: v }))}
        />
        <NumberField field="masking.anchor.rMin" label="Lowest ratio" value={a.rMin} min={0.05} max={0.95} step={0.05} problems={problems} onCommit={(v) => void edit((c) => withAnchor(c, { rMin: v }))} />
        <NumberField field="masking.anchor.rMax" label="Highest ratio" value={a.rMax} min={0.05} max={0.95} step={0.05} problems={problems} onCommit={(v) => void edit((c) => withAnchor(c, { rMax: v }))} />
      </div>
      <div className="dm-field-row">
        <label className="dm-inline" htmlFor={fieldId('masking.anchor.dateAdaptation')}>
          <input
            id={fieldId('masking.anchor.dateAdaptation')}
            type="checkbox"
            checked={a.dateAdaptation}
            onChange={(e) => void edit((c) => withAnchor(c, { dateAdaptation: e.target.checked }))}
          />
          <span>Less complementary far from the anchor date</span>
        </label>
        <NumberField
          field="masking.anchor.dateHalfLifeDays"
          label="Half-life"
          unit="days"
          value={a.dateHalfLifeDays}
          min={1}
          step={1}
          disabled={!a.dateAdaptation}
          problems={problems}
          onCommit={(v) => void edit((c) => withAnchor(c, { dateHalfLifeDays: v }))}
        />
      </div>
      <FieldProblems problems={problems} field="masking.anchor.dateAdaptation" />
    </fieldset>
  );
}
