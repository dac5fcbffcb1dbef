/**
 * The reconstruction grid of the latest inspection: per modality a header (size, dates, patch grid) and one GridRow
 * per normalisation group (+ RGB composite). Columns are the sample's dates; the same column template is used by the
 * date header and every row so they line up.
 */
import type { InspectRunMeta } from '../../../store/inspectSlice';
import { GridRow } from './GridRow';

export function ReconstructionGrid({ result, busy }: { result: InspectRunMeta; busy: boolean }) {
  return (
    <div className="ins-grid" data-testid="inspect-grid" aria-busy={busy} data-run={result.runId}>
      {result.modalities.map((mod) => (
        <section key={mod.name} className="ins-modality" aria-labelledby={`ins-mod-${mod.name}`} data-testid="inspect-modality" data-modality={mod.name}>
          <h3 id={`ins-mod-${mod.name}`} className="ins-modality-title">
            {mod.name}
            <span className="muted small">
              {' '}
              {mod.H}×{mod.W} px · {mod.T} date{mod.T === 1 ? '' : 's'} · patch {mod.P} px ({mod.grid}×{mod.grid} patches per date)
              {mod.unit && ` · input in ${mod.unit}`}
            </span>
          </h3>
          <div className="ins-scroll">
            <div
              className="ins-dates"
              style={{ gridTemplateColumns: `var(--ins-label) repeat(${mod.T}, minmax(var(--ins-cell-min), var(--ins-cell-max)))` }}
              aria-hidden="true"
            >
              <div className="ins-view-label">Date</div>
              {mod.dates.map((d, t) => (
                <div key={t} className="ins-date num" title={`Date ${t + 1} of ${mod.T}`}>
                  {d}
                </div>
              ))}
            </div>
            {mod.rows.map((row) => (
              <GridRow key={row.key} mod={mod} row={row} runId={result.runId} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
