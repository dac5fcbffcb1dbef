/**
 * Model size: tiny (the browser default, workable on a software GPU), small (MAESTRO mae_small) or base (MAESTRO
 * "Base"), each described by its encoder and decoder sizes. Choosing a preset also resets patch sizes to that
 * preset's defaults (the worker says which changed). An imported custom size shows as "custom".
 */
import { useStudioStore } from '../../../store';
import type { PresetName } from '../../../store/modelSlice';
import { FieldProblems, fieldId } from './fields';

const ORDER: PresetName[] = ['tiny', 'small', 'base'];
const BLURB: Record<PresetName, string> = {
  tiny: 'For trying things out; the only size that trains at a useful pace on a software GPU.',
  small: 'MAESTRO mae_small.',
  base: 'MAESTRO Base (mae_medium): needs a real GPU and time.',
};

export function PresetPicker() {
  const config = useStudioStore((s) => s.model.config);
  const presets = useStudioStore((s) => s.model.presets);
  const problems = useStudioStore((s) => s.model.problems);
  const setPreset = useStudioStore((s) => s.setPreset);
  if (!config) return null;
  const id = fieldId('preset');
  return (
    <section className="dm-model-block" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Size</h3>
      <fieldset className="dm-preset" id={id}>
        <legend className="dm-sr-only">Model size preset</legend>
        {ORDER.map((p) => {
          const sizes = presets?.[p];
          return (
            <label key={p} className={`dm-preset-option${config.preset === p ? ' dm-checked' : ''}`}>
              <input type="radio" name="preset" value={p} checked={config.preset === p} onChange={() => void setPreset(p)} />
              <span>
                <strong>{p}</strong>
                {sizes && (
                  <span className="small muted dm-block">
                    encoder {sizes.encoder.width} wide, {sizes.encoder.groupDepth}+{sizes.encoder.interDepth} blocks, {sizes.encoder.heads} heads · decoder {sizes.decoder.width} × {sizes.decoder.depth}
                  </span>
                )}
                <span className="small muted dm-block">{BLURB[p]}</span>
              </span>
            </label>
          );
        })}
        {config.preset === 'custom' && (
          <p className="small" data-testid="custom-preset">
            <strong>custom</strong> (imported): encoder {config.encoder.width} wide, {config.encoder.groupDepth}+{config.encoder.interDepth} blocks, {config.encoder.heads} heads · decoder{' '}
            {config.decoder.width} × {config.decoder.depth}. Pick a preset to replace it.
          </p>
        )}
      </fieldset>
      <FieldProblems problems={problems} field="encoder" />
      <FieldProblems problems={problems} field="decoder" />
    </section>
  );
}
