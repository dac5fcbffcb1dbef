/**
 * The ablation chart (SVG): one horizontal bar per variant (and head) at its mean probe score over seeds, a whisker
 * from mean − std to mean + std, the base variant in the accent colour, and the chance level of the held-out split
 * as a dashed line. Horizontal bars keep long variant names ("targetNorm=patch-group") readable.
 */
import { ablationChart, type ExperimentResult } from '../../../store/probeSlice';
import { pct } from './format';

const ROW = 30;
const PLOT = 420;
const CHAR = 7.2;

export function AblationChart({ result }: { result: Pick<ExperimentResult, 'summary' | 'chance'> }) {
  const d = ablationChart(result);
  if (d.bars.length === 0) return null;
  const left = Math.ceil(Math.max(...d.bars.map((b) => b.label.length)) * CHAR) + 16;
  const right = 120;
  const top = 12;
  const height = top + d.bars.length * ROW + 36;
  const x = (v: number) => left + (v / d.top) * PLOT;
  // Round ticks: every 10 points (5 below a 30 % axis).
  const step = d.top <= 0.3 ? 0.05 : 0.1;
  const ticks = Array.from({ length: Math.round(d.top / step) + 1 }, (_, i) => i * step);
  const summary = d.bars.map((b) => `${b.label}: ${pct(b.mean)} ± ${pct(b.hi - b.mean)}`).join('; ');

  return (
    <figure style={{ margin: 0 }} data-testid="ablation-chart" data-bars={d.bars.length}>
      <figcaption className="small muted">
        {d.scoreName} of the probe per variant: bar = mean over seeds, whisker = ± 1 standard deviation{d.chance !== null ? ', dashed line = chance level' : ''}.
      </figcaption>
      <svg className="ev-chart" width={left + PLOT + right} height={height} role="img" aria-label={`Probe ${d.scoreName} per variant. ${summary}`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={top - 4} y2={top + d.bars.length * ROW} stroke="#25404d" />
            <text className="ev-axis" x={x(t)} y={top + d.bars.length * ROW + 16} textAnchor="middle">
              {Math.round(t * 100)} %
            </text>
          </g>
        ))}
        <text className="ev-axis" x={left + PLOT / 2} y={height - 4} textAnchor="middle">
          {d.scoreName}
        </text>
        {d.bars.map((b, i) => {
          const y = top + i * ROW;
          const mid = y + ROW / 2;
          return (
            <g key={b.label} data-testid="ablation-bar" data-variant={b.variant} data-mean={b.mean}>
              <text x={left - 8} y={mid + 4} textAnchor="end">
                {b.label}
              </text>
              <rect x={left} y={y + 6} width={Math.max(1, x(b.mean) - left)} height={ROW - 12} fill={b.variant === 'base' ? '#4fd1c5' : '#63b3ed'} opacity={0.85}>
                <title>{`${b.label}: mean ${pct(b.mean)} over ${b.n} seed${b.n === 1 ? '' : 's'}, range of ± 1 std ${pct(b.lo)} – ${pct(b.hi)}`}</title>
              </rect>
              {b.hi > b.lo && (
                <g stroke="#e3eef2" strokeWidth={1.5}>
                  <line x1={x(b.lo)} x2={x(b.hi)} y1={mid} y2={mid} />
                  <line x1={x(b.lo)} x2={x(b.lo)} y1={mid - 5} y2={mid + 5} />
                  <line x1={x(b.hi)} x2={x(b.hi)} y1={mid - 5} y2={mid + 5} />
                </g>
              )}
              <text x={x(Math.max(b.hi, b.mean)) + 8} y={mid + 4} className="num">
                {pct(b.mean)}
                {b.n > 1 ? ` ± ${pct(b.hi - b.mean)}` : ''}
              </text>
            </g>
          );
        })}
        {d.chance !== null && (
          <g>
            <line x1={x(d.chance)} x2={x(d.chance)} y1={top - 4} y2={top + d.bars.length * ROW} stroke="#f6ad55" strokeDasharray="4 3" />
            <title>{`chance level ${pct(d.chance)}`}</title>
          </g>
        )}
      </svg>
    </figure>
  );
}
