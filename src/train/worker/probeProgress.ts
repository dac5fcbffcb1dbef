/**
 * Progress and ETA of the Evaluate jobs. A job is a list of phases of known length, each counted in its own units
 * (tiles read, pre-training steps, evaluation samples embedded, probe training steps), whose costs differ by orders
 * of magnitude (a pre-training step can take a second, a probe step a few milliseconds). So the ETA keeps one rate per kind of
 * unit — an exponential moving average of seconds per unit — and sums the remaining units of each kind at its own
 * rate; a kind not measured yet is priced at the mean cost of the units measured so far (a guess that is replaced
 * as soon as one of its units finishes). The first tick of a kind usually pays for compiling its GPU pipelines
 * (tens of seconds on a software adapter), so the second tick replaces that first rate instead of averaging with it. The bar's fraction is time-based too: elapsed / (elapsed + ETA), so it
 * does not race through hundreds of cheap probe steps after crawling through a few expensive pre-training steps.
 * Invariants: pure (the clock is injected); the ETA is null until one unit has been timed; the fraction stays in
 * [0, 1] and is 1 only when every unit is done.
 */

export type UnitKind = 'read' | 'pretrain' | 'embed' | 'probe';

export interface PhasePlan {
  kind: UnitKind;
  units: number;
}

/** Weight of an EMA update per unit (half-life of about 4 units). */
const ALPHA = 0.16;

export class PhasedEta {
  private readonly remaining = new Map<UnitKind, number>();
  private readonly secondsPer = new Map<UnitKind, number>();
  private readonly ticks = new Map<UnitKind, number>();
  private readonly totalUnits: number;
  private doneUnits = 0;
  private last: number;
  private readonly start: number;

  constructor(
    plan: readonly PhasePlan[],
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const p of plan) this.remaining.set(p.kind, (this.remaining.get(p.kind) ?? 0) + p.units);
    this.totalUnits = plan.reduce((a, p) => a + p.units, 0);
    this.last = now();
    this.start = this.last;
  }

  /** Restarts the clock without counting (e.g. after a phase whose time should not be attributed to a unit). */
  mark(): void {
    this.last = this.now();
  }

  /** `n` units of `kind` finished since the last tick or mark. */
  tick(kind: UnitKind, n = 1): void {
    if (n <= 0) return;
    const t = this.now();
    const per = (t - this.last) / 1000 / n;
    this.last = t;
    const prev = this.secondsPer.get(kind);
    const count = (this.ticks.get(kind) ?? 0) + 1;
    this.ticks.set(kind, count);
    this.secondsPer.set(kind, prev === undefined || count === 2 ? per : prev + ALPHA * (per - prev));
    this.remaining.set(kind, Math.max(0, (this.remaining.get(kind) ?? 0) - n));
    this.doneUnits = Math.min(this.totalUnits, this.doneUnits + n);
  }

  get done(): number {
    return this.doneUnits;
  }

  get total(): number {
    return this.totalUnits;
  }

  /** Share of the job done, by time once units were timed (see the header), else by units. */
  fraction(): number {
    if (this.totalUnits === 0 || this.doneUnits >= this.totalUnits) return 1;
    const eta = this.etaSeconds();
    if (eta === null) return this.doneUnits / this.totalUnits;
    const elapsed = (this.now() - this.start) / 1000;
    return elapsed + eta > 0 ? Math.min(0.999, elapsed / (elapsed + eta)) : 0;
  }

  /** Seconds left, or null before any unit was timed. */
  etaSeconds(): number | null {
    if (this.secondsPer.size === 0) return null;
    const known = [...this.secondsPer.values()];
    const fallback = known.reduce((a, b) => a + b, 0) / known.length;
    let s = 0;
    for (const [kind, left] of this.remaining) s += left * (this.secondsPer.get(kind) ?? fallback);
    return s;
  }
}
