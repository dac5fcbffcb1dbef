import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressMeter } from './progress';

describe('ProgressMeter', () => {
  it('estimates rate and ETA from ticks', () => {
    let t = 0;
    const p = new ProgressMeter(100, 4, () => t);
    expect(p.snapshot().etaSeconds).toBeNull();
    for (let i = 1; i <= 10; i++) {
      t += 500; // 2 items per second
      p.tick(i);
    }
    const s = p.snapshot();
    expect(s.rate).toBeCloseTo(2, 6);
    expect(s.etaSeconds).toBeCloseTo(45, 4);
    expect(s.elapsedSeconds).toBeCloseTo(5, 6);
  });
  it('formats durations', () => {
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(249)).toBe('4:09');
    expect(formatDuration(3903)).toBe('1:05:03');
    expect(formatDuration(null)).toBe('–');
  });
});
