// The ETA of the Evaluate jobs: one rate per kind of unit, unmeasured kinds priced at the mean, a time-based
// fraction that ends at exactly 1, on an injected clock.
import { describe, expect, it } from 'vitest';
import { PhasedEta } from './probeProgress';

describe('PhasedEta', () => {
  it('prices each kind of unit at its own rate', () => {
    let t = 0;
    const eta = new PhasedEta(
      [
        { kind: 'pretrain', units: 4 },
        { kind: 'probe', units: 100 },
      ],
      () => t,
    );
    expect(eta.etaSeconds()).toBeNull();
    expect(eta.fraction()).toBe(0);
    t += 2000;
    eta.tick('pretrain'); // 2 s per pre-training step
    // 3 steps left at 2 s; the probe is not measured yet: priced at the mean of what was measured (2 s).
    expect(eta.etaSeconds()).toBeCloseTo(3 * 2 + 100 * 2, 9);
    for (let i = 0; i < 3; i++) {
      t += 2000;
      eta.tick('pretrain');
    }
    eta.mark();
    t += 50;
    eta.tick('probe', 5); // 10 ms per probe step
    expect(eta.etaSeconds()).toBeCloseTo(95 * 0.01, 9);
    expect(eta.fraction()).toBeCloseTo(8.05 / (8.05 + 0.95), 9);
    expect(eta.fraction()).toBeLessThan(1);
    eta.tick('probe', 95);
    expect(eta.done).toBe(eta.total);
    expect(eta.etaSeconds()).toBe(0);
    expect(eta.fraction()).toBe(1);
  });

  it('follows a rate that changes (first steps pay for compilation)', () => {
    let t = 0;
    const eta = new PhasedEta([{ kind: 'pretrain', units: 50 }], () => t);
    t += 30_000;
    eta.tick('pretrain');
    for (let i = 0; i < 20; i++) {
      t += 1000;
      eta.tick('pretrain');
    }
    // The slow first step (compilation) is forgotten at the second: 29 steps left at 1 s each.
    expect(eta.etaSeconds()!).toBeCloseTo(29, 9);
  });
});
