/**
 * One image of the Inspect grid: date t of a row's view (input, masked input, reconstruction, target or error),
 * drawn on a canvas, with the probed patch outlined. Pointer moves report the pixel under the cursor to the row.
 */
import { useEffect, useRef, type MouseEvent } from 'react';
import type { InspectRowPixels } from '../../../store/inspectSlice';
import { drawMaskedTile, drawTile, probeAt, type PixelProbe } from '../../canvas/tiles';

export type InspectView = 'input' | 'masked' | 'reconstruction' | 'target' | 'error';

export interface TileGeometry {
  W: number;
  H: number;
  P: number;
}

interface Props {
  pixels: InspectRowPixels;
  view: InspectView;
  rowKey: string;
  t: number;
  geo: TileGeometry;
  label: string;
  /** The probed pixel when it lies on this tile's date (outlined patch), else null. */
  probe: PixelProbe | null;
  onProbe: (t: number, p: PixelProbe, view: InspectView, at: { x: number; y: number }) => void;
}

export function TileCanvas({ pixels, view, rowKey, t, geo, label, probe, onProbe }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { W, H, P } = geo;

  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    if (view === 'masked') drawMaskedTile(c, pixels.input, pixels.mask, t, W, H, P);
    else drawTile(c, pixels[view], t, W, H);
  }, [pixels, view, t, W, H, P]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    onProbe(t, probeAt(e.clientX - r.left, e.clientY - r.top, r.width, r.height, W, H, P), view, { x: e.clientX, y: e.clientY });
  };

  const pct = (v: number, of: number) => `${(100 * v) / of}%`;
  return (
    <div className="ins-tile">
      <canvas ref={ref} role="img" aria-label={label} data-testid="inspect-tile" data-view={view} data-row={rowKey} data-date={t} onMouseMove={onMove} />
      {probe && (
        <div
          className="ins-probe-box"
          aria-hidden="true"
          style={{ left: pct(probe.patchCol * P, W), top: pct(probe.patchRow * P, H), width: pct(P, W), height: pct(P, H) }}
        >
          <div className="ins-probe-px" style={{ left: pct(probe.x - probe.patchCol * P, P), top: pct(probe.y - probe.patchRow * P, P), width: pct(1, P), height: pct(1, P) }} />
        </div>
      )}
    </div>
  );
}
