/**
 * One modality of the model: its bands split into normalisation groups (each group's reconstruction target is
 * normalised on its own — MAESTRO norm_bands, e.g. Sentinel-2 [4, 4, 2]), the spectral fusion mode (all bands in one
 * token per patch, or one token per band group), and the patch size, with the token count it gives.
 */
import { useStudioStore } from '../../../store';
import { divisors, groupBands, spectralFusionOf, withNormGroups, withPatchSize, withSpectralFusion, withTokenGroups } from '../../../store/modelEdits';
import type { ModalityConfig } from '../../../store/modelSlice';
import { CountsField, FieldProblems, fieldId } from './fields';

const GROUP_COLOURS = ['#4fd1c5', '#f6ad55', '#63b3ed', '#f687b3', '#9ae6b4', '#d6bcfa'];

function BandChips({ bands, counts }: { bands: string[]; counts: number[] }) {
  const groups = groupBands(bands, counts);
  return (
    <div className="dm-band-chips" aria-hidden="true">
      {groups.map((g, i) => (
        <span key={i} className="dm-chip-group" style={{ borderColor: GROUP_COLOURS[i % GROUP_COLOURS.length] }}>
          {g.map((b) => (
            <span key={b} className="dm-chip">
              {b}
            </span>
          ))}
        </span>
      ))}
    </div>
  );
}

export function ModalityEditor({ modality, index }: { modality: ModalityConfig; index: number }) {
  const problems = useStudioStore((s) => s.model.problems);
  const edit = useStudioStore((s) => s.editConfig);
  const base = `modalities[${index}]`;
  const mode = spectralFusionOf(modality);
  const grid = modality.imageSize % modality.patchSize === 0 ? modality.imageSize / modality.patchSize : null;
  const tokens = grid !== null ? modality.tokenGroups.length * modality.dates * grid * grid : null;
  const psId = fieldId(`${base}.patchSize`);
  return (
    <article className="dm-modality" aria-labelledby={`${fieldId(base)}-title`} data-testid={`modality-${modality.name}`}>
      <header className="dm-modality-head">
        <h4 id={`${fieldId(base)}-title`}>
          <code>{modality.name}</code>
        </h4>
        <span className="small muted num">
          {modality.bands.length} bands · {modality.dates} date{modality.dates === 1 ? '' : 's'} · {modality.imageSize}×{modality.imageSize} px at {modality.gsd} m
        </span>
      </header>
      <BandChips bands={modality.bands} counts={modality.normGroups} />
      <div className="dm-field-row">
        <CountsField
          field={`${base}.normGroups`}
          label="Band groups (normalisation)"
          value={modality.normGroups}
          problems={problems}
          onCommit={(v) => void edit((c) => withNormGroups(c, modality.name, v))}
          hint={`band counts in channel order, summing to ${modality.bands.length}`}
        />
        <div className="dm-field">
          <label htmlFor={psId}>Patch size</label>
          <select
            id={psId}
            value={modality.patchSize}
            aria-describedby={`${psId}-hint`}
            onChange={(e) => void edit((c) => withPatchSize(c, modality.name, Number(e.target.value)))}
          >
            {divisors(modality.imageSize).map((p) => (
              <option key={p} value={p}>
                {p} px → {modality.imageSize / p}×{modality.imageSize / p} tokens
              </option>
            ))}
            {modality.imageSize % modality.patchSize !== 0 && <option value={modality.patchSize}>{modality.patchSize} px (does not divide)</option>}
          </select>
          <span id={`${psId}-hint`} className="small muted dm-field-hint">
            {tokens !== null ? `${tokens.toLocaleString('en')} tokens per sample · ${modality.patchSize ** 2 * (modality.bands.length / modality.tokenGroups.length)} values per token (avg.)` : ''}
          </span>
          <FieldProblems problems={problems} field={`${base}.patchSize`} />
          <FieldProblems problems={problems} field={`${base}.imageSize`} />
        </div>
      </div>
      <fieldset className="dm-radio" id={fieldId(`${base}.tokenGroups`)}>
        <legend>Spectral fusion</legend>
        <label className="dm-radio-option">
          <input type="radio" name={`${base}-fusion`} checked={mode === 'joint'} onChange={() => void edit((c) => withSpectralFusion(c, modality.name, 'joint'))} />
          <span>
            Joint token <span className="small muted dm-block">one token per patch carries all {modality.bands.length} bands (MAESTRO default)</span>
          </span>
        </label>
        <label className="dm-radio-option">
          <input
            type="radio"
            name={`${base}-fusion`}
            checked={mode === 'per-group' && modality.normGroups.length > 1}
            disabled={modality.normGroups.length < 2}
            onChange={() => void edit((c) => withSpectralFusion(c, modality.name, 'per-group'))}
          />
          <span>
            One token per band group{' '}
            <span className="small muted dm-block">
              {modality.normGroups.length > 1 ? `${modality.normGroups.length} tokens per patch, masked independently` : 'needs at least two band groups'}
            </span>
          </span>
        </label>
        <label className="dm-radio-option">
          <input type="radio" name={`${base}-fusion`} checked={mode === 'custom'} onChange={() => undefined} disabled={mode !== 'custom'} />
          <span>Custom token groups</span>
        </label>
        {mode === 'custom' && (
          <CountsField
            field={`${base}.tokenGroups`}
            label="Token groups"
            value={modality.tokenGroups}
            problems={[]}
            onCommit={(v) => void edit((c) => withTokenGroups(c, modality.name, v))}
            hint="band counts; every boundary must also be a band-group boundary"
          />
        )}
        <FieldProblems problems={problems} field={`${base}.tokenGroups`} />
      </fieldset>
      <FieldProblems problems={problems} field={`${base}.bands`} />
      <FieldProblems problems={problems} field={`${base}.dates`} />
      <FieldProblems problems={problems} field={`${base}.name`} />
    </article>
  );
}
