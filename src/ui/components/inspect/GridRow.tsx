/**
 * One row of the reconstruction grid (a modality's normalisation group, or its RGB composite): five views × T dates,
 * the row's legends, and the pixel probe. The probe follows the pointer; from the keyboard the row is one tab stop
 * where arrow keys move the probed pixel, Shift+←/→ change the date and Escape hides it.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import { inspectPixels, rowMaskedCount, type InspectModalityMeta, type InspectRowMeta } from '../../../store/inspectSlice';
import { probePixel, type PixelProbe } from '../../canvas/tiles';
import { ColorLegend } from './ColorLegend';
import { ProbeTooltip } from './ProbeTooltip';
import { TileCanvas, type InspectView } from './TileCanvas';

export const VIEWS: { view: InspectView; title: string; help: string }[] = [
  { view: 'input', title: 'Input', help: 'Input units, 2–98 % stretch over all dates of the row; nodata is transparent' },
  { view: 'masked', title: 'Masked', help: 'What the encoder sees: hatched patches are hidden from it' },
  { view: 'reconstruction', title: 'Reconstruction', help: 'Prediction on hidden patches, target on visible ones (normalised space)' },
  { view: 'target', title: 'Target', help: 'The normalised target the loss compares with (per patch and band group)' },
  { view: 'error', title: 'Error', help: '|prediction − target| on hidden patches; visible patches are not scored (slate)' },
];

interface Probe {
  t: number;
  p: PixelProbe;
  at: { x: number; y: number };
}

export function GridRow({ mod, row, runId }: { mod: InspectModalityMeta; row: InspectRowMeta; runId: number }) {
  const pixels = inspectPixels(row.key);
  const [probe, setProbe] = useState<Probe | null>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const geo = { W: mod.W, H: mod.H, P: mod.P };
  const masked = rowMaskedCount(row);
  const total = mod.T * mod.grid * mod.grid;

  /** Viewport point beside the input tile of date t (where the keyboard probe's details appear). */
  const anchorOf = (t: number) => {
    const el = gridRef.current?.querySelector(`canvas[data-view="input"][data-date="${t}"]`);
    const r = el?.getBoundingClientRect();
    return r ? { x: r.right, y: r.top } : { x: 0, y: 0 };
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const cur = probe ?? { t: 0, p: probePixel(0, 0, mod.W, mod.P), at: anchorOf(0) };
    let { t } = cur;
    let { x, y } = cur.p;
    switch (e.key) {
      case 'ArrowLeft':
        if (e.shiftKey) t = Math.max(0, t - 1);
        else x = Math.max(0, x - 1);
        break;
      case 'ArrowRight':
        if (e.shiftKey) t = Math.min(mod.T - 1, t + 1);
        else x = Math.min(mod.W - 1, x + 1);
        break;
      case 'ArrowUp':
        y = Math.max(0, y - 1);
        break;
      case 'ArrowDown':
        y = Math.min(mod.H - 1, y + 1);
        break;
      case 'Escape':
        setProbe(null);
        return;
      default:
        return;
    }
    e.preventDefault();
    setProbe({ t, p: probePixel(x, y, mod.W, mod.P), at: anchorOf(t) });
  };

  return (
    <div className="ins-row" data-testid="inspect-row" data-row-key={row.key} data-masked={masked} data-total={total} data-run={runId}>
      <div className="ins-row-head">
        <div>
          <h4 className="ins-row-title">{row.label}</h4>
          <div className="muted small" data-testid="row-masked-count">
            {masked} of {total} patches masked
            {mod.T > 1 && ` (${row.maskedPerDate.join(' · ')} per date)`}
            {row.tokenGroups.length > 0 && ` · token group ${row.tokenGroups.map((j) => j + 1).join(', ')}`}
          </div>
        </div>
        <div className="ins-legends">
          <ColorLegend title="Input" scale={row.input} unit={mod.unit} testId="legend-input" />
          <ColorLegend title="Target & reconstruction (normalised)" scale={row.value} testId="legend-value" />
          <ColorLegend title="|Error|" scale={row.error} testId="legend-error" />
        </div>
      </div>
      {pixels ? (
        <div
          ref={gridRef}
          className="ins-row-grid"
          style={{ gridTemplateColumns: `var(--ins-label) repeat(${mod.T}, minmax(var(--ins-cell-min), var(--ins-cell-max)))` }}
          tabIndex={0}
          role="group"
          aria-label={`${mod.name} ${row.label}: five views by date. Arrow keys read pixel values, Shift+arrows change the date, Escape hides the details.`}
          onKeyDown={onKeyDown}
          onMouseLeave={() => setProbe(null)}
          onBlur={() => setProbe(null)}
        >
          {VIEWS.map(({ view, title, help }) => (
            <div key={view} className="ins-row-view" style={{ display: 'contents' }}>
              <div className="ins-view-label" title={help}>
                {title}
              </div>
              {mod.dates.map((d, t) => (
                <TileCanvas
                  key={t}
                  pixels={pixels}
                  view={view}
                  rowKey={row.key}
                  t={t}
                  geo={geo}
                  label={`${title} of ${mod.name} ${row.label}, date ${d}`}
                  probe={probe && probe.t === t ? probe.p : null}
                  onProbe={(tt, p, _v, at) => setProbe({ t: tt, p, at })}
                />
              ))}
            </div>
          ))}
        </div>
      ) : (
        <p className="muted">The images of this row are not available.</p>
      )}
      {probe && pixels && <ProbeTooltip mod={mod} row={row} pixels={pixels} t={probe.t} probe={probe.p} at={probe.at} />}
    </div>
  );
}
