// Unit tests of the measurement protocol (bench/measure.ts) with scripted runners: no GPU, no real clock.
import { describe, expect, it } from 'vitest';
import { budgetSkip, measure, measureInterleaved, measureJoint, planRepetitions, RateTracker, type JointTimes, type MeasureConfig, type Runner } from './measure';

const cfg = (over: Partial<MeasureConfig> = {}): MeasureConfig => ({
  budgetMs: 10_000,
  minReps: 3,
  maxReps: 15,
  minRepMs: 25,
  maxInner: 1000,
  isSoftware: true,
  ...over,
});

/** A runner whose operation takes `opMs` (or the scripted per-call times), recording every `inner` it was asked for. */
function scripted(opMs: number | number[]): Runner & { calls: number[] } {
  const calls: number[] = [];
  return {
    method: 'timestamp',
    calls,
    async run(inner: number) {
      const t = Array.isArray(opMs) ? opMs[Math.min(calls.length, opMs.length - 1)] : opMs;
      calls.push(inner);
      return { ms: t * inner, wallMs: t * inner + 1 };
    },
  };
}

describe('measure', () => {
  it('skips before running when the series predicts warm-up + minReps over budget', async () => {
    const r = scripted(1);
    const o = await measure(r, cfg({ budgetMs: 6000, estimateMs: 2000 }));
    expect(o.kind).toBe('skipped');
    if (o.kind === 'skipped') {
      expect(o.reason).toBe('skipped (over budget on a software adapter)');
      expect(o.detail).toMatch(/8\.00 s > budget 6\.00 s/);
    }
    expect(r.calls).toEqual([]);
    expect(budgetSkip(cfg({ budgetMs: 6000, estimateMs: 1500, isSoftware: false }))?.reason).toBe(undefined);
    expect(budgetSkip(cfg({ budgetMs: 6000, estimateMs: 1501, isSoftware: false }))?.reason).toBe('skipped (over budget)');
  });

  it('batches short operations so each repetition lasts at least minRepMs, and reports the median per operation', async () => {
    const r = scripted(0.5);
    const o = await measure(r, cfg({ maxReps: 7 }));
    expect(o.kind).toBe('measured');
    if (o.kind !== 'measured') return;
    expect(r.calls.slice(0, 2)).toEqual([1, 1]); // warm-up, calibration
    expect(o.inner).toBe(50); // ceil(25 / 0.5)
    expect(r.calls.slice(2)).toEqual(Array(7).fill(50));
    expect(o.reps).toBe(7);
    expect(o.ms).toBeCloseTo(0.5, 12);
    expect(o.method).toBe('timestamp');
  });

  it('uses the calibration run as the first sample when one operation is long enough', async () => {
    const r = scripted([100, 40, 50, 60]);
    const o = await measure(r, cfg({ budgetMs: 1000, maxReps: 3 }));
    expect(o.kind).toBe('measured');
    if (o.kind !== 'measured') return;
    expect(r.calls).toEqual([1, 1, 1, 1]);
    expect(o.samples).toEqual([40, 50, 60]);
    expect(o.ms).toBe(50);
    expect(o.warmupMs).toBe(100);
  });

  it('never runs fewer than minReps repetitions, even when the budget is nearly spent', async () => {
    const r = scripted(30);
    const o = await measure(r, cfg({ budgetMs: 100 }));
    expect(o.kind === 'measured' && o.reps).toBe(3);
  });

  it('gives up after warm-up when one operation makes the minimum repetitions blow the budget by half', async () => {
    const r = scripted(3000);
    const o = await measure(r, cfg({ budgetMs: 6000 }));
    expect(o.kind).toBe('skipped');
    if (o.kind === 'skipped') {
      expect(o.detail).toMatch(/one operation took 3\.00 s/);
      expect(o.estimateMs).toBe(3000);
    }
    expect(r.calls).toEqual([1, 1]);
  });

  it('reports a failure instead of a number when the runner throws', async () => {
    const o = await measure({ method: 'wall', run: () => Promise.reject(new Error('device lost')) }, cfg());
    expect(o).toEqual({ kind: 'failed', error: 'device lost' });
  });

  it('plans repetitions within [minReps, maxReps] from the remaining budget', () => {
    const c = { minReps: 3, maxReps: 15, minRepMs: 25, maxInner: 1000 };
    expect(planRepetitions(100, 100, 1000, c)).toEqual({ inner: 1, reps: 10 });
    expect(planRepetitions(100, 100, 100_000, c)).toEqual({ inner: 1, reps: 15 });
    expect(planRepetitions(100, 100, 10, c)).toEqual({ inner: 1, reps: 3 });
    expect(planRepetitions(0.001, 0.001, 1000, c)).toEqual({ inner: 1000, reps: 15 });
  });
});

