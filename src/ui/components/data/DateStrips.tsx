/**
 * One time line per location and modality: a mark at every acquisition date, coloured by how much of its observed
 * area the paired cloud mask flags as cloud or shadow (clear < 10 % / partly cloudy < 50 % / cloudy / no mask) and
 * as tall as its valid (not nodata) fraction.
 * Clicking a mark previews that date. Keyboard: the strip is one tab stop; ←/→ (Home/End) move between dates and
 * select them (roving tabindex).
 */
import { useRef, type KeyboardEvent } from 'react';
import { useStudioStore } from '../../../store';
import type { AcquisitionSummary, ModalitySummary } from '../../../store/dataSlice';
import { fmtPercent } from './format';

/** Decimal year of an acquisition (day-of-year based), for placing it on the axis. */
function yearValue(a: AcquisitionSummary): number | null {
  return a.date ? a.date.year + (a.date.doy - 1 + a.date.hour / 24) / 366 : null;
}

export function cloudClass(f: number | null): 'clear' | 'partly' | 'cloudy' | 'unknown' {
  if (f === null) return 'unknown';
  if (f < 0.1) return 'clear';
  if (f < 0.5) return 'partly';
  return 'cloudy';
}

const CLOUD_TEXT = { clear: 'clear', partly: 'partly cloudy', cloudy: 'cloudy', unknown: 'no cloud mask' } as const;

function Strip({ locationId, modality, selected, onSelect, showLocation }: { locationId: string; modality: ModalitySummary; selected: string | null; onSelect: (id: string) => void; showLocation: boolean }) {
  const refs = useRef<Map<string, HTMLButtonElement>>(new Map());
  const acqs = modality.acquisitions;
  const years = acqs.map(yearValue).filter((v): v is number => v !== null);
  const lo = years.length ? Math.min(...years) : 0;
  const hi = years.length ? Math.max(...years) : 1;
  const span = Math.max(hi - lo, 1 / 366);
  const active = acqs.some((a) => a.id === selected) ? selected : acqs[0]?.id;
  const undated = acqs.filter((a) => !a.date);

  const move = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    let j: number;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') j = Math.min(acqs.length - 1, i + 1);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') j = Math.max(0, i - 1);
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = acqs.length - 1;
    else return;
    e.preventDefault();
    onSelect(acqs[j].id);
    refs.current.get(acqs[j].id)?.focus();
  };

  const firstYear = Math.floor(lo);
  const lastYear = Math.floor(hi);
  const yearTicks = Array.from({ length: Math.min(20, lastYear - firstYear + 1) }, (_, k) => firstYear + k).filter((y) => y > lo && y < hi);
  const clouds = acqs.map((a) => a.cloudFraction).filter((f): f is number => f !== null);
  return (
    <div className="dm-date-strip" data-testid={`date-strip-${modality.name}`}>
      <div className="dm-date-strip-head">
        <span>
          <code>{modality.name}</code>
          {showLocation && <span className="muted small"> · {locationId}</span>}
        </span>
        <span className="muted small">
          {acqs.length} date{acqs.length === 1 ? '' : 's'}
          {years.length > 0 && ` · ${acqs.find((a) => a.date)?.dateText} … ${[...acqs].reverse().find((a) => a.date)?.dateText}`}
          {clouds.length > 0 && ` · ${clouds.filter((f) => cloudClass(f) === 'clear').length} clear`}
        </span>
      </div>
      <div className="dm-date-strip-track" role="toolbar" aria-label={`${modality.name} dates${showLocation ? ` at ${locationId}` : ''}`}>
        {yearTicks.map((y) => (
          <span key={y} className="dm-year-tick small muted" style={{ left: `${((y - lo) / span) * 100}%` }} aria-hidden="true">
            {y}
          </span>
        ))}
        {acqs.map((a, i) => {
          const v = yearValue(a);
          if (v === null) return null;
          const cls = cloudClass(a.cloudFraction);
          const label = `${a.dateText}: ${CLOUD_TEXT[cls]}${a.cloudFraction !== null ? ` (${fmtPercent(a.cloudFraction)} cloud or shadow)` : ''}, ${fmtPercent(a.validFraction)} valid`;
          return (
            <button
              key={a.id}
              ref={(el) => {
                if (el) refs.current.set(a.id, el);
                else refs.current.delete(a.id);
              }}
              type="button"
              className={`dm-date-mark dm-cloud-${cls}${a.id === selected ? ' dm-selected' : ''}`}
              style={{ left: `${years.length > 1 ? ((v - lo) / span) * 100 : 50}%`, height: `${30 + 60 * Math.max(0, Math.min(1, a.validFraction))}%` }}
              tabIndex={a.id === active ? 0 : -1}
              aria-pressed={a.id === selected}
              aria-label={label}
              title={label}
              onClick={() => onSelect(a.id)}
              onKeyDown={(e) => move(e, i)}
            />
          );
        })}
      </div>
      {undated.length > 0 && (
        <p className="small dm-warn-text">
          {undated.length} undated: {undated.map((a) => a.files[0]).join(', ')} — set a date in the file table.
        </p>
      )}
    </div>
  );
}

export function DateStrips({ selected, onSelect }: { selected: string | null; onSelect: (id: string) => void }) {
  const locations = useStudioStore((s) => s.data.summary?.locations);
  if (!locations || locations.length === 0) return null;
  return (
    <section className="dm-date-strips" aria-labelledby="dates-title">
      <h3 id="dates-title">Dates</h3>
      <p className="dm-legend small">
        {(['clear', 'partly', 'cloudy', 'unknown'] as const).map((c) => (
          <span key={c} className="dm-legend-item">
            <span className={`dm-swatch dm-cloud-${c}`} /> {CLOUD_TEXT[c]}
          </span>
        ))}
        <span className="dm-legend-item">bar height = valid pixels</span>
      </p>
      {locations.flatMap((l) =>
        l.modalities.map((m) => <Strip key={`${l.id}/${m.name}`} locationId={l.id} modality={m} selected={selected} onSelect={onSelect} showLocation={locations.length > 1} />),
      )}
    </section>
  );
}
