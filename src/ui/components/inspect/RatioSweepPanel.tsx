/**
 * The ratio-sweep experiment: reconstruction loss of the current weights against the masking ratio, averaged over
 * validation tiles and mask draws, with a progress bar and ETA while it runs, cancellable, and the points as a chart
 * plus a table (the chart's accessible equivalent).
 */
import { useStudioStore } from '../../../store';
import { SWEEP_RATIOS } from '../../../store/inspectSlice';
import { formatValue } from '../../canvas/tiles';
import { RatioSweepChart } from './RatioSweepChart';

function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return 'estimating…';
  if (s < 60) return `${Math.ceil(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function RatioSweepPanel() {
  const sweep = useStudioStore((st) => st.inspect.sweep);
  const settings = useStudioStore((st) => st.inspect.sweepSettings);
  const strategy = useStudioStore((st) => st.inspect.strategy);
  const ratio = useStudioStore((st) => st.inspect.ratio);
  const tileCount = useStudioStore((st) => st.inspect.samples?.tiles.length ?? 0);
  const ready = useStudioStore((st) => st.inspect.samples !== null);
  const setSettings = useStudioStore((st) => st.setSweepSettings);
  const start = useStudioStore((st) => st.startRatioSweep);
  const cancel = useStudioStore((st) => st.cancelRatioSweep);

  const nRatios = SWEEP_RATIOS[settings.points]?.length ?? 10;
  const passes = nRatios * settings.tiles * settings.draws;
  const maxTiles = Math.max(1, tileCount);

  return (
    <section className="ins-sweep card" aria-labelledby="ins-sweep-title" data-testid="sweep-panel">
      <h3 id="ins-sweep-title">Ratio sweep</h3>
      <p className="muted small">
        Masked reconstruction loss of the current weights at each masking ratio ({strategy} masking), averaged over validation tiles and mask draws;
        the same draws are used at every ratio. The band shows the spread (min–max), the dotted line the slider's ratio.
      </p>
      <div className="ins-inline ins-sweep-controls">
        <label>
          Ratios{' '}
          <select data-testid="sweep-points" value={settings.points} disabled={sweep.running} onChange={(e) => setSettings({ points: Number(e.target.value) })}>
            {Object.keys(SWEEP_RATIOS).map((k) => (
              <option key={k} value={k}>
                {k} ({SWEEP_RATIOS[Number(k)][0]} … {SWEEP_RATIOS[Number(k)].at(-1)})
              </option>
            ))}
          </select>
        </label>
        <label>
          Tiles{' '}
          <input
            type="number"
            data-testid="sweep-tiles"
            min={1}
            max={maxTiles}
            value={settings.tiles}
            disabled={sweep.running}
            onChange={(e) => setSettings({ tiles: Math.max(1, Math.min(maxTiles, Math.round(Number(e.target.value) || 1))) })}
          />
        </label>
        <label>
          Draws per tile{' '}
          <select data-testid="sweep-draws" value={settings.draws} disabled={sweep.running} onChange={(e) => setSettings({ draws: Number(e.target.value) })}>
            {[1, 2, 3, 5].map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        {sweep.running ? (
          <button type="button" className="btn" data-testid="sweep-cancel" onClick={() => void cancel()}>
            Cancel
          </button>
        ) : (
          <button type="button" className="btn btn-primary" data-testid="sweep-run" disabled={!ready} onClick={() => void start()}>
            Run sweep ({passes} forward passes)
          </button>
        )}
      </div>
      {sweep.running && (
        <div className="ins-progress" role="status" aria-live="polite" data-testid="sweep-progress">
          <progress value={sweep.done} max={Math.max(1, sweep.total)} aria-label="Sweep progress" />
          <span className="num small">
            {sweep.done} / {sweep.total || passes} passes · ETA {formatEta(sweep.etaSeconds)}
          </span>
        </div>
      )}
      {sweep.error && (
        <p className="error" role="alert" data-testid="sweep-error">
          {sweep.error}
        </p>
      )}
      {!sweep.running && sweep.ms !== null && (
        <p className="muted small" data-testid="sweep-summary">
          {sweep.cancelled ? 'Cancelled' : 'Done'} after {(sweep.ms / 1000).toFixed(1)} s · {sweep.weights?.note}
        </p>
      )}
      <RatioSweepChart points={sweep.points} currentRatio={ratio} />
      {sweep.points.length > 0 && (
        <details className="small">
          <summary>Sweep values</summary>
          <table className="kv num" data-testid="sweep-table">
            <thead>
              <tr>
                <th scope="col">Ratio</th>
                <th scope="col">Mean loss</th>
                <th scope="col">Min … max</th>
                <th scope="col">Passes</th>
              </tr>
            </thead>
            <tbody>
              {sweep.points.map((p) => (
                <tr key={p.ratio}>
                  <td>{Math.round(p.ratio * 100)} %</td>
                  <td>{formatValue(p.mean)}</td>
                  <td>
                    {formatValue(p.min)} … {formatValue(p.max)}
                  </td>
                  <td>{p.n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}
