/**
 * What each training sample contains, chosen here and applied by rebuilding the dataset in the worker: which
 * modalities (every sample carries all of them, so only locations that have them all are used), how many dates of
 * each (temporal binning picks that many from each series), and the ground size of a sample (each modality's pixel
 * size follows from its GSD). Changes apply on Enter or when leaving the field.
 */
import { useStudioStore } from '../../../store';
import type { DataOptions } from '../../../store/dataSlice';
import { fmtMetres } from '../data/format';
import { NumberField } from './fields';

export function DatasetShapeEditor() {
  const summary = useStudioStore((s) => s.data.summary);
  const setOptions = useStudioStore((s) => s.setDataOptions);
  const busy = useStudioStore((s) => s.data.pending > 0);
  if (!summary?.dataset?.ready) return null;
  const ds = summary.dataset;
  const options = summary.options;
  const used = new Set(ds.modalities.map((m) => m.name));
  const apply = (o: Partial<DataOptions>) => void setOptions({ ...options, ...o });
  const toggle = (name: string, on: boolean) => {
    const next = summary.catalogModalities.map((m) => m.name).filter((m) => (m === name ? on : used.has(m)));
    if (next.length > 0) apply({ modalities: next });
  };
  return (
    <section className="dm-model-block" aria-labelledby="shape-title" data-testid="dataset-shape">
      <h3 id="shape-title">Samples</h3>
      <div className="dm-field-row">
        <NumberField
          field="data.sampleMeters"
          label="Sample size (ground)"
          unit="m"
          value={ds.sampleMeters}
          min={1}
          step="any"
          commit="blur"
          problems={[]}
          onCommit={(v) => apply({ sampleMeters: v > 0 ? v : null })}
          hint={ds.modalities.map((m) => `${m.name} ${m.size} px`).join(' · ')}
        />
        {options.sampleMeters !== null && (
          <button type="button" className="dm-btn dm-btn-small" onClick={() => apply({ sampleMeters: null })}>
            Automatic size
          </button>
        )}
      </div>
      <table className="dm-grid-table">
        <caption className="dm-sr-only">Modalities in each sample and dates per modality</caption>
        <thead>
          <tr>
            <th scope="col">Use</th>
            <th scope="col">Modality</th>
            <th scope="col">Dates per sample</th>
            <th scope="col">Available</th>
            <th scope="col">GSD · sample</th>
          </tr>
        </thead>
        <tbody>
          {summary.catalogModalities.map((m) => {
            const info = ds.modalities.find((x) => x.name === m.name);
            const on = used.has(m.name);
            return (
              <tr key={m.name}>
                <td>
                  <input
                    type="checkbox"
                    checked={on}
                    disabled={busy || (on && used.size === 1)}
                    aria-label={`Use ${m.name} in every sample`}
                    onChange={(e) => toggle(m.name, e.target.checked)}
                  />
                </td>
                <th scope="row">
                  <code>{m.name}</code> <span className="small muted">{m.sensor}</span>
                </th>
                <td>
                  {info ? (
                    <NumberField
                      field={`data.numDates.${m.name}`}
                      label={<span className="dm-sr-only">Dates of {m.name} per sample</span>}
                      value={info.T}
                      min={1}
                      step={1}
                      commit="blur"
                      problems={[]}
                      onCommit={(v) => apply({ numDates: { ...options.numDates, [m.name]: Math.max(1, Math.round(v)) } })}
                    />
                  ) : (
                    <span className="muted small">not used</span>
                  )}
                </td>
                <td className="num small">
                  {m.minDates === m.maxDates ? m.minDates : `${m.minDates}–${m.maxDates}`} date{m.maxDates === 1 ? '' : 's'} · {m.locations} location{m.locations === 1 ? '' : 's'}
                </td>
                <td className="num small">{info ? `${fmtMetres(info.gsd)} · ${info.size}×${info.size} px` : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {ds.modalities.some((m) => m.T > (summary.catalogModalities.find((c) => c.name === m.name)?.minDates ?? m.T)) && (
        <p className="small dm-warn-text">Some locations have fewer dates than asked for; their missing dates are padded as invalid.</p>
      )}
    </section>
  );
}
