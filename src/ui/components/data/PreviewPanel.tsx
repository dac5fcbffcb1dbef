/**
 * Previews of the selected acquisition: an RGB composite (true colour, false colour, SWIR, SAR, one per band group,
 * or any three bands)
 * and every band as a grey thumbnail, grouped by the model's normalisation groups, all with a 2–98 % stretch per
 * channel (the values mapped to black and white are printed under the composite). Rendered in the worker.
 */
import { useEffect, useMemo, useState } from 'react';
import { useStudioStore } from '../../../store';
import type { LocationSummary, ModalitySummary } from '../../../store/dataSlice';
import { groupBands } from '../../../store/modelEdits';
import { fmtValue } from './format';
import { PreviewCanvas } from './PreviewCanvas';

const COMPOSITE_SIZE = 320;
const THUMB_SIZE = 128;

interface Located {
  location: LocationSummary;
  modality: ModalitySummary;
  index: number;
}

export function findAcquisition(locations: readonly LocationSummary[], id: string | null): Located | null {
  for (const location of locations) {
    for (const modality of location.modalities) {
      const index = modality.acquisitions.findIndex((a) => a.id === id);
      if (index >= 0) return { location, modality, index };
    }
  }
  return null;
}

function useBandGroups(modality: ModalitySummary): { label: string; bands: string[] }[] {
  const config = useStudioStore((s) => s.model.config);
  return useMemo(() => {
    const m = config?.modalities.find((x) => x.name === modality.name);
    if (!m) return [{ label: 'Bands', bands: modality.bands }];
    const groups = groupBands(m.bands, m.normGroups).map((bands, i) => ({ label: `Group ${i + 1}`, bands }));
    const unused = modality.bands.filter((b) => !m.bands.includes(b));
    return unused.length ? [...groups, { label: 'Not used for training', bands: unused }] : groups;
  }, [config, modality]);
}

/** One view per band group: its first three bands as RGB, or its first band in grey when it has fewer than three. */
function groupViews(groups: { label: string; bands: string[] }[]): { id: string; label: string; channels: string[] }[] {
  return groups.map((g, i) => ({
    id: `group-${i}`,
    label: `${g.label}: ${g.bands.length >= 3 ? g.bands.slice(0, 3).join(', ') : `${g.bands[0]} (grey)`}`,
    channels: g.bands.length >= 3 ? g.bands.slice(0, 3) : [g.bands[0]],
  }));
}

function Composite({ acqId, modality }: { acqId: string; modality: ModalitySummary }) {
  const requestPreview = useStudioStore((s) => s.requestPreview);
  const groups = useBandGroups(modality);
  const byGroup = useMemo(() => groupViews(groups), [groups]);
  const [choice, setChoice] = useState<string>(modality.composites[0]?.id ?? (modality.bands.length >= 3 ? 'custom' : 'group-0'));
  const [custom, setCustom] = useState<string[]>(() => [0, 1, 2].map((i) => modality.bands[Math.min(i, modality.bands.length - 1)]));
  const channels = useMemo(() => {
    const preset = modality.composites.find((c) => c.id === choice) ?? byGroup.find((g) => g.id === choice);
    if (preset) return [...preset.channels];
    if (choice === 'custom' && modality.bands.length >= 1) return custom;
    return [modality.bands[0]];
  }, [choice, custom, modality, byGroup]);
  const [key, setKey] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void requestPreview(acqId, [{ channels }], COMPOSITE_SIZE).then((k) => live && setKey(k));
    return () => {
      live = false;
    };
  }, [acqId, channels, requestPreview]);
  const info = useStudioStore((s) => (key ? s.data.previews[key] : undefined));
  const ranges = info?.ranges[0] ?? [];
  const selectId = `composite-${modality.name}`;
  return (
    <div className="dm-composite">
      <div className="dm-composite-controls">
        <label htmlFor={selectId}>Composite</label>
        <select id={selectId} value={choice} onChange={(e) => setChoice(e.target.value)}>
          {modality.composites.map((c) => (
            <option key={c.id} value={c.id}>
              {c.id === 'first3' ? c.label : `${c.label} — ${c.channels.join(', ')}`}
            </option>
          ))}
          {byGroup.length > 1 && (
            <optgroup label="By band group">
              {byGroup.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.label}
                </option>
              ))}
            </optgroup>
          )}
          {byGroup.length === 1 && modality.composites.length === 0 && <option value="group-0">{byGroup[0].label}</option>}
          {modality.bands.length >= 3 && <option value="custom">Custom (choose R, G, B)</option>}
        </select>
        {choice === 'custom' &&
          (['R', 'G', 'B'] as const).map((ch, i) => (
            <label key={ch} className="dm-inline">
              <span className="dm-sr-only">{ch} channel</span>
              <span aria-hidden="true">{ch}</span>
              <select
                value={custom[i]}
                onChange={(e) => {
                  const next = [...custom];
                  next[i] = e.target.value;
                  setCustom(next);
                }}
              >
                {modality.bands.map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </select>
            </label>
          ))}
      </div>
      <PreviewCanvas previewKey={key} index={0} label={`${channels.join(', ')} composite of ${acqId}, 2–98 % stretch`} className="dm-preview-large" />
      {ranges.length > 0 && (
        <p className="small muted" data-testid="stretch-ranges">
          2–98 % stretch{info?.unit ? ` (${info.unit})` : ''}:{' '}
          {channels.map((c, i) => (
            <span key={`${c}-${i}`} className="num">
              {channels.length === 3 ? `${'RGB'[i]} ${c}` : c} {fmtValue(ranges[i]?.[0] ?? NaN)}…{fmtValue(ranges[i]?.[1] ?? NaN)}
              {i < channels.length - 1 ? ' · ' : ''}
            </span>
          ))}
        </p>
      )}
      {info?.crop && (
        <p className="small muted">
          Large image: showing its centre {info.crop.width} × {info.crop.height} px of {info.crop.of[0]} × {info.crop.of[1]}.
        </p>
      )}
    </div>
  );
}

