/**
 * The labels card: the drop zone, then what the studio understood — facts (kind, dates, counts, alignment with the
 * loaded images), warnings, the classes with their counts and shares, the accepted files — and, for the last drop,
 * every refused file with its reason. The labels stay until cleared; a bad drop only adds to the problem list.
 */
import { useStudioStore } from '../../../store';
import { labelClassShares } from '../../../store/probeSlice';
import { count, pct } from './format';
import { LabelDropZone } from './LabelDropZone';

export function LabelsPanel() {
  const labels = useStudioStore((s) => s.evaluate.labels);
  const problems = useStudioStore((s) => s.evaluate.labelProblems);
  const messages = useStudioStore((s) => s.evaluate.labelMessages);
  const error = useStudioStore((s) => s.evaluate.labelsError);
  const busy = useStudioStore((s) => s.evaluate.labelsBusy);
  const clear = useStudioStore((s) => s.clearLabels);
  const shares = labels ? labelClassShares(labels) : [];
  const top = Math.max(0, ...shares.map((c) => c.share));

  return (
    <section className="card" aria-labelledby="ev-labels-title" data-testid="labels-panel">
      <h3 id="ev-labels-title">Labels</h3>
      <LabelDropZone />
      {error && (
        <p className="error" role="alert" data-testid="labels-error">
          {error}
        </p>
      )}
      {messages.length > 0 && (
        <ul className="ev-facts small" data-testid="labels-messages">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {problems.length > 0 && (
        <div role="alert">
          <p className="error">
            {problems.length === 1 ? 'This file was not used' : `These ${problems.length} files were not used`} (the labels, data and model are unchanged):
          </p>
          <ul className="ev-facts ev-problems small" data-testid="labels-problems">
            {problems.map((p) => (
              <li key={p.path}>
                <strong>{p.path}</strong>: {p.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {labels ? (
        <div data-testid="labels-summary" data-kind={labels.kind} data-classes={labels.classes.length} data-dated={labels.dated} data-labelled={labels.labelled}>
          <ul className="ev-facts">
            {labels.facts.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
          {labels.warnings.length > 0 && (
            <ul className="ev-facts ev-warnings" data-testid="labels-warnings">
              {labels.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <table className="small" data-testid="labels-classes">
            <caption className="muted small" style={{ textAlign: 'left' }}>
              Classes found ({labels.countUnit === 'pixels' ? 'labelled pixels' : 'labelled tiles'})
            </caption>
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col">{labels.kind === 'raster' ? 'Value' : 'Label'}</th>
                <th scope="col" className="num">
                  {labels.countUnit === 'pixels' ? 'Pixels' : 'Tiles'}
                </th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {shares.map((c) => (
                <tr key={c.value}>
                  <td>{c.name}</td>
                  <td className="num">{c.value}</td>
                  <td className="num">{count(c.count)}</td>
                  <td>
                    <span className="ev-share" style={{ width: `${top > 0 ? (6 * c.share) / top : 0}rem` }} aria-hidden="true" /> <span className="num small">{pct(c.share)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <details className="small">
            <summary>
              {labels.files.length} label file{labels.files.length === 1 ? '' : 's'}
            </summary>
            <table>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Date</th>
                  <th scope="col">Size, CRS</th>
                  <th scope="col" className="num">
                    Labels
                  </th>
                </tr>
              </thead>
              <tbody>
                {labels.files.map((f) => (
                  <tr key={f.path}>
                    <td>{f.path}</td>
                    <td>{f.kind === 'fmask' ? 'Fmask cloud mask' : f.kind === 'generic' ? 'class raster' : 'tile labels'}</td>
                    <td>{f.date ?? '–'}</td>
                    <td>{f.width !== null ? `${f.width} × ${f.height} px, ${f.crs ?? 'no CRS'}${f.nodata !== null ? `, nodata ${f.nodata}` : ''}` : '–'}</td>
                    <td className="num">
                      {f.alignsWith} {f.kind === 'tiles' ? 'tiles' : 'images'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
          <button type="button" className="btn" disabled={busy} onClick={() => void clear()} data-testid="labels-clear">
            Remove all labels
          </button>
        </div>
      ) : (
        <p className="muted small">No labels yet.</p>
      )}
    </section>
  );
}
