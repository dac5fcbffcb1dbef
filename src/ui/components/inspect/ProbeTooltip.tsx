/**
 * Details of the probed pixel: date, band group, the patch's position in the patch grid and whether it was masked,
 * and per band the input value (input units), the normalised target, the prediction and |prediction − target|.
 */
import type { InspectModalityMeta, InspectRowMeta, InspectRowPixels } from '../../../store/inspectSlice';
import { formatValue, type PixelProbe } from '../../canvas/tiles';

interface Props {
  mod: InspectModalityMeta;
  row: InspectRowMeta;
  pixels: InspectRowPixels;
  t: number;
  probe: PixelProbe;
  /** Viewport position to place the box near (it is clamped to stay on screen). */
  at: { x: number; y: number };
}

export function ProbeTooltip({ mod, row, pixels, t, probe, at }: Props) {
  const HW = mod.H * mod.W;
  const p = probe.y * mod.W + probe.x;
  const L = mod.grid * mod.grid;
  const masked = pixels.mask[t * L + probe.l] === 1;
  const valid = pixels.valid[t * HW + p] === 1;
  const Cr = row.bands.length;
  const width = 440;
  const left = Math.max(8, Math.min(at.x + 18, (typeof window === 'undefined' ? 1280 : window.innerWidth) - width - 8));
  const top = Math.max(8, Math.min(at.y + 18, (typeof window === 'undefined' ? 800 : window.innerHeight) - 80 - 22 * Cr - 8));
  return (
    <div className="ins-tooltip" role="status" aria-live="polite" data-testid="inspect-tooltip" style={{ left, top }}>
      <div className="ins-tooltip-head">
        <strong>{mod.name}</strong> · {row.label}
      </div>
      <div className="muted small">
        Date {t + 1} of {mod.T}: {mod.dates[t]} · patch row {probe.patchRow}, col {probe.patchCol} of {mod.grid}×{mod.grid} · pixel x {probe.x}, y {probe.y}
      </div>
      <div className={`ins-tooltip-state ${masked ? 'is-masked' : 'is-visible'}`} data-testid="inspect-tooltip-state">
        {masked ? 'Masked patch: reconstructed by the decoder, scored by the loss' : 'Visible patch: seen by the encoder, not scored'}
        {!valid && ' · nodata pixel'}
      </div>
      <table className="ins-tooltip-table num">
        <thead>
          <tr>
            <th scope="col">Band</th>
            <th scope="col">Input{mod.unit ? ` (${mod.unit})` : ''}</th>
            <th scope="col">Target</th>
            <th scope="col">Prediction</th>
            <th scope="col">|Error|</th>
          </tr>
        </thead>
        <tbody>
          {row.bands.map((b, c) => {
            const k = (t * Cr + c) * HW + p;
            const tv = pixels.targetValues[k];
            const pv = pixels.predValues[k];
            return (
              <tr key={`${b}-${c}`}>
                <th scope="row">{b}</th>
                <td>{valid ? formatValue(pixels.inputValues[k]) : 'nodata'}</td>
                <td>{formatValue(tv)}</td>
                <td>{formatValue(pv)}</td>
                <td className={masked ? '' : 'muted'}>{formatValue(Math.abs(pv - tv))}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
