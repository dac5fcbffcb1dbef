/**
 * What the loaded files add up to: counts, the training dataset as modalities × dates × sample size (with bands,
 * GSD and units), why it cannot train when it cannot, and every file that was left out or refused with its reason.
 */
import { useStudioStore } from '../../../store';
import type { DataSummary } from '../../../store/dataSlice';
import { fmtBytes, fmtMetres } from './format';

function Skipped({ summary }: { summary: DataSummary }) {
  const failed = summary.files.filter((f) => !f.ok);
  const total = failed.length + summary.unused.length;
  if (total === 0) return null;
  return (
    <details className="dm-skipped" data-testid="skipped-files">
      <summary>
        {total} file{total === 1 ? '' : 's'} not used for training ({failed.length} refused, {summary.unused.length} left out)
      </summary>
      <ul>
        {failed.map((f) => (
          <li key={f.path}>
            <span className="dm-badge-inline dm-bad">{f.ok ? '' : f.reason}</span> {f.ok ? '' : f.error}
          </li>
        ))}
        {summary.unused.map((u) => (
          <li key={u.path}>
            <span className="dm-badge-inline dm-warn">left out</span> {u.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function DatasetSummaryPanel() {
  const summary = useStudioStore((s) => s.data.summary);
  if (!summary || summary.counts.files === 0) return null;
  const ds = summary.dataset;
  const c = summary.counts;
  return (
    <section className="dm-data-summary" aria-labelledby="data-summary-title" data-testid="dataset-summary">
      <h3 id="data-summary-title">Dataset</h3>
      <div className="cards">
        <div className="card">
          <div className="card-label">Files</div>
          <div className="card-value num">{c.files}</div>
          <div className="muted small">
            {fmtBytes(c.bytes)} · {c.ok} understood{c.failed ? `, ${c.failed} refused` : ''}
            {c.demo ? ` · ${c.demo} from the demo` : ''}
          </div>
          {summary.decoderWorkers !== null && (
            <div className="muted small" data-testid="decoder-workers">
              {summary.decoderWorkers > 0
                ? `decoded on ${summary.decoderWorkers} worker thread${summary.decoderWorkers === 1 ? '' : 's'}`
                : 'decoded on the studio worker\'s own thread (this browser cannot start decoder workers)'}
            </div>
          )}
        </div>
        <div className="card">
          <div className="card-label">Locations</div>
          <div className="card-value num">{summary.locations.length}</div>
          <div className="muted small">
            {ds?.ready ? `${ds.locations.length} used for training · ${ds.validationTiles} validation tiles` : 'none usable for training yet'}
          </div>
        </div>
        <div className="card">
          <div className="card-label">Sample</div>
          <div className="card-value">{ds?.ready ? fmtMetres(ds.sampleMeters) : '–'}</div>
          <div className="muted small">ground size of one training sample</div>
        </div>
      </div>
      {ds && !ds.ready && (
        <p className="error" role="alert" data-testid="dataset-problem">
          Not ready for training: {ds.problem}
        </p>
      )}
      {ds?.ready && (
        <table className="dm-grid-table" data-testid="dataset-modalities">
          <caption className="dm-sr-only">Modalities used for training</caption>
          <thead>
            <tr>
              <th scope="col">Modality</th>
              <th scope="col">Bands</th>
              <th scope="col">Dates per sample</th>
              <th scope="col">Sample size</th>
              <th scope="col">GSD</th>
              <th scope="col">Values</th>
            </tr>
          </thead>
          <tbody>
            {ds.modalities.map((m) => (
              <tr key={m.name}>
                <th scope="row">
                  <code>{m.name}</code>
                </th>
                <td title={m.bands.join(', ')}>
                  {m.bands.length} <span className="muted small">({m.bands.length > 6 ? `${m.bands.slice(0, 5).join(', ')}, …` : m.bands.join(', ')})</span>
                </td>
                <td className="num">{m.T}</td>
                <td className="num">
                  {m.size} × {m.size} px
                </td>
                <td className="num">{fmtMetres(m.gsd)}</td>
                <td className="small" title={m.scalingDescription}>
                  {m.unit}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {ds && ds.warnings.length > 0 && (
        <details className="dm-notes">
          <summary>
            {ds.warnings.length} note{ds.warnings.length === 1 ? '' : 's'} from building the dataset
          </summary>
          <ul>
            {ds.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </details>
      )}
      <Skipped summary={summary} />
    </section>
  );
}
