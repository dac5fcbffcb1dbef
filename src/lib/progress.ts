/**
 * Rate and ETA from a stream of progress ticks, shared by the CLIs' progress bars and the studio's progress bars.
 * The rate is an exponential moving average of per-tick throughput (half-life in ticks), so a slow first step
 * (pipeline compilation) does not dominate the estimate for long.
 */
export interface ProgressSnapshot {
  done: number;
  total: number;
  /** Items per second (EMA), or null before the second tick. */
  rate: number | null;
  /** Seconds remaining, or null when unknown. */
  etaSeconds: number | null;
  elapsedSeconds: number;
}

export class ProgressMeter {
  private readonly t0: number;
  private last: number;
  private lastDone: number;
  private rate: number | null = null;

  constructor(
    readonly total: number,
    private readonly halfLife = 8,
    private readonly now: () => number = () => performance.now(),
    startDone = 0,
  ) {
    this.t0 = now();
    this.last = this.t0;
    this.lastDone = startDone;
  }

  /** Records that `done` items are complete. */
  tick(done: number): ProgressSnapshot {
    const t = this.now();
    const dt = (t - this.last) / 1000;
    const dn = done - this.lastDone;
    if (dt > 0 && dn > 0) {
      const r = dn / dt;
      const alpha = 1 - Math.pow(0.5, dn / this.halfLife);
      this.rate = this.rate === null ? r : this.rate + alpha * (r - this.rate);
    }
    this.last = t;
    this.lastDone = done;
    return this.snapshot(done);
  }

  snapshot(done = this.lastDone): ProgressSnapshot {
    const remaining = Math.max(0, this.total - done);
    return {
      done,
      total: this.total,
      rate: this.rate,
      etaSeconds: this.rate ? remaining / this.rate : remaining === 0 ? 0 : null,
      elapsedSeconds: (this.now() - this.t0) / 1000,
    };
  }
}

/** "1:05:03", "4:09", "12s". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}
