/**
 * Valid-pixel counts of windows aligned with an acquisition's own grid in O(1): a summed-area table of the
 * acquisition's validity (every band read, alpha, cloud mask, image bounds), built once from one read of its grid.
 *
 * Why: a training sample bins a long series and, in each bin, picks a date by its valid fraction in the window. With
 * 105 dates and 16 bins, 89 of the 105 validity reads only served to be counted. On a grid aligned with the files' own,
 * GeoImage.read's validity is a per-source-pixel property (resample.ts copyAligned, image.ts mapTarget), so a window's
 * count is the table's count of the same pixels: the choice, and the sample, do not change.
 * Invariants: a table holds (H + 1)·(W + 1) counts, S[y·(W + 1) + x] = valid pixels in [0, x) × [0, y); tables are
 * built only where the caller says the build decodes nothing new, once windows have cost a grid's pixels (`spend`),
 * and within `maxBytes` in total per index (beyond it, callers read windows as before). A failed build is
 * forgotten, so the next call retries (and fails alike).
 */

export class SummedArea {
  /** (H + 1, W + 1) prefix counts. */
  readonly S: Uint32Array;

  /** `valid` (H, W), 1 = valid. */
  constructor(
    valid: Uint8Array,
    readonly W: number,
    readonly H: number,
  ) {
    const S = new Uint32Array((W + 1) * (H + 1));
    const w1 = W + 1;
    for (let y = 0; y < H; y++) {
      let run = 0;
      const src = y * W;
      const up = y * w1;
      const at = up + w1;
      for (let x = 0; x < W; x++) {
        run += valid[src + x];
        S[at + x + 1] = S[up + x + 1] + run;
      }
    }
    this.S = S;
  }

  /** Valid pixels of the window [x0, x0 + w) × [y0, y0 + h) (integers; the part outside the grid counts 0). */
  count(x0: number, y0: number, w: number, h: number): number {
    const xa = Math.max(0, Math.min(this.W, x0));
    const xb = Math.max(0, Math.min(this.W, x0 + w));
    const ya = Math.max(0, Math.min(this.H, y0));
    const yb = Math.max(0, Math.min(this.H, y0 + h));
    if (xb <= xa || yb <= ya) return 0;
    const w1 = this.W + 1;
    const S = this.S;
    return S[yb * w1 + xb] - S[ya * w1 + xb] - S[yb * w1 + xa] + S[ya * w1 + xa];
  }
}

/**
 * The summed-area tables of one dataset, by owner (an acquisition's image) and key (its band selection).
 * A table is built only once windows of its acquisition have cost as many pixels as the build would (`spend`): a
 * series read a few times never pays for a whole-grid read, and one read often pays at most twice what it needed.
 */
export class ValidityIndex {
  private readonly tables = new WeakMap<object, Map<string, Promise<SummedArea | null>>>();
  private readonly spent = new WeakMap<object, Map<string, number>>();
  private used = 0;

  constructor(readonly maxBytes = 64 * 2 ** 20) {}

  /** Bytes of tables built so far. */
  get bytes(): number {
    return this.used;
  }

  /**
   * Records that a window of `pixels` was read instead of counted; true once the windows of (owner, key) have cost
   * at least `gridPixels`, i.e. when building its table is worth it.
   */
  spend(owner: object, key: string, pixels: number, gridPixels: number): boolean {
    let byKey = this.spent.get(owner);
    if (!byKey) {
      byKey = new Map();
      this.spent.set(owner, byKey);
    }
    const total = (byKey.get(key) ?? 0) + pixels;
    byKey.set(key, total);
    return total >= gridPixels;
  }

  /** Whether (owner, key) has a table built or under way (null included: over budget). */
  has(owner: object, key: string): boolean {
    return this.tables.get(owner)?.has(key) ?? false;
  }

  /**
   * The table of (owner, key): built once from `build()` (the (H, W) validity), or null when it would not fit the
   * budget. Concurrent callers share one build.
   */
  table(owner: object, key: string, W: number, H: number, build: () => Promise<Uint8Array>): Promise<SummedArea | null> {
    let byKey = this.tables.get(owner);
    if (!byKey) {
      byKey = new Map();
      this.tables.set(owner, byKey);
    }
    const known = byKey.get(key);
    if (known) return known;
    const bytes = (W + 1) * (H + 1) * 4;
    if (this.used + bytes > this.maxBytes) {
      const none = Promise.resolve(null);
      byKey.set(key, none);
      return none;
    }
    this.used += bytes;
    const made = build().then(
      (valid) => new SummedArea(valid, W, H),
      (e: unknown) => {
        this.used -= bytes;
        byKey.delete(key);
        throw e;
      },
    );
    byKey.set(key, made);
    return made;
  }
}
