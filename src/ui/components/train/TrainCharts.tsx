/**
 * The Train section's live charts: total training loss with the validation loss, per-modality losses (training
 * solid, validation dashed), and the learning rate with the gradient norm. All read the store's number arrays through
 * LiveChart's transient subscription, so a new step redraws a canvas and re-renders no React component.
 * Invariants: validation points are placed at the training steps they were computed after (null elsewhere), so the
 * two series share one x axis; a run change empties every chart (the store starts new series).
 */
import type uPlot from 'uplot';
import { useStudioStore, type StudioState } from '../../../store';
import { LiveChart, type SeriesSpec } from '../charts/LiveChart';
import { GRAD_COLOR, LR_COLOR, modalityColor, TRAIN_COLOR, VALIDATION_COLOR, VALIDATION_DASH } from '../charts/palette';

/** Values of a sparse series (at `at`) on the x positions `xs`; null where it has none. */
export function alignAt(xs: readonly number[], at: readonly number[], values: readonly number[]): (number | null)[] {
  const byStep = new Map<number, number>();
  at.forEach((s, i) => byStep.set(s, values[i]));
  return xs.map((x) => byStep.get(x) ?? null);
}

const finiteOrNull = (a: readonly number[]) => a.map((v) => (Number.isFinite(v) ? v : null));

const lossInputs = (s: StudioState) => [s.train.metrics, s.train.validation];

function lossData(s: StudioState): uPlot.AlignedData {
  const { metrics: m, validation: v } = s.train;
  return [m.step, finiteOrNull(m.loss), alignAt(m.step, v.step, v.loss)];
}

function modalityData(s: StudioState): uPlot.AlignedData {
  const { metrics: m, validation: v } = s.train;
  const n = s.train.status.modalities.length;
  const cols: (number | null)[][] = [];
  for (let k = 0; k < n; k++) cols.push(finiteOrNull(m.modality[k] ?? []));
  for (let k = 0; k < n; k++) cols.push(alignAt(m.step, v.step, v.modality[k] ?? []));
  return [m.step, ...cols];
}

const optimInputs = (s: StudioState) => [s.train.metrics];

function optimData(s: StudioState): uPlot.AlignedData {
  const m = s.train.metrics;
  // Log axes: a zero (no gradient yet, or a zero learning rate) has no place on them.
  const pos = (a: readonly number[]) => a.map((v) => (v > 0 && Number.isFinite(v) ? v : null));
  return [m.step, pos(m.lr), pos(m.gradNorm)];
}

const LOSS_SERIES: SeriesSpec[] = [
  { label: 'training loss', stroke: TRAIN_COLOR, width: 1.75 },
  { label: 'validation loss', stroke: VALIDATION_COLOR, dash: VALIDATION_DASH, points: true, width: 1.75 },
];

const OPTIM_SERIES: SeriesSpec[] = [
  { label: 'learning rate', stroke: LR_COLOR },
  { label: 'gradient norm', stroke: GRAD_COLOR, scale: 'y2' },
];

export function TrainCharts() {
  const modalities = useStudioStore((s) => s.train.status.modalities);
  const modalitySeries: SeriesSpec[] = [
    ...modalities.map((name, i) => ({ label: name, stroke: modalityColor(i) })),
    ...modalities.map((name, i) => ({ label: `${name} (val.)`, stroke: modalityColor(i), dash: VALIDATION_DASH, points: true })),
  ];
  return (
    <div className="train-charts">
      <div className="card chart-card">
        <h3 className="chart-title">Loss</h3>
        <LiveChart testId="loss-chart" label="Training and validation loss by step" series={LOSS_SERIES} build={lossData} inputs={lossInputs} yLabel="loss" emptyText="The loss appears here after the first step." />
      </div>
      <div className="card chart-card">
        <h3 className="chart-title">Loss per modality</h3>
        <LiveChart
          testId="modality-chart"
          label="Reconstruction loss of each modality by step"
          series={modalitySeries}
          build={modalityData}
          inputs={lossInputs}
          yLabel="loss"
          emptyText="One line per modality once training runs."
        />
      </div>
      <div className="card chart-card">
        <h3 className="chart-title">Learning rate and gradient norm</h3>
        <LiveChart
          testId="optim-chart"
          label="Learning rate and global gradient norm by step"
          series={OPTIM_SERIES}
          build={optimData}
          inputs={optimInputs}
          yLabel="learning rate"
          y2Label="grad norm"
          logY
          height={180}
          emptyText="The schedule and the gradient norm, step by step."
        />
      </div>
    </div>
  );
}
