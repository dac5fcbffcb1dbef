/** The ablation table: per variant and head, the mean ± std of the probe score over seeds, the change against the
 * base, the score of every seed, the mean accuracy and the final pre-training loss. */
import { ablationRows, type ExperimentResult } from '../../../store/probeSlice';
import { pct, pctSpread } from './format';

export function AblationTable({ result }: { result: ExperimentResult }) {
  const rows = ablationRows(result.summary, result.runs, result.seeds);
  const heads = new Set(rows.map((r) => r.head));
  return (
    <table className="small" data-testid="ablation-table">
      <caption className="muted small" style={{ textAlign: 'left' }}>
        Probe {rows[0]?.scoreName ?? 'score'} on the same held-out split for every run; {result.pretrainSteps} pre-training steps and {result.probeSteps} probe steps per run.
      </caption>
      <thead>
        <tr>
          <th scope="col">Variant</th>
          {heads.size > 1 && <th scope="col">Head</th>}
          <th scope="col" className="num">
            Mean ± std
          </th>
          <th scope="col" className="num">
            vs base
          </th>
          {result.seeds.map((s) => (
            <th key={s} scope="col" className="num">
              Seed {s}
            </th>
          ))}
          <th scope="col" className="num">
            Accuracy
          </th>
          <th scope="col" className="num">
            Pre-train loss
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.variant}/${r.head}`} data-testid="ablation-row" data-variant={r.variant} data-mean={r.mean} data-std={r.std}>
            <th scope="row">{r.variant}</th>
            {heads.size > 1 && <td>{r.head}</td>}
            <td className="num">{pctSpread(r.mean, r.std)}</td>
            <td className="num">{r.variant === 'base' || r.delta === null ? '–' : `${r.delta >= 0 ? '+' : '−'}${(100 * Math.abs(r.delta)).toFixed(1)} pts`}</td>
            {r.perSeed.map((v, i) => (
              <td key={i} className="num">
                {v === null ? 'not run' : pct(v)}
              </td>
            ))}
            <td className="num">{pct(r.accuracy)}</td>
            <td className="num">{Number.isFinite(r.pretrainLoss) ? r.pretrainLoss.toFixed(4) : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
