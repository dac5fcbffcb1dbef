/**
 * Reconstruction loss against masking ratio (uPlot): the mean over tiles and draws as a line with points, the min–max
 * spread as a band, and the slider's current ratio as a marker. The plot is created once and fed with setData, and
 * follows its container's width.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SweepPoint } from '../../../store/inspectSlice';

const HEIGHT = 240;

function toData(points: readonly SweepPoint[]): uPlot.AlignedData {
  const sorted = [...points].sort((a, b) => a.ratio - b.ratio);
  return [sorted.map((p) => p.ratio), sorted.map((p) => p.mean), sorted.map((p) => p.min), sorted.map((p) => p.max)];
}

export function RatioSweepChart({ points, currentRatio }: { points: readonly SweepPoint[]; currentRatio: number }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const ratioRef = useRef(currentRatio);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axis = { stroke: '#9db3bd', grid: { stroke: '#25404d', width: 1 }, ticks: { stroke: '#25404d', width: 1 } };
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      scales: { x: { time: false, range: [0, 1] } },
      axes: [
        { ...axis, label: 'masking ratio', values: (_u, v) => v.map((x) => `${Math.round(x * 100)} %`) },
        { ...axis, label: 'reconstruction loss', size: 64 },
      ],
      series: [
        { label: 'ratio', value: (_u, v) => (v === null ? '—' : `${Math.round(v * 100)} %`) },
        { label: 'mean loss', stroke: '#4fd1c5', width: 2, points: { show: true, size: 7, fill: '#4fd1c5' } },
        { label: 'min', stroke: '#63b3ed', width: 1, dash: [4, 4] },
        { label: 'max', stroke: '#63b3ed', width: 1, dash: [4, 4] },
      ],
      bands: [{ series: [3, 2], fill: 'rgba(99, 179, 237, 0.12)' }],
      hooks: {
        draw: [
          (u) => {
            // The slider's ratio as a vertical marker.
            const x = u.valToPos(ratioRef.current, 'x', true);
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = '#faf089';
            ctx.setLineDash([2, 3]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    const u = new uPlot(opts, toData([]), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(toData(points));
  }, [points]);

  useEffect(() => {
    ratioRef.current = currentRatio;
    plot.current?.redraw(false, false);
  }, [currentRatio]);

  return (
    <div className="ins-chart-wrap">
      <div ref={host} className="ins-chart" data-testid="sweep-chart" data-points={points.length} role="img" aria-label="Reconstruction loss against masking ratio" />
      {points.length === 0 && <p className="ins-chart-empty muted small">Run the sweep to plot the loss of the current weights against the masking ratio.</p>}
    </div>
  );
}
