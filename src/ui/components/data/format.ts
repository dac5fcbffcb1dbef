/** Number formatting for the Data and Model sections: bytes, durations, counts, metres, percentages. */

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "12 s", "4:09", "1:05:03"; "–" when unknown. */
export function fmtDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

/** 1.23 M, 456 k, 789. */
export function fmtCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)} k`;
  return n.toLocaleString('en');
}

export function fmtFlops(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(2)} TFLOP`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GFLOP`;
  return `${(n / 1e6).toFixed(1)} MFLOP`;
}

export function fmtMetres(m: number | null): string {
  if (m === null || !Number.isFinite(m)) return '–';
  if (m >= 1000) return `${(m / 1000).toFixed(m >= 10000 ? 0 : 2)} km`;
  return m >= 10 ? `${m.toFixed(0)} m` : `${m.toPrecision(3)} m`;
}

export function fmtPercent(f: number | null): string {
  if (f === null || !Number.isFinite(f)) return '–';
  return `${Math.round(f * 100)} %`;
}

/** A compact number for stretch ranges (reflectance 0.0123, dB −12.3, DN 1534). */
export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e5)) return v.toExponential(1);
  return a < 1 ? v.toFixed(3) : a < 100 ? v.toFixed(2) : v.toFixed(0);
}
