/**
 * A colour bar with its value range, shared by every date of a grid row. Colormap scales show a gradient of the
 * worker's control colours with lo / mid / hi ticks; RGB composites list each channel's stretch instead.
 */
import type { ColorScale } from '../../../store/inspectSlice';
import { formatValue } from '../../canvas/tiles';

export function ColorLegend({ title, scale, unit, testId }: { title: string; scale: ColorScale; unit?: string; testId?: string }) {
  const range = `${formatValue(scale.lo)} … ${formatValue(scale.hi)}${unit ? ` ${unit}` : ''}`;
  if (scale.colormap === 'rgb') {
    return (
      <figure className="ins-legend" data-testid={testId} aria-label={`${title}: RGB composite`}>
        <figcaption>{title}</figcaption>
        <ul className="ins-legend-channels">
          {(scale.channels ?? []).map((c, i) => (
            <li key={i}>
              <span className={`ins-chip ins-chip-${['r', 'g', 'b'][i]}`} aria-hidden="true" />
              {['R', 'G', 'B'][i]} = {c.band}: <span className="num">{formatValue(c.lo)} … {formatValue(c.hi)}</span>
            </li>
          ))}
        </ul>
      </figure>
    );
  }
  const mid = (scale.lo + scale.hi) / 2;
  return (
    <figure className="ins-legend" data-testid={testId} aria-label={`${title}: ${scale.colormap} scale from ${range}`}>
      <figcaption>
        {title}{' '}
        <span className="muted">
          ({scale.colormap}
          {unit ? `, ${unit}` : ''})
        </span>
      </figcaption>
      <div className="ins-colorbar" style={{ background: `linear-gradient(to right, ${scale.stops.join(', ')})` }} aria-hidden="true" />
      <div className="ins-ticks num" aria-hidden="true">
        <span>{formatValue(scale.lo)}</span>
        <span>{formatValue(mid)}</span>
        <span>{formatValue(scale.hi)}</span>
      </div>
    </figure>
  );
}
