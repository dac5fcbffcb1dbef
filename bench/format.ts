/**
 * Text formatting of benchmark figures: durations, rates, ratios and Markdown pipe tables. The tables are valid
 * Markdown so a run's output can be pasted into docs/readme-bench.md unchanged. Pure functions.
 */

/** Three significant digits without exponent notation (1234 → "1234", 0.01234 → "0.0123"). */
export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toString();
  const digits = Math.max(0, 2 - Math.floor(Math.log10(a)));
  return x.toFixed(Math.min(digits, 12));
}

/** A duration given in ms: "85.3 µs", "12.3 ms", "4.56 s". */
export function fmtMs(ms: number): string {
  if (ms < 1) return `${fmtNum(ms * 1000)} µs`;
  if (ms < 1000) return `${fmtNum(ms)} ms`;
  return `${fmtNum(ms / 1000)} s`;
}

/** A speed ratio: "1.35×". */
export function fmtRatio(r: number): string {
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** A fraction as a percentage: 0.123 → "12.3 %". */
export function fmtPct(f: number): string {
  return `${fmtNum(f * 100)} %`;
}

export type Align = 'l' | 'r';

/** A Markdown pipe table with padded columns; numbers are usually right-aligned (`align` per column, default 'l'). */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const width = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (align[i] === 'r' ? s.padStart(width[i]) : s.padEnd(width[i]));
  const line = (cells: readonly string[]) => `| ${headers.map((_, i) => pad(cells[i] ?? '', i)).join(' | ')} |`;
  const rule = `|${width.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
