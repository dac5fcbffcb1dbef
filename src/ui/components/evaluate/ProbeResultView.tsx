/**
 * One probe result: per head, the main numbers (accuracy and mIoU for single-label tasks, weighted F1 for
 * multi-label ones) next to the chance level of the same held-out split, the per-class IoU/F1 table and the
 * confusion-matrix heatmap; above them, what was probed (task, split, weights, timings) in words.
 */
import type { HeadReport, ProbeResult } from '../../../store/probeSlice';
import { classRows } from '../../../store/probeSlice';
import { ConfusionMatrix } from './ConfusionMatrix';
import { count, duration, pct } from './format';

function HeadResult({ h, result }: { h: HeadReport; result: ProbeResult }) {
  const names = result.report.task.classNames;
  const chance = result.report.chance;
  return (
    <div className="card" data-testid={`probe-head-${h.head}`} data-score={h.score} data-accuracy={h.single?.accuracy ?? ''}>
      <h4 style={{ margin: 0 }}>{h.head === 'linear' ? 'Linear probe' : 'Attentive probe'}</h4>
      <dl className="ev-metrics">
        {h.single && (
          <div>
            <dt>Accuracy</dt>
            <dd className="num" data-testid="probe-accuracy">
              {pct(h.single.accuracy)}
            </dd>
          </div>
        )}
        <div>
          <dt>{h.scoreName}</dt>
          <dd className="num" data-testid="probe-score">
            {pct(h.score)}
          </dd>
        </div>
        {h.single && (
          <div>
            <dt>Weighted F1</dt>
            <dd className="num">{pct(h.single.weightedF1)}</dd>
          </div>
        )}
        {h.multi && (
          <div>
            <dt>Exact match</dt>
            <dd className="num">{pct(h.multi.exactMatch)}</dd>
          </div>
        )}
        {chance && (
          <div>
            <dt>Chance mIoU</dt>
            <dd className="num muted">{pct(chance.mIoU)}</dd>
          </div>
        )}
      </dl>
      <p className="small muted">
        Loss {h.firstLoss.toFixed(3)} → {h.lastLoss.toFixed(3)} · trained in {duration(h.trainMs)}
        {chance && ` · always guessing the most common class scores ${pct(chance.majorityAccuracy)} accuracy`}
      </p>
      <div className="ev-results">
        {h.single && (
          <>
            <table className="small" data-testid="probe-class-table">
              <caption className="muted small" style={{ textAlign: 'left' }}>
                Per class (held-out sets)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Class</th>
                  <th scope="col" className="num">
                    IoU
                  </th>
                  <th scope="col" className="num">
                    F1
                  </th>
                  <th scope="col" className="num">
                    Sets
                  </th>
                </tr>
              </thead>
              <tbody>
                {classRows(h.single, names).map((r) => (
                  <tr key={r.name}>
                    <td>{r.name}</td>
                    <td className="num">{r.iou === null ? 'absent' : pct(r.iou)}</td>
                    <td className="num">{pct(r.f1)}</td>
                    <td className="num">{count(r.support)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ConfusionMatrix metrics={h.single} classNames={names} />
          </>
        )}
        {h.multi && (
          <table className="small" data-testid="probe-class-table">
            <caption className="muted small" style={{ textAlign: 'left' }}>
              Per label (held-out tiles; threshold 0.5)
            </caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col" className="num">
                  F1
                </th>
                <th scope="col" className="num">
                  Positives
                </th>
                <th scope="col" className="num">
                  TP / FP / FN
                </th>
              </tr>
            </thead>
            <tbody>
              {names.map((n, k) => (
                <tr key={n}>
                  <td>{n}</td>
                  <td className="num">{pct(h.multi!.f1[k])}</td>
                  <td className="num">{h.multi!.support[k]}</td>
                  <td className="num">{h.multi!.counts[k].slice(0, 3).join(' / ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

export function ProbeResultView({ result }: { result: ProbeResult }) {
  const r = result.report;
  return (
    <div data-testid="probe-result" data-tiles={result.tiles}>
      <ul className="ev-facts small">
        <li>
          {result.weights.note} {count(result.tiles)} of {count(result.tilesTotal)} validation tiles embedded.
        </li>
        <li>
          {r.task.kind === 'segmentation' ? 'Segmentation' : 'Classification'}, {r.task.labelKind === 'multi' ? 'multi-label' : 'single-label'}: {count(r.task.sets)} sets of {r.task.N} token
          {r.task.N === 1 ? '' : 's'} ({r.task.description}).
        </li>
        <li>
          Split by {r.split.kind}: {count(r.split.train)} training sets ({r.split.trainGroups} groups), {count(r.split.test)} held-out sets ({r.split.testGroups} groups).
        </li>
        {result.notes.map((n) => (
          <li key={n} className="ev-blocked">
            {n}
          </li>
        ))}
        <li className="muted">
          Embedding {duration(result.ms.embedMs)}, probes {duration(result.ms.probeMs)}, total {duration(result.ms.totalMs)}.
        </li>
      </ul>
      {r.heads.map((h) => (
        <HeadResult key={h.head} h={h} result={result} />
      ))}
    </div>
  );
}
