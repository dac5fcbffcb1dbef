/**
 * Position and geographic encodings (A²-MAE style, method.md §7.3): MAESTRO's pooled fine-grid position table or
 * sin-cos of ground coordinates (GSD-aware), and optional features of the GSD alone or of GSD plus the token's
 * place on the sphere, added through a learned linear map.
 */
import { useStudioStore } from '../../../store';
import { withGeoEncoding, withPositions } from '../../../store/modelEdits';
import type { GeoEncodingMode, PositionMode } from '../../../store/modelSlice';
import { RadioField } from './fields';

export function EncodingsEditor() {
  const config = useStudioStore((s) => s.model.config);
  const problems = useStudioStore((s) => s.model.problems);
  const edit = useStudioStore((s) => s.editConfig);
  if (!config) return null;
  return (
    <div className="dm-columns">
      <RadioField<PositionMode>
        field="positions"
        legend="Token positions"
        value={config.positions ?? 'pooled'}
        problems={problems}
        onChange={(v) => void edit((c) => withPositions(c, v))}
        options={[
          { value: 'pooled', label: 'Pooled grid', hint: 'MAESTRO: one fine sin-cos table pooled to each token grid' },
          { value: 'ground', label: 'Ground coordinates', hint: 'metres from the sample centre, so GSDs line up' },
        ]}
      />
      <RadioField<GeoEncodingMode>
        field="geoEncoding"
        legend="Geographic encoding"
        value={config.geoEncoding ?? 'off'}
        problems={problems}
        onChange={(v) => void edit((c) => withGeoEncoding(c, v))}
        options={[
          { value: 'off', label: 'Off', hint: 'MAESTRO default' },
          { value: 'gsd', label: 'GSD', hint: 'features of log2(GSD)' },
          { value: 'full', label: 'GSD and location', hint: 'plus latitude/longitude of every token' },
        ]}
      />
    </div>
  );
}