describe('measureInterleaved', () => {
  it('warms up and calibrates each runner, then alternates their repetitions round-robin', async () => {
    const log: string[] = [];
    const tagged = (tag: string, opMs: number): Runner => ({
      method: 'wall',
      async run(inner) {
        log.push(`${tag}${inner}`);
        return { ms: opMs * inner, wallMs: opMs * inner };
      },
    });
    const [a, b] = await measureInterleaved([
      { runner: tagged('a', 100), cfg: cfg({ maxReps: 3 }) },
      { runner: tagged('b', 200), cfg: cfg({ maxReps: 4 }) },
    ]);
    expect(log).toEqual(['a1', 'a1', 'b1', 'b1', 'a1', 'b1', 'a1', 'b1', 'b1']);
    expect(a.kind === 'measured' && a.reps).toBe(3);
    expect(b.kind === 'measured' && b.reps).toBe(4);
    expect(b.kind === 'measured' && b.ms).toBe(200);
  });

  it('a skipped or failing runner does not stop the other', async () => {
    let calls = 0;
    const flaky: Runner = {
      method: 'wall',
      async run() {
        if (++calls > 2) throw new Error('lost');
        return { ms: 10, wallMs: 10 };
      },
    };
    const [sk, ok, bad] = await measureInterleaved([
      { runner: scripted(1), cfg: cfg({ budgetMs: 10, estimateMs: 100 }) },
      { runner: scripted(50), cfg: cfg({ maxReps: 3 }) },
      { runner: flaky, cfg: cfg({ maxReps: 3 }) },
    ]);
    expect(sk.kind).toBe('skipped');
    expect(ok.kind === 'measured' && ok.reps).toBe(3);
    expect(bad).toEqual({ kind: 'failed', error: 'lost' });
  });
});

describe('RateTracker', () => {
  it('predicts a larger figure from the last measured one of its series, and only its series', async () => {
    const t = new RateTracker();
    expect(t.estimate('ours:matmul', 1e9)).toBeUndefined();
    const o = await measure(scripted(10), cfg());
    t.record('ours:matmul', 1e8, o);
    expect(t.estimate('ours:matmul', 1e9)).toBeCloseTo(100, 9);
    expect(t.estimate('peer:matmul', 1e9)).toBeUndefined();
    t.record('ours:matmul', 1e9, { kind: 'skipped', reason: 'x', detail: 'y', estimateMs: 2000 });
    expect(t.estimate('ours:matmul', 2e9)).toBeCloseTo(4000, 9);
    t.record('ours:matmul', 1e9, { kind: 'failed', error: 'z' });
    expect(t.estimate('ours:matmul', 2e9)).toBeCloseTo(4000, 9);
  });
});

describe('measureJoint', () => {
  /** A call producing two figures of fixed ratio (a = 2·b), its wall time their sum plus 1 ms. */
  const pair = (aMs: number[]) => {
    let i = 0;
    const run = async (): Promise<JointTimes> => {
      const a = aMs[Math.min(i++, aMs.length - 1)];
      return { ms: [a, a / 2], wallMs: a * 1.5 + 1 };
    };
    return { run, calls: () => i };
  };

  it('warms up, calibrates, then repeats the call as the budget allows; one median per figure', async () => {
    const p = pair([1000, 100, 120, 80, 100, 100]);
    const [a, b] = await measureJoint(p.run, 2, 'wall', cfg({ budgetMs: 1500, maxReps: 5 }));
    // warm-up 1501 ms + calibration 151 ms leave nothing: the minimum of 3 samples (calibration + 2 more).
    expect(p.calls()).toBe(4);
    expect(a).toMatchObject({ kind: 'measured', ms: 100, reps: 3, inner: 1, warmupMs: 1000, samples: [100, 120, 80] });
    expect(b).toMatchObject({ kind: 'measured', ms: 50, samples: [50, 60, 40] });
  });

  it('uses the remaining budget up to maxReps', async () => {
    const p = pair([10]);
    const out = await measureJoint(p.run, 2, 'wall', cfg({ budgetMs: 10_000, maxReps: 6 }));
    expect(out.map((o) => o.kind === 'measured' && o.reps)).toEqual([6, 6]);
    expect(p.calls()).toBe(7);
  });

  it('skips every figure before running on a prediction over budget, or after the warm-up', async () => {
    const p = pair([10]);
    const pre = await measureJoint(p.run, 2, 'wall', cfg({ budgetMs: 1000, estimateMs: 400 }));
    expect(pre.map((o) => o.kind)).toEqual(['skipped', 'skipped']);
    expect(p.calls()).toBe(0);
    const slow = pair([1000]);
    const post = await measureJoint(slow.run, 2, 'wall', cfg({ budgetMs: 2000 }));
    expect(post.map((o) => o.kind)).toEqual(['skipped', 'skipped']);
    expect(post[0].kind === 'skipped' && post[0].detail).toMatch(/one call took 1\.50 s/);
    expect(slow.calls()).toBe(2);
  });

  it('a throwing call fails every figure with its message', async () => {
    const out = await measureJoint(async () => Promise.reject(new Error('bad tiff')), 2, 'wall', cfg());
    expect(out).toEqual([
      { kind: 'failed', error: 'bad tiff' },
      { kind: 'failed', error: 'bad tiff' },
    ]);
  });
});
