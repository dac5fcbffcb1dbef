/**
 * The confusion matrix of a probe as an SVG heatmap: rows are the true classes, columns the predicted ones; each cell
 * shows its count and is coloured by its share of the true class (so a rare class reads as well as a common one);
 * the diagonal is outlined. A legend explains the colours, and the same numbers are available as a table.
 */
import { confusionView, type ClassMetrics } from '../../../store/probeSlice';
import { heatColor, heatGradient, heatText } from './colors';
import { count, pct } from './format';

const CELL = 46;
const CHAR = 7.2;

export function ConfusionMatrix({ metrics, classNames }: { metrics: ClassMetrics; classNames: readonly string[] }) {
  const v = confusionView(metrics, classNames);
  const K = v.classNames.length;
  const left = Math.ceil(Math.max(...v.classNames.map((n) => n.length)) * CHAR) + 34;
  const top = Math.ceil(Math.max(...v.classNames.map((n) => n.length)) * CHAR * 0.72) + 34;
  const width = left + K * CELL + 8;
  const height = top + K * CELL + 8;
  const summary = v.classNames.map((n, t) => `${n}: ${pct(v.cells[t][t].rowShare)} of ${v.support[t]} predicted correctly`).join('; ');

  return (
    <figure className="ev-confusion-wrap" style={{ margin: 0 }} data-testid="confusion-matrix" data-classes={K} data-total={v.total}>
      <figcaption className="small muted">Confusion matrix of the held-out sets (rows: truth, columns: prediction)</figcaption>
      <svg className="ev-confusion" width={width} height={height} role="img" aria-label={`Confusion matrix. ${summary}`}>
        <text className="ev-axis" x={left + (K * CELL) / 2} y={12} textAnchor="middle">
          predicted →
        </text>
        <text className="ev-axis" x={10} y={top + (K * CELL) / 2} textAnchor="middle" transform={`rotate(-90 10 ${top + (K * CELL) / 2})`}>
          true ↓
        </text>
        {v.classNames.map((n, p) => (
          <text key={`c${n}`} x={left + p * CELL + CELL / 2} y={top - 6} transform={`rotate(-40 ${left + p * CELL + CELL / 2} ${top - 6})`}>
            {n}
          </text>
        ))}
        {v.classNames.map((n, t) => (
          <text key={`r${n}`} x={left - 6} y={top + t * CELL + CELL / 2 + 4} textAnchor="end">
            {n}
          </text>
        ))}
        {v.cells.map((row, t) =>
          row.map((c, p) => (
            <g key={`${t}-${p}`}>
              <rect x={left + p * CELL} y={top + t * CELL} width={CELL - 2} height={CELL - 2} fill={heatColor(c.rowShare)} stroke={t === p ? '#faf089' : 'none'} strokeWidth={t === p ? 1.5 : 0}>
                <title>{`true ${v.classNames[t]}, predicted ${v.classNames[p]}: ${c.count} (${pct(c.rowShare)} of ${v.classNames[t]})`}</title>
              </rect>
              <text x={left + p * CELL + (CELL - 2) / 2} y={top + t * CELL + CELL / 2 + 3} textAnchor="middle" style={{ fill: heatText(c.rowShare) }}>
                {c.count >= 10000 ? `${Math.round(c.count / 1000)}k` : c.count}
              </text>
            </g>
          )),
        )}
      </svg>
      <div className="small muted" style={{ display: 'flex', alignItems: 'center', gap: '0.5rem' }} data-testid="confusion-legend">
        <span>0 %</span>
        <span aria-hidden="true" style={{ display: 'inline-block', width: '8rem', height: '0.7rem', borderRadius: 3, background: heatGradient() }} />
        <span>100 % of the true class</span>
        <span>· outlined: correct</span>
      </div>
      <details className="small">
        <summary>As a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">truth \ prediction</th>
              {v.classNames.map((n) => (
                <th key={n} scope="col" className="num">
                  {n}
                </th>
              ))}
              <th scope="col" className="num">
                sets
              </th>
            </tr>
          </thead>
          <tbody>
            {v.cells.map((row, t) => (
              <tr key={v.classNames[t]}>
                <th scope="row">{v.classNames[t]}</th>
                {row.map((c, p) => (
                  <td key={p} className="num">
                    {count(c.count)}
                  </td>
                ))}
                <td className="num">{count(v.support[t])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
