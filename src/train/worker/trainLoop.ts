/**
 * The studio worker's training loop: steps a trainer until the last step, a stop, or an error, and parks between
 * steps when the user pauses or another feature holds it (Inspect runs a forward pass on the current weights).
 *
 * Invariants:
 * - The loop only ever stops or parks at a step boundary: after `trainStep` and the `afterStep` hook (validation,
 *   autosave) of that step, so weights, optimizer moments and the step counter always agree when anyone looks.
 * - Between steps it yields a macrotask, so pause/stop/inspect requests queued in the worker are handled promptly
 *   even on a GPU fast enough that a step's awaits never reach the event loop.
 * - Metrics leave in batches (at most one batch per `flushMs`, and always before parking or ending), so a fast GPU
 *   does not flood the page with events.
 * - Wall-clock rates restart after every park: a pause must not read as a slow step in the ETA; the elapsed time
 *   counts running time only.
 * The loop posts nothing itself; the hooks decide what the page sees (trainHandlers.ts).
 */
import { ProgressMeter } from '../../lib/progress';
import type { ProgressInfo } from '../protocol/train';
import type { StepMetrics } from '../trainer';

/** The part of Trainer the loop drives (a fake in unit tests). */
export interface LoopTrainer {
  readonly step: number;
  trainStep(): Promise<StepMetrics>;
}

export type LoopEnd = { kind: 'done' } | { kind: 'stopped' } | { kind: 'failed'; error: unknown };

export interface LoopHooks {
  /** After each successful step, before the loop may park or end (validation, autosave). A throw ends the run. */
  afterStep(m: StepMetrics): Promise<void>;
  /** A batch of step metrics and the progress after the last of them. */
  onSteps(rows: StepMetrics[], progress: ProgressInfo): void;
  /** The loop parked: 'user' = pause, 'hold' = held for inspection only. */
  onParked?(reason: 'user' | 'hold'): void;
  /** The loop goes on after a user pause. */
  onResumed?(): void;
}

export interface LoopOptions {
  totalSteps: number;
  /** Begin parked (a loaded checkpoint waits for Resume). */
  startPaused?: boolean;
  flushMs?: number;
  now?: () => number;
  /** Lets queued messages run between steps. */
  yieldToEvents?: () => Promise<void>;
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class TrainLoop {
  private pauseWanted: boolean;
  private stopWanted = false;
  private abandoned = false;
  private holds = 0;
  private wake: (() => void) | null = null;
  private parkWaiters: (() => void)[] = [];
  private state: 'new' | 'running' | 'parked' | 'ended' = 'new';
  private finishedPromise: Promise<LoopEnd> | null = null;
  private readonly totalSteps: number;
  private readonly flushMs: number;
  private readonly now: () => number;
  private readonly yieldToEvents: () => Promise<void>;

  constructor(
    private readonly trainer: LoopTrainer,
    private readonly hooks: LoopHooks,
    opts: LoopOptions,
  ) {
    this.totalSteps = opts.totalSteps;
    this.pauseWanted = opts.startPaused ?? false;
    this.flushMs = opts.flushMs ?? 100;
    this.now = opts.now ?? (() => performance.now());
    this.yieldToEvents = opts.yieldToEvents ?? macrotask;
  }

  /** Starts the loop (once); the promise settles when it ends. */
  start(): Promise<LoopEnd> {
    this.finishedPromise ??= this.run();
    return this.finishedPromise;
  }

  get finished(): Promise<LoopEnd> {
    return this.start();
  }

  /** 'parked' while paused or held; 'ended' after done/stop/failure. */
  get phase(): 'new' | 'running' | 'parked' | 'ended' {
    return this.state;
  }

  get pausedByUser(): boolean {
    return this.pauseWanted;
  }

  /** Parks at the next step boundary; resolves once parked (or ended). */
  pause(): Promise<void> {
    this.pauseWanted = true;
    return this.whenParked();
  }

  resume(): void {
    this.pauseWanted = false;
    if (this.holds === 0) this.release();
  }

  /** Ends at the next step boundary (or at once when parked). */
  stop(): Promise<LoopEnd> {
    this.stopWanted = true;
    this.release();
    return this.start();
  }

  /**
   * Parks the loop at the next step boundary without a visible pause, for work that must see steady weights; resolves
   * with the function that lets it go on. Holds nest; the loop continues when every hold is released and no pause
   * is wanted.
   */
  async hold(): Promise<() => void> {
    this.holds++;
    await this.whenParked();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0 && !this.pauseWanted) this.release();
    };
  }

  /**
   * Forgets the loop (device lost): a parked loop ends at once; a step in flight may never settle, so nothing waits
   * for it, and whatever it returns later is ignored.
   */
  abandon(): void {
    this.abandoned = true;
    this.stopWanted = true;
    this.release();
    this.notifyParked();
  }

  get isAbandoned(): boolean {
    return this.abandoned;
  }

  private whenParked(): Promise<void> {
    if (this.state === 'parked' || this.state === 'ended' || this.abandoned) return Promise.resolve();
    return new Promise((resolve) => this.parkWaiters.push(resolve));
  }

  private notifyParked(): void {
    const w = this.parkWaiters;
    this.parkWaiters = [];
    w.forEach((f) => f());
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async run(): Promise<LoopEnd> {
    this.state = 'running';
    let meter = new ProgressMeter(this.totalSteps, 8, this.now, this.trainer.step);
    /** Running time of the segments before the last park (the meter restarts after each). */
    let elapsedBefore = 0;
    let pending: StepMetrics[] = [];
    let lastFlush = this.now();
    let tokensPerSecond: number | null = null;
    const flush = () => {
      if (pending.length === 0 || this.abandoned) return;
      const snap = meter.snapshot();
      this.hooks.onSteps(pending, {
        step: snap.done,
        totalSteps: this.totalSteps,
        stepsPerSecond: snap.rate,
        tokensPerSecond,
        etaSeconds: snap.etaSeconds,
        elapsedSeconds: elapsedBefore + snap.elapsedSeconds,
      });
      pending = [];
      lastFlush = this.now();
    };
    let end: LoopEnd = { kind: 'done' };
    for (;;) {
      if (this.stopWanted) {
        end = { kind: 'stopped' };
        break;
      }
      if (this.trainer.step >= this.totalSteps) break;
      if (this.pauseWanted || this.holds > 0) {
        flush();
        const reason = this.pauseWanted ? 'user' : 'hold';
        elapsedBefore += meter.snapshot().elapsedSeconds;
        this.state = 'parked';
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.hooks.onParked?.(reason);
          this.notifyParked();
        });
        if (this.abandoned) break;
        this.state = 'running';
        if (this.stopWanted) continue;
        meter = new ProgressMeter(this.totalSteps, 8, this.now, this.trainer.step);
        if (reason === 'user') this.hooks.onResumed?.();
        continue;
      }
      let m: StepMetrics;
      try {
        m = await this.trainer.trainStep();
        if (this.abandoned) break;
        meter.tick(m.step);
        const tps = m.tokens / (m.ms / 1000);
        if (Number.isFinite(tps)) tokensPerSecond = tokensPerSecond === null ? tps : tokensPerSecond + 0.25 * (tps - tokensPerSecond);
        pending.push(m);
        await this.hooks.afterStep(m);
        if (this.abandoned) break;
      } catch (error) {
        end = { kind: 'failed', error };
        break;
      }
      if (this.now() - lastFlush >= this.flushMs || m.step >= this.totalSteps) flush();
      await this.yieldToEvents();
    }
    flush();
    this.state = 'ended';
    this.notifyParked();
    return end;
  }
}
