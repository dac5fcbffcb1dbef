// The worker's training loop against a scripted fake trainer: it runs to the last step, parks and stops only at step
// boundaries (after the step's hook), holds for inspection without a visible pause, batches metrics, reports a
// failure with the rows before it, starts parked for a loaded checkpoint, and ignores a step that settles after the
// loop was abandoned (device lost).
import { describe, expect, it } from 'vitest';
import type { StepMetrics } from '../trainer';
import { TrainLoop, type LoopHooks, type LoopTrainer } from './trainLoop';

/** A trainer whose steps finish when the test says so (`finish()`), or at once when `auto`. */
class FakeTrainer implements LoopTrainer {
  step = 0;
  started = 0;
  auto = true;
  failAt: number | null = null;
  private gates: (() => void)[] = [];

  async trainStep(): Promise<StepMetrics> {
    this.started++;
    if (!this.auto) await new Promise<void>((r) => this.gates.push(r));
    const s = this.step + 1;
    if (s === this.failAt) throw new Error(`boom at ${s}`);
    this.step = s;
    return { step: s, loss: 10 / s, modalityLoss: [10 / s, 20 / s], gradNorm: 1, lr: 1e-3, tokens: 100, ms: 50 };
  }

  /** Lets the step in flight finish. */
  finish(): void {
    const g = this.gates.shift();
    if (!g) throw new Error('no step in flight');
    g();
  }

  get inFlight(): number {
    return this.gates.length;
  }
}

function recorder() {
  const log: string[] = [];
  const rows: StepMetrics[][] = [];
  const hooks: LoopHooks = {
    afterStep: async (m) => {
      log.push(`after ${m.step}`);
    },
    onSteps: (r) => {
      rows.push(r);
      log.push(`rows ${r.map((x) => x.step).join(',')}`);
    },
    onParked: (reason) => log.push(`parked ${reason}`),
    onResumed: () => log.push('resumed'),
  };
  return { log, rows, hooks };
}

/** Lets pending promise callbacks and the loop's between-step macrotask run. */
const settle = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

