/**
 * The measurement protocol every figure follows, independent of what is timed (our dispatches, a TF.js op):
 *
 *   1. Budget check BEFORE running: if the series' earlier (smaller) figures predict that a warm-up plus the minimum
 *      number of repetitions would exceed the figure's time budget, the figure is reported as skipped — never
 *      extrapolated, never invented.
 *   2. One warm-up run (first-use costs: lazy uploads, pipeline caches, driver JIT on software adapters).
 *   3. One calibration run; if one operation is shorter than `minRepMs`, each repetition batches `inner` operations
 *      back to back so that timer resolution and submit overhead do not dominate (Chrome rounds GPU timestamps to
 *      100 µs without --enable-webgpu-developer-features; a real GPU finishes a 256³ matmul in microseconds).
 *   4. `reps` repetitions (as many as the remaining budget allows, within [minReps, maxReps]); the figure is the
 *      MEDIAN time per operation. When one operation already lasts ≥ minRepMs the calibration run is sample 1.
 *      Our kernel and its peer are measured together with their repetitions interleaved (measureInterleaved).
 *
 * A runner reports two times per call: `ms`, by its timing method (GPU timestamps or wall clock), which is the
 * figure; and `wallMs`, the host-side elapsed time, which is what the budget is charged.
 */
import { summarize, type Summary } from './stats';

export type TimingMethod = 'timestamp' | 'wall';

export interface RunTimes {
  /** Time of the `inner` operations by the runner's method, ms. */
  ms: number;
  /** Host wall-clock time of the call, ms (charged to the budget). */
  wallMs: number;
}

export interface Runner {
  method: TimingMethod;
  /** Runs the operation `inner` times back to back and waits for the GPU to finish. */
  run(inner: number): Promise<RunTimes>;
}

export interface MeasureConfig {
  /** Time allowed for the whole figure (warm-up included), ms. */
  budgetMs: number;
  minReps: number;
  maxReps: number;
  /** Shortest acceptable repetition, ms; shorter operations are batched. */
  minRepMs: number;
  /** Most operations batched into one repetition. */
  maxInner: number;
  /** Only changes the wording of a skip: software adapters are where budgets bite. */
  isSoftware: boolean;
  /** Predicted time of one operation from earlier figures of the same series (undefined: no prediction). */
  estimateMs?: number;
}

export interface Measured {
  kind: 'measured';
  /** Median time per operation, ms: THE figure. */
  ms: number;
  method: TimingMethod;
  reps: number;
  /** Operations per repetition. */
  inner: number;
  summary: Summary;
  /** Per-operation time of every repetition, ms. */
  samples: number[];
  warmupMs: number;
}

export interface Skipped {
  kind: 'skipped';
  /** Short text for the table cell. */
  reason: string;
  /** The numbers behind the decision, for the JSON record. */
  detail: string;
  estimateMs?: number;
}

export interface Failed {
  kind: 'failed';
  error: string;
}

export type Outcome = Measured | Skipped | Failed;

export function overBudgetReason(isSoftware: boolean): string {
  return isSoftware ? 'skipped (over budget on a software adapter)' : 'skipped (over budget)';
}

