/**
 * A live uPlot line chart fed straight from the store by a transient subscription: the chart redraws at most once per
 * animation frame when its inputs change, and React never re-renders for a new point (zustand "transient updates").
 *
 * Invariants: `build` turns the current state into aligned columns (x first; null = no value, e.g. a validation loss
 * between evaluations); `inputs` names the state references that change when `build` would give something new, so
 * an unrelated store update costs one shallow comparison. The chart follows its container's width (ResizeObserver).
 * The container carries `data-points` (x values drawn) and `data-last` (last value of the first series) for tests and
 * assistive summaries.
 * Reference: uPlot 1.6 (leeoniya/uPlot), docs/architecture.md §6 (transient updates).
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useStudioStore, type StudioState } from '../../../store';
import './charts.css';

export interface SeriesSpec {
  label: string;
  stroke: string;
  dash?: number[];
  /** Draw point markers (sparse series such as validation losses). */
  points?: boolean;
  /** Scale key ('y' by default); a second scale gets its own axis on the right. */
  scale?: string;
  width?: number;
}

export interface LiveChartProps {
  testId: string;
  /** Accessible name of the chart. */
  label: string;
  series: SeriesSpec[];
  build: (s: StudioState) => uPlot.AlignedData;
  inputs: (s: StudioState) => readonly unknown[];
  yLabel: string;
  /** Label of the right axis when a series uses scale 'y2'. */
  y2Label?: string;
  logY?: boolean;
  height?: number;
  /** Shown over the plot while it has no points. */
  emptyText: string;
}

const AXIS = { stroke: '#9db3bd', grid: { stroke: 'rgba(157, 179, 189, 0.14)', width: 1 }, ticks: { stroke: 'rgba(157, 179, 189, 0.3)', width: 1 } };

/** Width of the last chart laid out: a good first guess for the next one (charts share a grid). */
let lastWidth = 480;

const sameInputs = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Legend values: 4 significant digits, exponent form for very small or large values. */
function fmtValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toPrecision(4);
}

/** Axis ticks: short numbers; "1e-4" style on log axes beyond three decades from 1. */
function tickText(v: number | null, log: boolean): string {
  if (v === null || !Number.isFinite(v)) return '';
  if (log) {
    const k = Math.floor(Math.log10(Math.abs(v)) + 1e-9);
    const m = Math.round(v / 10 ** k);
    return Math.abs(k) >= 3 ? `${m}e${k}` : String(Number((m * 10 ** k).toPrecision(1)));
  }
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/**
 * Ticks of a log axis: the powers of ten inside [min, max] (uPlot would also tick 2…9 × 10^k, a dense ladder of grid
 * lines over many decades); within one decade, 1-2-5 steps so the axis is never bare.
 */
function logSplits(_u: uPlot, _axis: number, min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return [min];
  const out: number[] = [];
  for (let k = Math.ceil(Math.log10(min) - 1e-9); k <= Math.floor(Math.log10(max) + 1e-9); k++) out.push(10 ** k);
  if (out.length >= 2) return out;
  const fine: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) for (const m of [1, 2, 5]) if (m * 10 ** k >= min && m * 10 ** k <= max) fine.push(m * 10 ** k);
  return fine.length ? fine : [min, max];
}

/** Steps are integers: x ticks never fall between two steps. */
const STEP_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];

export function LiveChart({ testId, label, series, build, inputs, yLabel, y2Label, logY = false, height = 220, emptyText }: LiveChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [empty, setEmpty] = useState(true);
  // Recreate the chart only when its series or axes change (not for new points).
  const shape = JSON.stringify({ series, logY, yLabel, y2Label, height });
  const fns = useRef({ build, inputs });
  useEffect(() => {
    fns.current = { build, inputs };
  });

  useEffect(() => {
    const el = host.current;
    const box = frame.current;
    if (!el || !box) return;
    const spec = JSON.parse(shape) as { series: SeriesSpec[]; logY: boolean; yLabel: string; y2Label?: string; height: number };
    const hasY2 = spec.series.some((s) => s.scale === 'y2');
    const opts: uPlot.Options = {
      // Not el.clientWidth: reading it here forces a synchronous layout of the page right after React's commit (measured
      // at ~150 ms on a loaded software-GPU machine). The ResizeObserver below reports the real width after layout.
      width: lastWidth,
      height: spec.height,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: spec.logY ? { distr: 3 } : {}, ...(hasY2 ? { y2: { distr: 3 } } : {}) },
      axes: [
        { ...AXIS, label: 'step', labelSize: 18, incrs: STEP_INCRS },
        { ...AXIS, label: spec.yLabel, labelSize: 18, size: 60, ...(spec.logY ? { splits: logSplits } : {}), values: (_u, vals) => vals.map((v) => tickText(v, spec.logY)) },
        ...(hasY2 ? [{ ...AXIS, scale: 'y2', side: 1 as const, label: spec.y2Label ?? '', labelSize: 18, size: 60, grid: { show: false }, splits: logSplits, values: (_u: uPlot, vals: number[]) => vals.map((v) => tickText(v, true)) }] : []),
      ],
      series: [
        { label: 'step', value: (_u, v) => (v === null ? '–' : String(v)) },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: s.width ?? 1.5,
          dash: s.dash,
          scale: s.scale ?? 'y',
          spanGaps: true,
          points: { show: s.points ?? false, size: 6, fill: s.stroke },
          value: (_u: uPlot, v: number | null) => fmtValue(v),
        })),
      ],
    };
    let last: readonly unknown[] = [];
    let raf = 0;
    const draw = () => {
      raf = 0;
      const data = fns.current.build(useStudioStore.getState());
      u.setData(data);
      const xs = data[0] as ArrayLike<number>;
      box.dataset.points = String(xs.length);
      const first = data[1] as ArrayLike<number | null> | undefined;
      box.dataset.last = first && first.length ? String(first[first.length - 1] ?? '') : '';
      setEmpty(xs.length === 0);
    };
    const schedule = () => {
      if (!raf) raf = requestAnimationFrame(draw);
    };
    const u = new uPlot(opts, fns.current.build(useStudioStore.getState()), el);
    last = fns.current.inputs(useStudioStore.getState());
    schedule();
    const unsubscribe = useStudioStore.subscribe((state) => {
      const now = fns.current.inputs(state);
      if (sameInputs(now, last)) return;
      last = now;
      schedule();
    });
    const ro = new ResizeObserver((entries) => {
      const w = Math.max(200, Math.floor(entries[entries.length - 1].contentRect.width));
      lastWidth = w;
      if (w !== u.width) u.setSize({ width: w, height: spec.height });
    });
    ro.observe(el);
    return () => {
      unsubscribe();
      ro.disconnect();
      if (raf) cancelAnimationFrame(raf);
      u.destroy();
    };
  }, [shape]);

  return (
    <figure className="live-chart" data-testid={testId} ref={frame} aria-label={label} data-points="0">
      <div className="live-chart-plot" ref={host} />
      {empty && (
        <div className="live-chart-empty muted small" aria-hidden="true">
          {emptyText}
        </div>
      )}
    </figure>
  );
}