describe('TrainLoop', () => {
  it('runs to the last step, flushing metrics by time and at the end', async () => {
    const t = new FakeTrainer();
    const r = recorder();
    const end = await new TrainLoop(t, r.hooks, { totalSteps: 5, flushMs: Infinity }).start();
    expect(end).toEqual({ kind: 'done' });
    expect(t.step).toBe(5);
    // Infinite flush interval: one batch, at the last step.
    expect(r.rows.map((b) => b.map((m) => m.step))).toEqual([[1, 2, 3, 4, 5]]);

    const t2 = new FakeTrainer();
    const r2 = recorder();
    await new TrainLoop(t2, r2.hooks, { totalSteps: 3, flushMs: 0 }).start();
    expect(r2.rows.map((b) => b.map((m) => m.step))).toEqual([[1], [2], [3]]);
    expect(r2.log.filter((l) => l.startsWith('after'))).toEqual(['after 1', 'after 2', 'after 3']);
  });

  it('pauses only at a step boundary, after the step hook, and resumes', async () => {
    const t = new FakeTrainer();
    t.auto = false;
    const r = recorder();
    const loop = new TrainLoop(t, r.hooks, { totalSteps: 4, flushMs: 0 });
    const finished = loop.start();
    await settle();
    expect(t.inFlight).toBe(1);
    let paused = false;
    const p = loop.pause().then(() => (paused = true));
    await settle();
    expect(paused).toBe(false); // step 1 still in flight
    t.finish();
    await p;
    expect(t.step).toBe(1);
    expect(loop.phase).toBe('parked');
    expect(r.log).toEqual(['after 1', 'rows 1', 'parked user']);
    await settle();
    expect(t.started).toBe(1); // no new step while paused
    loop.resume();
    await settle();
    expect(r.log).toContain('resumed');
    expect(t.inFlight).toBe(1);
    t.auto = true;
    t.finish();
    expect(await finished).toEqual({ kind: 'done' });
    expect(t.step).toBe(4);
  });

  it('stops after the step in flight, or at once when parked', async () => {
    const t = new FakeTrainer();
    t.auto = false;
    const loop = new TrainLoop(t, recorder().hooks, { totalSteps: 10 });
    loop.start();
    await settle();
    const stopped = loop.stop();
    await settle();
    expect(loop.phase).toBe('running');
    t.finish();
    expect(await stopped).toEqual({ kind: 'stopped' });
    expect(t.step).toBe(1);
    expect(t.started).toBe(1);

    const t2 = new FakeTrainer();
    const loop2 = new TrainLoop(t2, recorder().hooks, { totalSteps: 10, startPaused: true });
    loop2.start();
    await settle();
    expect(loop2.phase).toBe('parked');
    expect(t2.started).toBe(0);
    expect(await loop2.stop()).toEqual({ kind: 'stopped' });
  });

  it('holds for inspection without a visible pause; holds nest and respect a user pause', async () => {
    const t = new FakeTrainer();
    t.auto = false;
    const r = recorder();
    const loop = new TrainLoop(t, r.hooks, { totalSteps: 20 });
    loop.start();
    await settle();
    const h1 = loop.hold();
    t.finish();
    const release1 = await h1;
    expect(loop.phase).toBe('parked');
    expect(r.log).toContain('parked hold');
    const release2 = await loop.hold(); // already parked: immediate
    release1();
    await settle();
    expect(loop.phase).toBe('parked'); // the second hold keeps it parked
    release2();
    release2(); // idempotent
    await settle();
    expect(loop.phase).toBe('running');
    expect(r.log).not.toContain('parked user');
    expect(r.log).not.toContain('resumed');

    // A hold during a user pause: releasing it must not resume training.
    const p = loop.pause();
    t.finish();
    await p;
    const release3 = await loop.hold();
    release3();
    await settle();
    expect(loop.phase).toBe('parked');
    const before = t.started;
    await settle();
    expect(t.started).toBe(before);
    await loop.stop();
  });

  it('ends with the failure and the rows before it', async () => {
    const t = new FakeTrainer();
    t.failAt = 3;
    const r = recorder();
    const end = await new TrainLoop(t, r.hooks, { totalSteps: 5, flushMs: Infinity }).start();
    expect(end.kind).toBe('failed');
    expect(String((end as { error: unknown }).error)).toContain('boom at 3');
    expect(r.rows.flat().map((m) => m.step)).toEqual([1, 2]);
    expect(t.step).toBe(2);
  });

  it('a throwing step hook ends the run', async () => {
    const t = new FakeTrainer();
    const hooks: LoopHooks = { afterStep: async (m) => { if (m.step === 2) throw new Error('disk full'); }, onSteps: () => undefined };
    const end = await new TrainLoop(t, hooks, { totalSteps: 5 }).start();
    expect(end.kind).toBe('failed');
    expect(t.step).toBe(2);
  });

  it('ignores a step that settles after the loop was abandoned', async () => {
    const t = new FakeTrainer();
    t.auto = false;
    const r = recorder();
    const loop = new TrainLoop(t, r.hooks, { totalSteps: 5, flushMs: 0 });
    loop.start();
    await settle();
    loop.abandon();
    expect(loop.isAbandoned).toBe(true);
    await loop.pause(); // never waits on an abandoned loop
    t.finish();
    await settle();
    expect(r.log).toEqual([]);
    expect(t.started).toBe(1);
  });

  it('reports progress: rates, ETA, and a restart of the rates after a pause', async () => {
    let clock = 0;
    const t = new FakeTrainer();
    const progress: { step: number; eta: number | null; sps: number | null; tps: number | null }[] = [];
    const hooks: LoopHooks = {
      afterStep: async () => {
        clock += 500; // every step takes 0.5 s of wall time
      },
      onSteps: (_rows, p) => progress.push({ step: p.step, eta: p.etaSeconds, sps: p.stepsPerSecond, tps: p.tokensPerSecond }),
    };
    await new TrainLoop(t, hooks, { totalSteps: 6, flushMs: 0, now: () => clock }).start();
    const last = progress[progress.length - 1];
    expect(last.step).toBe(6);
    expect(last.eta).toBe(0);
    const mid = progress[2];
    expect(mid.sps).toBeCloseTo(2, 5);
    expect(mid.eta).toBeCloseTo(1.5, 5); // 3 steps left at 2 steps/s
    expect(mid.tps).toBeCloseTo(2000, 5); // 100 tokens in 50 ms
  });

  it('counts running time only in the elapsed time', async () => {
    let clock = 0;
    const t = new FakeTrainer();
    const elapsed: number[] = [];
    const hooks: LoopHooks = {
      afterStep: async () => {
        clock += 1000;
      },
      onSteps: (_rows, p) => elapsed.push(p.elapsedSeconds),
    };
    const loop = new TrainLoop(t, hooks, { totalSteps: 4, flushMs: 0, now: () => clock });
    const done = loop.start();
    await loop.pause(); // parks after step 1 (1 s of running)
    clock += 60_000; // a long pause
    loop.resume();
    await done;
    expect(elapsed).toEqual([1, 2, 3, 4]);
  });
});