function skipped(cfg: MeasureConfig, detail: string, estimateMs?: number): Skipped {
  return { kind: 'skipped', reason: overBudgetReason(cfg.isSoftware), detail, estimateMs };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Whether the predicted cost of warm-up + minReps operations fits the budget. */
export function fitsBudget(estimateMs: number | undefined, cfg: Pick<MeasureConfig, 'budgetMs' | 'minReps'>): boolean {
  return estimateMs === undefined || (1 + cfg.minReps) * estimateMs <= cfg.budgetMs;
}

/** Operations per repetition and the number of repetitions, from one operation's measured times. */
export function planRepetitions(
  opMs: number,
  opWallMs: number,
  remainingMs: number,
  cfg: Pick<MeasureConfig, 'minReps' | 'maxReps' | 'minRepMs' | 'maxInner'>,
): { inner: number; reps: number } {
  const inner = clamp(Math.ceil(cfg.minRepMs / Math.max(opMs, 1e-6)), 1, cfg.maxInner);
  const perRep = Math.max(inner * Math.max(opWallMs, opMs), 1e-6);
  const reps = clamp(Math.floor(remainingMs / perRep), cfg.minReps, cfg.maxReps);
  return { inner, reps };
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** The skip outcome when the prediction says the figure cannot fit its budget; null when it may be run. */
export function budgetSkip(cfg: MeasureConfig): Skipped | null {
  if (fitsBudget(cfg.estimateMs, cfg)) return null;
  const need = (1 + cfg.minReps) * cfg.estimateMs!;
  return skipped(
    cfg,
    `estimated ${fmtS(cfg.estimateMs!)} per operation from the smaller sizes of this series: warm-up + ${cfg.minReps} repetitions ≈ ${fmtS(need)} > budget ${fmtS(cfg.budgetMs)}`,
    cfg.estimateMs,
  );
}

interface Live {
  runner: Runner;
  cfg: MeasureConfig;
  inner: number;
  reps: number;
  samples: number[];
  warmupMs: number;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Measures several runners of the same case (ours and the peer) with their repetitions INTERLEAVED round-robin
 * after each one's warm-up and calibration, so that a change in machine load during the figure (other processes on a
 * shared machine, thermal throttling) affects all of them alike and their ratio stays meaningful. Each runner keeps
 * its own budget, batching and repetition count; one runner's failure or skip does not stop the others.
 */
export async function measureInterleaved(items: readonly { runner: Runner; cfg: MeasureConfig }[]): Promise<Outcome[]> {
  const results: (Outcome | undefined)[] = items.map(({ cfg }) => budgetSkip(cfg) ?? undefined);
  const live = new Map<number, Live>();
  for (let i = 0; i < items.length; i++) {
    if (results[i]) continue;
    const { runner, cfg } = items[i];
    try {
      const warm = await runner.run(1);
      const calib = await runner.run(1);
      const used = warm.wallMs + calib.wallMs;
      // The warm-up is over; if one operation alone makes the minimum repetitions blow the budget by half, stop here.
      if (used + (cfg.minReps - 1) * calib.wallMs > 1.5 * cfg.budgetMs) {
        results[i] = skipped(
          cfg,
          `one operation took ${fmtS(calib.wallMs)} after warm-up (${fmtS(warm.wallMs)}): ${cfg.minReps} repetitions exceed budget ${fmtS(cfg.budgetMs)}`,
          calib.ms,
        );
        continue;
      }
      const { inner, reps } = planRepetitions(calib.ms, calib.wallMs, cfg.budgetMs - used, cfg);
      live.set(i, { runner, cfg, inner, reps, samples: inner === 1 ? [calib.ms] : [], warmupMs: warm.ms });
    } catch (e) {
      results[i] = { kind: 'failed', error: errorText(e) };
    }
  }
  for (let more = true; more; ) {
    more = false;
    for (const [i, m] of live) {
      if (m.samples.length >= m.reps) continue;
      try {
        const t = await m.runner.run(m.inner);
        m.samples.push(t.ms / m.inner);
        more ||= m.samples.length < m.reps;
      } catch (e) {
        results[i] = { kind: 'failed', error: errorText(e) };
        live.delete(i);
      }
    }
  }
  for (const [i, m] of live) {
    const summary = summarize(m.samples);
    results[i] = { kind: 'measured', ms: summary.median, method: m.runner.method, reps: m.samples.length, inner: m.inner, summary, samples: m.samples, warmupMs: m.warmupMs };
  }
  return results as Outcome[];
}

/** One runner alone (see measureInterleaved). */
export async function measure(runner: Runner, cfg: MeasureConfig): Promise<Outcome> {
  return (await measureInterleaved([{ runner, cfg }]))[0];
}

/**
 * Remembers, per series (e.g. "ours:matmul"), the time per unit of work of the last measured figure, so the next
 * (larger) figure's cost can be predicted before it is run. Figures of a series run smallest first.
 */
export class RateTracker {
  private readonly msPerUnit = new Map<string, number>();

  /** Learns from a measured figure, and from a skip whose time per operation was observed or predicted. */
  record(series: string, work: number, outcome: Outcome): void {
    if (work <= 0) return;
    if (outcome.kind === 'measured') this.msPerUnit.set(series, outcome.ms / work);
    else if (outcome.kind === 'skipped' && outcome.estimateMs !== undefined) this.msPerUnit.set(series, outcome.estimateMs / work);
  }

  estimate(series: string, work: number): number | undefined {
    const r = this.msPerUnit.get(series);
    return r === undefined ? undefined : r * work;
  }
}

/** One call of a joint measurement: the time of each of its figures, ms, and the call's host wall time. */
export interface JointTimes {
  ms: number[];
  wallMs: number;
}

/**
 * Several figures produced by ONE call, e.g. src/data/bench.ts benchPreparation, which times the whole preparation
 * and plain readRasters back to back on the same files. The call is what is budgeted, warmed up and repeated
 * (never batched: such calls last far longer than a timer tick); each figure gets the median of its own samples.
 * Same rules as measureInterleaved: skip before running when the prediction (cfg.estimateMs, the time of one CALL)
 * says warm-up + minReps exceed the budget, or after the warm-up when one call makes minReps blow 1.5× the budget.
 */
export async function measureJoint(run: () => Promise<JointTimes>, count: number, method: TimingMethod, cfg: MeasureConfig): Promise<Outcome[]> {
  const all = (o: Outcome): Outcome[] => Array.from({ length: count }, () => o);
  const skip = budgetSkip(cfg);
  if (skip) return all(skip);
  try {
    const warm = await run();
    const calib = await run();
    const used = warm.wallMs + calib.wallMs;
    if (used + (cfg.minReps - 1) * calib.wallMs > 1.5 * cfg.budgetMs) {
      return all(
        skipped(
          cfg,
          `one call took ${fmtS(calib.wallMs)} after warm-up (${fmtS(warm.wallMs)}): ${cfg.minReps} repetitions exceed budget ${fmtS(cfg.budgetMs)}`,
          calib.wallMs,
        ),
      );
    }
    const reps = clamp(Math.floor((cfg.budgetMs - used) / Math.max(calib.wallMs, 1e-6)) + 1, cfg.minReps, cfg.maxReps);
    const samples = Array.from({ length: count }, (_, i) => [calib.ms[i]]);
    while (samples[0].length < reps) {
      const t = await run();
      t.ms.forEach((ms, i) => samples[i].push(ms));
    }
    return samples.map((s, i): Outcome => {
      const summary = summarize(s);
      return { kind: 'measured', ms: summary.median, method, reps: s.length, inner: 1, summary, samples: s, warmupMs: warm.ms[i] };
    });
  } catch (e) {
    return all({ kind: 'failed', error: errorText(e) });
  }
}