function BandThumbnails({ acqId, modality }: { acqId: string; modality: ModalitySummary }) {
  const requestPreview = useStudioStore((s) => s.requestPreview);
  const groups = useBandGroups(modality);
  const bands = useMemo(() => groups.flatMap((g) => g.bands), [groups]);
  const [key, setKey] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void requestPreview(
      acqId,
      bands.map((b) => ({ channels: [b] })),
      THUMB_SIZE,
    ).then((k) => live && setKey(k));
    return () => {
      live = false;
    };
  }, [acqId, bands, requestPreview]);
  let at = 0;
  return (
    <div className="dm-band-groups" data-testid="band-thumbnails">
      {groups.map((g) => (
        <figure key={g.label} className="dm-band-group">
          <figcaption className="small muted">
            {g.label}: {g.bands.join(', ')}
          </figcaption>
          <div className="dm-thumbs">
            {g.bands.map((b) => {
              const index = at++;
              return (
                <div key={b} className="dm-thumb">
                  <PreviewCanvas previewKey={key} index={index} label={`band ${b} of ${acqId}, 2–98 % stretch`} />
                  <span className="small num">{b}</span>
                </div>
              );
            })}
          </div>
        </figure>
      ))}
    </div>
  );
}

export function PreviewPanel({ selected, onSelect }: { selected: string | null; onSelect: (id: string) => void }) {
  const locations = useStudioStore((s) => s.data.summary?.locations);
  const found = locations ? findAcquisition(locations, selected) : null;
  if (!locations || locations.length === 0) return null;
  const options = locations.flatMap((l) => l.modalities.flatMap((m) => m.acquisitions.map((a) => ({ id: a.id, text: `${locations.length > 1 ? `${l.id} · ` : ''}${m.name} · ${a.dateText ?? 'undated'}` }))));
  return (
    <section className="dm-preview-panel" aria-labelledby="preview-title" data-testid="preview-panel">
      <div className="dm-panel-head">
        <h3 id="preview-title">Preview</h3>
        <label className="dm-inline">
          <span className="dm-sr-only">Image to preview</span>
          <select value={found ? selected ?? '' : ''} onChange={(e) => onSelect(e.target.value)} data-testid="preview-select">
            {!found && <option value="">Choose an image…</option>}
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.text}
              </option>
            ))}
          </select>
        </label>
      </div>
      {found && (
        <>
          <p className="small muted">
            {found.modality.sensor} · {found.modality.acquisitions[found.index].files.length} file{found.modality.acquisitions[found.index].files.length === 1 ? '' : 's'} ·{' '}
            {found.modality.bands.length} bands · {found.modality.acquisitions[found.index].gsd.toPrecision(3)} m
            {found.modality.acquisitions[found.index].maskPath ? ' · cloud mask not applied in the preview' : ''}
          </p>
          <Composite key={`${found.modality.name}`} acqId={selected as string} modality={found.modality} />
          <BandThumbnails acqId={selected as string} modality={found.modality} />
        </>
      )}
    </section>
  );
}
