/**
 * One row of the recognition table. Understood files show what was recognised (sensor, modality, confidence with
 * its reasons, bands, date, pixel grid: size, GSD, CRS, data type; where the file went) and can be corrected inline:
 * sensor, modality name and date. Remove sits under the file name, so it stays in view in a narrow window. A refused file shows its reason and message on its own row, next to its name. A refused correction
 * appears under the row it concerns.
 */
import { memo } from 'react';
import { useStudioStore } from '../../../store';
import type { FileRow, SensorKind } from '../../../store/dataSlice';
import { CommitInput } from './CommitInput';
import { fmtBytes, fmtMetres, fmtPercent } from './format';

const SENSORS: { value: SensorKind; label: string }[] = [
  { value: 'sentinel-2', label: 'Sentinel-2' },
  { value: 'sentinel-1', label: 'Sentinel-1' },
  { value: 'landsat', label: 'Landsat' },
  { value: 'aerial', label: 'Aerial' },
  { value: 'cloud-mask', label: 'Cloud mask' },
  { value: 'generic', label: 'Other' },
];

const COLUMNS = 7;

/** The file name on its own line and its folder below it: long product names stay readable in a narrow column. */
function PathLabel({ path }: { path: string }) {
  const i = path.lastIndexOf('/');
  return (
    <span className="dm-path" title={path}>
      {path.slice(i + 1)}
      {i > 0 && <span className="dm-path-dir">{path.slice(0, i)}/</span>}
    </span>
  );
}

function rowId(path: string): string {
  return `row-${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function UseCell({ row }: { row: Extract<FileRow, { ok: true }> }) {
  if (row.use.kind === 'unused') {
    return (
      <span className="dm-warn-text small dm-use" title={row.use.reason}>
        not used: {row.use.reason.replace(`${row.path}: `, '')}
      </span>
    );
  }
  return (
    <span className="small muted dm-use" title={row.use.id}>
      {row.use.kind === 'mask' ? 'cloud mask of ' : ''}
      {row.use.id}
    </span>
  );
}

export const FileRowView = memo(function FileRowView({ row }: { row: FileRow }) {
  const error = useStudioStore((s) => s.data.rowErrors[row.path]);
  const pending = useStudioStore((s) => Boolean(s.data.rowPending[row.path]));
  const correct = useStudioStore((s) => s.correctFile);
  const remove = useStudioStore((s) => s.removeFile);
  const id = rowId(row.path);
  const remover = (
    <button type="button" className="dm-btn dm-btn-small dm-btn-quiet" onClick={() => void remove(row.path)} aria-label={`Remove ${row.path}`}>
      Remove
    </button>
  );
  if (!row.ok) {
    return (
      <tr className="dm-row-failed" data-testid="file-row" data-path={row.path} data-ok="false">
        <th scope="row" className="dm-path-cell">
          <PathLabel path={row.path} />
          {row.origin === 'demo' && <span className="dm-badge-inline">demo</span>}
          <div>{remover}</div>
        </th>
        <td colSpan={COLUMNS - 1}>
          <span className="dm-badge-inline dm-bad">{row.reason}</span>{' '}
          <span className="error" role="note" data-testid="file-error">
            {row.error}
          </span>
        </td>
      </tr>
    );
  }
  const confidenceText = `${fmtPercent(row.confidence)} — ${row.reasons.join('; ')}`;
  return (
    <>
      <tr data-testid="file-row" data-path={row.path} data-ok="true" aria-busy={pending || undefined} className={row.role === 'mask' ? 'dm-row-mask' : undefined}>
        <th scope="row" className="dm-path-cell">
          <PathLabel path={row.path} />
          {row.origin === 'demo' && <span className="dm-badge-inline">demo</span>}
          {row.corrected.length > 0 && <span className="dm-badge-inline dm-accent" title={`corrected: ${row.corrected.join(', ')}`}>corrected</span>}
          <div>
            <UseCell row={row} />
          </div>
          {row.warnings.length > 0 && (
            <details className="dm-row-warnings">
              <summary className="small dm-warn-text">
                {row.warnings.length} warning{row.warnings.length === 1 ? '' : 's'}
              </summary>
              <ul className="small">
                {row.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </details>
          )}
          <div>{remover}</div>
        </th>
        <td>
          <select
            className="dm-cell-input"
            value={row.sensor}
            aria-label={`Sensor of ${row.path}`}
            data-testid="sensor-select"
            disabled={pending}
            onChange={(e) => void correct(row.path, { sensor: e.target.value as SensorKind })}
          >
            {SENSORS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
          {row.platform && <div className="small muted">{row.platform}</div>}
        </td>
        <td>
          <CommitInput
            value={row.modality}
            label={`Modality of ${row.path}`}
            size={9}
            disabled={pending}
            invalid={Boolean(error)}
            describedBy={error ? `${id}-error` : undefined}
            testId="modality-input"
            onCommit={(v) => void correct(row.path, { modality: v })}
          />
        </td>
        <td className="num" title={confidenceText}>
          <span className={`dm-confidence dm-${row.confidence >= 0.8 ? 'high' : row.confidence >= 0.5 ? 'mid' : 'low'}`}>{fmtPercent(row.confidence)}</span>
        </td>
        <td title={`${row.bands.join(', ')} (names from ${row.bandSource})`} data-testid="bands-cell">
          <span className="num">{row.bands.length}</span> <span className="small muted">{row.bands.length > 3 ? `${row.bands.slice(0, 2).join(', ')}, …` : row.bands.join(', ')}</span>
        </td>
        <td>
          <CommitInput
            value={row.dateText ?? ''}
            placeholder="YYYY-MM-DD"
            label={`Acquisition date of ${row.path}`}
            size={13}
            disabled={pending}
            invalid={Boolean(error)}
            describedBy={error ? `${id}-error` : undefined}
            testId="date-input"
            onCommit={(v) => void correct(row.path, { date: v })}
          />
          {row.dateSource && <div className="small muted">{row.dateSource}</div>}
        </td>
        <td className="small" data-testid="grid-cell">
          <span className="num">
            {row.width} × {row.height} px · {fmtMetres(row.gsd)}
          </span>
          <div className="muted" title={row.crs ?? 'no CRS'}>
            {row.crs ? row.crs.split(' ')[0] : <span className="dm-warn-text">no CRS</span>} · {row.dtype} · {fmtBytes(row.sizeBytes)}
          </div>
        </td>
      </tr>
      {error && (
        <tr className="dm-row-error">
          <td colSpan={COLUMNS}>
            <span id={`${id}-error`} className="error" role="alert" data-testid="row-error">
              {row.path}: {error}
            </span>
          </td>
        </tr>
      )}
    </>
  );
});
