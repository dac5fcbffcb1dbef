/**
 * The recognition table of every loaded file (refused ones first), with a filter, a "problems only" switch and paging (a 420-file time
 * series stays responsive: PAGE rows at a time, "Show more" adds the next page).
 */
import { useDeferredValue, useMemo, useState } from 'react';
import { useStudioStore } from '../../../store';
import { FileRowView } from './FileRowView';

const PAGE = 100;

export function FileTable() {
  const files = useStudioStore((s) => s.data.summary?.files);
  const [filter, setFilter] = useState('');
  const [problemsOnly, setProblemsOnly] = useState(false);
  const [shown, setShown] = useState(PAGE);
  const q = useDeferredValue(filter.trim().toLowerCase());
  // Refused files first: with hundreds of files a failure must not hide on a later page.
  const ordered = useMemo(() => [...(files ?? []).filter((f) => !f.ok), ...(files ?? []).filter((f) => f.ok)], [files]);
  const rows = useMemo(
    () =>
      ordered.filter((f) => {
        if (problemsOnly && f.ok && f.warnings.length === 0 && f.use.kind !== 'unused') return false;
        if (!q) return true;
        const hay = f.ok ? `${f.path} ${f.sensor} ${f.modality} ${f.dateText ?? ''} ${f.bands.join(' ')}` : `${f.path} ${f.error}`;
        return hay.toLowerCase().includes(q);
      }),
    [ordered, q, problemsOnly],
  );
  if (!files || files.length === 0) return null;
  const failed = files.filter((f) => !f.ok).length;
  return (
    <section className="dm-file-table" aria-labelledby="files-title">
      <div className="dm-panel-head">
        <h3 id="files-title">Files</h3>
        <div className="dm-table-tools">
          <label className="dm-inline">
            <span>Filter</span>
            <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="name, sensor, date…" aria-label="Filter files" />
          </label>
          <label className="dm-inline">
            <input type="checkbox" checked={problemsOnly} onChange={(e) => setProblemsOnly(e.target.checked)} />
            <span>Problems only{failed ? ` (${failed} refused)` : ''}</span>
          </label>
        </div>
      </div>
      <div className="dm-table-scroll">
        <table className="dm-grid-table dm-files" data-testid="file-table">
          <caption className="dm-sr-only">Loaded files and what was recognised; sensor, modality and date can be corrected</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Sensor</th>
              <th scope="col">Modality</th>
              <th scope="col" title="How sure the recognition is; hover a value for the reasons">
                Confidence
              </th>
              <th scope="col">Bands</th>
              <th scope="col">Date</th>
              <th scope="col">Pixel grid</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, shown).map((r) => (
              <FileRowView key={r.path} row={r} />
            ))}
          </tbody>
        </table>
      </div>
      <p className="small muted">
        Showing {Math.min(shown, rows.length)} of {rows.length}
        {rows.length !== files.length ? ` matching (${files.length} files loaded)` : ' files'}.{' '}
        {rows.length > shown && (
          <button type="button" className="dm-btn dm-btn-small" onClick={() => setShown(shown + PAGE)}>
            Show {Math.min(PAGE, rows.length - shown)} more
          </button>
        )}
      </p>
    </section>
  );
}
