// Unit tests of figure formatting and the Markdown tables (bench/format.ts).
import { describe, expect, it } from 'vitest';
import { fmtMs, fmtNum, fmtPct, fmtRatio, renderTable } from './format';

describe('format', () => {
  it('three significant digits, never exponent notation', () => {
    expect(fmtNum(1234.5)).toBe('1235');
    expect(fmtNum(123.45)).toBe('123');
    expect(fmtNum(1.2345)).toBe('1.23');
    expect(fmtNum(0.012345)).toBe('0.0123');
    expect(fmtNum(0)).toBe('0');
    expect(fmtNum(-2.5)).toBe('-2.50');
    expect(fmtNum(3e-7)).toBe('0.000000300');
  });

  it('durations pick µs, ms or s', () => {
    expect(fmtMs(0.0853)).toBe('85.3 µs');
    expect(fmtMs(12.34)).toBe('12.3 ms');
    expect(fmtMs(4567)).toBe('4.57 s');
  });

  it('ratios and percentages', () => {
    expect(fmtRatio(1.346)).toBe('1.35×');
    expect(fmtRatio(12.34)).toBe('12.3×');
    expect(fmtPct(0.1234)).toBe('12.3 %');
  });

  it('renders an aligned Markdown pipe table', () => {
    const t = renderTable(['case', 'ms'], [['a', '1.5'], ['longer', '10']], ['l', 'r']);
    expect(t.split('\n')).toEqual(['| case   |  ms |', '|--------|----:|', '| a      | 1.5 |', '| longer |  10 |']);
  });
});
