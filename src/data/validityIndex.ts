/**
 * Valid-pixel counts of windows aligned with an acquisition's own grid in O(1): a summed-area table of the
 * acquisition's validity (every band read, alpha, cloud mask, image bounds), built once from one read of its grid.
 *
 * Why: a training sample bins a long series and, in each bin, picks a date by its valid fraction in the window. With
 * 105 dates and 16 bins, 89 of the 105 validity reads only served to be counted. On a grid aligned with the files' own,
 * GeoImage.read's validity is a per-source-pixel property (resample.ts copyAligned, image.ts mapTarget), so a window's
 * count is the table's count of the same pixels: the choice, and the sample, do not change.
 * Invariants: a table holds (H + 1)·(W + 1) counts, S[y·(W + 1) + x] = valid pixels in [0, x) × [0, y); tables are
 * built only where the caller says the build decodes nothing new, once windows have cost a grid's pixels,
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
 * A table is built only once windows of its acquisition have cost as many pixels as the build would: a series read a
 * few times never pays for a whole-grid read, and one read often pays at most twice what it needed.
 */
export class ValidityIndex {
  /** Per owner and key: window pixels asked for so far, and the table once it is built (or null: over budget). */
  private readonly entries = new WeakMap<object, Map<string, { spent: number; table: Promise<SummedArea | null> | null }>>();
  private used = 0;

  constructor(readonly maxBytes = 64 * 2 ** 20) {}

  /** Bytes of tables built so far. */
  get bytes(): number {
    return this.used;
  }

  /**
   * The table of (owner, key) for a caller about to read a window of `windowPixels` instead: built once from
   * `build()` (the (H, W) validity) when the windows asked for so far have cost a whole grid (W·H pixels); null
   * before that, and when the table would not fit the budget. Concurrent callers share one build.
   */
  table(owner: object, key: string, W: number, H: number, windowPixels: number, build: () => Promise<Uint8Array>): Promise<SummedArea | null> | null {
    let byKey = this.entries.get(owner);
    if (!byKey) {
      byKey = new Map();
      this.entries.set(owner, byKey);
    }
    let entry = byKey.get(key);
    if (!entry) {
      entry = { spent: 0, table: null };
      byKey.set(key, entry);
    }
    if (entry.table) return entry.table;
    entry.spent += windowPixels;
    if (entry.spent < W * H) return null;
    const bytes = (W + 1) * (H + 1) * 4;
    if (this.used + bytes > this.maxBytes) {
      entry.table = Promise.resolve(null);
      return entry.table;
    }
    this.used += bytes;
    const e = entry;
    e.table = build().then(
      (valid) => new SummedArea(valid, W, H),
      (err: unknown) => {
        this.used -= bytes;
        e.table = null;
        throw err;
      },
    );
    return e.table;
  }
}
