/**
 * Controls of the Inspect section: which sample, the masking ratio (debounced slider), the masking strategy, a new
 * mask draw and a re-run on the current weights, with a live "running" indicator. Every control is a native form
 * element, so it is keyboard operable and labelled.
 */
import { useStudioStore } from '../../../store';
import { RATIO_MAX, RATIO_MIN, type InspectStrategy } from '../../../store/inspectSlice';

export function InspectControls() {
  const s = useStudioStore((st) => st.inspect);
  const selectSample = useStudioStore((st) => st.selectInspectSample);
  const randomSample = useStudioStore((st) => st.inspectRandomSample);
  const setRatio = useStudioStore((st) => st.setInspectRatio);
  const setStrategy = useStudioStore((st) => st.setInspectStrategy);
  const redraw = useStudioStore((st) => st.redrawInspectMask);
  const reload = useStudioStore((st) => st.loadInspectSamples);

  const tiles = s.samples?.tiles ?? [];
  // The strategies the model offers (from the worker); the current one is listed even before they arrive.
  const strategies = s.samples?.strategies ?? [{ id: s.strategy, label: s.strategy, help: '' }];
  const strategyHelp = strategies.find((x) => x.id === s.strategy)?.help ?? '';
  const sampleValue = s.sample.kind === 'tile' ? `tile:${s.sample.index}` : 'random';
  const disabled = s.samples === null;
  const pct = Math.round(s.ratio * 100);

  return (
    <div className="ins-controls" role="group" aria-label="Inspection settings">
      <div className="ins-field">
        <label htmlFor="ins-sample">Sample</label>
        <div className="ins-inline">
          <select
            id="ins-sample"
            data-testid="inspect-sample-select"
            value={sampleValue}
            disabled={disabled}
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'random') randomSample();
              else selectSample({ kind: 'tile', index: Number(v.slice(5)) });
            }}
          >
            {tiles.map((t) => (
              <option key={t.index} value={`tile:${t.index}`}>
                {t.label}
              </option>
            ))}
            {s.sample.kind === 'random' && <option value="random">Random window #{s.sample.seed}</option>}
          </select>
          <button type="button" className="btn" data-testid="inspect-random-sample" disabled={disabled} onClick={randomSample}>
            New random sample
          </button>
        </div>
        <span className="muted small">{tiles.length} validation tile{tiles.length === 1 ? '' : 's'} (fixed tiling, no augmentation)</span>
      </div>

      <div className="ins-field ins-field-ratio">
        <label htmlFor="ins-ratio">
          Masking ratio{' '}
          <output htmlFor="ins-ratio" className="num ins-ratio-value" data-testid="inspect-ratio-value">
            {pct} %
          </output>
        </label>
        <input
          id="ins-ratio"
          type="range"
          data-testid="inspect-ratio"
          min={RATIO_MIN}
          max={RATIO_MAX}
          step={0.01}
          value={s.ratio}
          disabled={disabled}
          aria-valuetext={`${pct} percent of the patches hidden`}
          onChange={(e) => setRatio(Number(e.target.value))}
        />
        <span className="muted small">
          {Math.round(RATIO_MIN * 100)} % … {Math.round(RATIO_MAX * 100)} % of every group's patches are hidden from the encoder
        </span>
      </div>

      <div className="ins-field">
        <label htmlFor="ins-strategy">Strategy</label>
        <div className="ins-inline">
          <select id="ins-strategy" data-testid="inspect-strategy" value={s.strategy} disabled={disabled} onChange={(e) => setStrategy(e.target.value as InspectStrategy)}>
            {strategies.map((x) => (
              <option key={x.id} value={x.id}>
                {x.label}
              </option>
            ))}
          </select>
          <button type="button" className="btn" data-testid="inspect-new-mask" disabled={disabled} onClick={redraw} title="Draw a new mask at the same ratio">
            New mask draw
          </button>
          <button type="button" className="btn" data-testid="inspect-refresh" disabled={disabled} onClick={() => void reload()} title="Run again on the current weights and data (e.g. after more training)">
            Refresh
          </button>
        </div>
        <span className="muted small">{strategyHelp}</span>
      </div>

      <div className="ins-status" role="status" aria-live="polite" data-testid="inspect-status">
        {s.running ? (
          <>
            <span className="ins-spinner" aria-hidden="true" /> Running the model…
          </>
        ) : s.result ? (
          <span className="muted small" data-testid="inspect-timing">
            Answered in {Math.round(s.result.ms.total)} ms (forward pass {Math.round(s.result.ms.forward)} ms)
          </span>
        ) : null}
      </div>
    </div>
  );
}
