/** Number formatting for the Evaluate panels (plain functions, no React). */

/** 0.531 → "53.1 %"; "–" for null or non-finite values. */
export function pct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${(100 * v).toFixed(digits)} %`;
}

/** "53.1 ± 2.0 %". */
export function pctSpread(mean: number, std: number): string {
  if (!Number.isFinite(mean)) return '–';
  return `${(100 * mean).toFixed(1)} ± ${(100 * (Number.isFinite(std) ? std : 0)).toFixed(1)} %`;
}

/** 12345 → "12,345". */
export const count = (n: number): string => n.toLocaleString('en-US');

/** Milliseconds as "850 ms", "4.2 s", "1 min 5 s". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
