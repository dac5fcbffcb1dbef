/**
 * A²-MAE-style anchor-aware masking across the co-located images of a sample (method.md §7.2). This is OUR design:
 * the A²-MAE paper states the idea (one anchor image's meta-information drives the masking of the whole image set)
 * but its algorithm is not public (§3.2), so nothing here claims to reproduce it.
 *
 * An image = one (modality, date) token map of a sample: Gt·g² tokens (all token band groups at every location).
 * Per sample, seeded:
 *  1. choose the anchor image (config.masking.anchor.rule: random | finest-gsd | most-recent | modality);
 *  2. targets: the anchor round(r·n_a); every other image round(r_i·n_i) with
 *     r_i = clamp(r·(GSD_anchor/GSD_i)^γ, rMin, rMax); each at most n − 1 (one visible token per image);
 *  3. reconcile with the fixed per-group count M_g (config.ts anchorGroupMasked, the anchor-rule expectation of the
 *     summed targets — the graph needs one K per group): the difference D_g = M_g − Σ targets is spread over the
 *     group's NON-anchor images in proportion to their token counts (largest remainder, never below 0 masked or above
 *     n − 1); only when they cannot absorb it does the anchor move. With a deterministic rule ('modality',
 *     'finest-gsd') D_g = 0: every image gets exactly its target;
 *  4. mask the anchor: exactly c_a tokens uniformly at random;
 *  5. project every other image's tokens onto the anchor's token grid through the footprints (token centre → anchor
 *     cell; a token larger than an anchor cell is sampled at k×k points, k = min(8, ⌈2·size/cell⌉), so it takes the
 *     visible fraction of the cells it covers); v ∈ [0, 1] = anchor-visible share of the token's ground;
 *  6. complementary rule: p(token) = p_lo + (p_hi' − p_lo)·v, p_hi' = ρ + (max(p_hi, ρ) − ρ)·w_date with
 *     ρ = c_i/n_i and w_date = 2^(−|Δdays|/halfLife) (1 without date adaptation), p_lo solved so that Σp = c_i
 *     (clamped to [0, 1], moving p_hi' when p_lo would leave [0, 1]); tokens outside the anchor footprint get p = ρ;
 *  7. draw exactly c_i tokens with inclusion probabilities p (systematic sampling over a random order: exact count,
 *     exact marginals).
 * Without footprints (no batch given) every modality is taken to cover the sample's one footprint — the
 * src/data/sample.ts contract — and without dates Δdays = 0 and 'most-recent' ties everywhere (uniform choice).
 * Invariants: same config, seed and meta ⇒ same masks; every group has exactly M_g masked tokens in every sample;
 * every image keeps ≥ 1 visible token; index lists sorted ascending (as masking.ts).
 */
import type { AcqDate, Footprint } from '../data/sample';
import { assert } from '../lib/assert';
import type { Rng } from '../lib/rng';
import {
  type AnchorMaskingConfig,
  type MaeConfig,
  anchorImageTargets,
  anchorSettings,
  anchorTargetRatio,
  finestModality,
  gridSize,
  groupTokenCounts,
  imageTokens,
} from './config';
import { footprintMapper } from './geoSphere';
import type { GroupMask } from './masking';

/** Per-sample acquisition metadata the anchor masking uses; a src/data Batch satisfies it. */
export interface MaskingMeta {
  B: number;
  modalities: Record<string, { dates?: AcqDate[][]; footprints?: Footprint[] }>;
}

/** The anchor of one sample: modality index (config order), its name, and the date slot. */
export interface AnchorChoice {
  m: number;
  modality: string;
  t: number;
}

/** One image of the set: the tokens of modality m at date t. */
export interface ImageRef {
  m: number;
  t: number;
  /** Fusion group index and the image's token count Gt·L. */
  g: number;
  n: number;
  L: number;
  /** Group-sequence row of token k = j·L + l: offset_m + (j·T + t)·L + l. */
  rows: Uint32Array;
}

/** Every image of the config in order (modality by config order, then date). */
export function imageRefs(config: MaeConfig): ImageRef[] {
  const out: ImageRef[] = [];
  const groupOf = new Map<string, number>();
  const offset = new Map<string, number>();
  config.groups.forEach((g, gi) => {
    let n = 0;
    for (const name of g.modalities) {
      const m = config.modalities.find((x) => x.name === name)!;
      groupOf.set(name, gi);
      offset.set(name, n);
      n += m.tokenGroups.length * m.dates * gridSize(m) ** 2;
    }
  });
  config.modalities.forEach((mod, m) => {
    const L = gridSize(mod) ** 2;
    const Gt = mod.tokenGroups.length;
    for (let t = 0; t < mod.dates; t++) {
      const rows = new Uint32Array(Gt * L);
      for (let j = 0; j < Gt; j++) for (let l = 0; l < L; l++) rows[j * L + l] = offset.get(mod.name)! + (j * mod.dates + t) * L + l;
      out.push({ m, t, g: groupOf.get(mod.name)!, n: imageTokens(mod), L, rows });
    }
  });
  return out;
}

/** What the masking decided for one image of one sample (for tests, the Inspect overlay and diagnostics). */
export interface ImageDraw {
  image: ImageRef;
  /** Target count before the group reconciliation, its ratio r_i, and the final count c_i. */
  target: number;
  targetRatio: number;
  count: number;
  /** Per token (Gt·L): anchor-visible share of its ground (NaN outside the anchor footprint; the anchor's own: NaN). */
  v: Float64Array;
  /** Per token: inclusion probability used (anchor: c/n for all). */
  p: Float64Array;
  /** Per token: 1 = masked. */
  masked: Uint8Array;
}

export interface AnchorSampleDraw {
  anchor: AnchorChoice;
  /** Index of the anchor in `images`. */
  anchorIndex: number;
  images: ImageDraw[];
}

/** Days since year 0 (approximate calendar; only differences of nearby dates matter). */
function dayNumber(d: AcqDate): number {
  return d.year * 365.25 + d.doy + d.hour / 24;
}

function chooseAnchor(config: MaeConfig, a: AnchorMaskingConfig, images: ImageRef[], dates: (AcqDate[] | null)[], rng: Rng): number {
  const first = (m: number) => images.findIndex((im) => im.m === m);
  switch (a.rule) {
    case 'random':
      return rng.int(images.length);
    case 'finest-gsd': {
      const m = finestModality(config);
      return first(m) + rng.int(config.modalities[m].dates);
    }
    case 'modality': {
      const m = config.modalities.findIndex((x) => x.name === a.modality);
      assert(m >= 0, () => `anchor modality "${a.modality}" is not in the config`);
      return first(m) + rng.int(config.modalities[m].dates);
    }
    case 'most-recent': {
      let best = -Infinity;
      let cands: number[] = [];
      images.forEach((im, i) => {
        const d = dates[im.m]?.[im.t];
        if (!d) return;
        const day = dayNumber(d);
        if (day > best + 1e-9) {
          best = day;
          cands = [i];
        } else if (Math.abs(day - best) <= 1e-9) cands.push(i);
      });
      if (cands.length === 0) cands = images.map((_, i) => i);
      return cands[rng.int(cands.length)];
    }
    default: {
      const never: never = a.rule;
      throw new Error(`unknown anchor rule ${String(never)}`);
    }
  }
}

/**
 * Step 3: counts c_i for the images `members` of one group, summing to M. Non-anchor images absorb the difference
 * first (shares ∝ n_i, largest remainder, ties by image order), the anchor last; each stays within [0, n_i − 1].
 */
export function reconcileCounts(members: readonly number[], targets: readonly number[], n: readonly number[], M: number, anchor: number): number[] {
  const c = [...targets];
  let D = M - members.reduce((s, i) => s + c[i], 0);
  const spread = (set: number[]) => {
    while (D !== 0) {
      const sign = D > 0 ? 1 : -1;
      const cap = (i: number) => (sign > 0 ? n[i] - 1 - c[i] : c[i]);
      const open = set.filter((i) => cap(i) > 0);
      if (open.length === 0) return;
      const need = Math.abs(D);
      const wsum = open.reduce((s, i) => s + n[i], 0);
      const shares = open.map((i) => (need * n[i]) / wsum);
      const alloc = open.map((i, k) => Math.min(cap(i), Math.floor(shares[k])));
      let given = alloc.reduce((s, x) => s + x, 0);
      const order = open.map((_, k) => k).sort((x, y) => shares[y] - Math.floor(shares[y]) - (shares[x] - Math.floor(shares[x])) || x - y);
      for (const k of order) {
        if (given >= need) break;
        if (alloc[k] < cap(open[k])) {
          alloc[k]++;
          given++;
        }
      }
      open.forEach((i, k) => (c[i] += sign * alloc[k]));
      D -= sign * given;
      if (given === 0) return;
    }
  };
  spread(members.filter((i) => i !== anchor));
  if (members.includes(anchor)) spread([anchor]);
  assert(D === 0, () => `anchor masking: cannot reach the group count ${M} (targets ${members.map((i) => targets[i]).join(', ')})`);
  return c;
}

/** Step 5: per location l of `img`, the anchor-visible share of its ground (NaN when outside the anchor footprint). */
function anchorVisibility(config: MaeConfig, img: ImageRef, anchor: ImageRef, visA: Float64Array, map: (u: number, v: number) => [number, number]): Float64Array {
  const mi = config.modalities[img.m];
  const ma = config.modalities[anchor.m];
  const gi = gridSize(mi);
  const ga = gridSize(ma);
  const size = mi.patchSize * mi.gsd;
  const cell = ma.patchSize * ma.gsd;
  const k = size > cell * (1 + 1e-9) ? Math.min(8, Math.ceil((2 * size) / cell)) : 1;
  const out = new Float64Array(img.L);
  for (let y = 0; y < gi; y++)
    for (let x = 0; x < gi; x++) {
      let sum = 0;
      let inside = 0;
      for (let q = 0; q < k; q++)
        for (let s = 0; s < k; s++) {
          const [ua, va] = map((x + (s + 0.5) / k) / gi, (y + (q + 0.5) / k) / gi);
          if (!(ua >= 0 && ua < 1 && va >= 0 && va < 1)) continue;
          const col = Math.min(ga - 1, Math.floor(ua * ga));
          const row = Math.min(ga - 1, Math.floor(va * ga));
          sum += visA[row * ga + col];
          inside++;
        }
      out[y * gi + x] = inside > 0 ? sum / inside : NaN;
    }
  return out;
}

/** Step 6: inclusion probabilities with Σ p = c (see the file header). */
export function complementaryProbabilities(v: Float64Array, c: number, pHiEff: number): Float64Array {
  const n = v.length;
  const rho = c / n;
  const p = new Float64Array(n).fill(rho);
  let nk = 0;
  let V = 0;
  for (const x of v)
    if (Number.isFinite(x)) {
      nk++;
      V += x;
    }
  if (nk === 0 || nk - V < 1e-9) return p;
  let hi = pHiEff;
  let lo = (rho * nk - hi * V) / (nk - V);
  if (lo < 0) {
    lo = 0;
    hi = (rho * nk) / V;
  } else if (lo > 1) {
    lo = 1;
    hi = (rho * nk - (nk - V)) / V;
  }
  for (let i = 0; i < n; i++) if (Number.isFinite(v[i])) p[i] = Math.min(1, Math.max(0, lo + (hi - lo) * v[i]));
  return p;
}

/**
 * Step 7: exactly c of the n tokens, token i with probability p_i (Σp = c, p ≤ 1): systematic sampling (Madow 1949)
 * over a random order. Floating-point drift in Σp is repaired by adding the most likely / dropping the least likely.
 */
export function systematicSample(p: Float64Array, c: number, rng: Rng): Uint8Array {
  const n = p.length;
  const sel = new Uint8Array(n);
  const order = rng.permutation(n);
  const u = rng.uniform();
  let acc = 0;
  let count = 0;
  for (const i of order) {
    const prev = acc;
    acc += p[i];
    if (Math.floor(acc - u) > Math.floor(prev - u)) {
      sel[i] = 1;
      count++;
    }
  }
  const byP = Array.from(order).sort((a, b) => p[b] - p[a]);
  for (let r = 0; count < c && r < n; r++)
    if (!sel[byP[r]]) {
      sel[byP[r]] = 1;
      count++;
    }
  for (let r = n - 1; count > c && r >= 0; r--)
    if (sel[byP[r]]) {
      sel[byP[r]] = 0;
      count--;
    }
  return sel;
}

/** Steps 1–7 for sample b. `images` = imageRefs(config), `groupMasked` = M_g. */
export function drawAnchorSample(config: MaeConfig, images: ImageRef[], groupMasked: readonly number[], rng: Rng, meta: MaskingMeta | undefined, b: number): AnchorSampleDraw {
  const a = anchorSettings(config);
  const r = config.masking.ratio;
  const mods = config.modalities;
  const dates = mods.map((m) => meta?.modalities[m.name]?.dates?.[b] ?? null);
  const fps = mods.map((m) => meta?.modalities[m.name]?.footprints?.[b] ?? null);
  const ai = chooseAnchor(config, a, images, dates, rng);
  const A = images[ai];

  // 2–3. Targets and the reconciled counts.
  const t = anchorImageTargets(config, A.m);
  const targets = images.map((im, i) => (i === ai ? t.anchor : t.other[im.m]));
  const ratios = images.map((im, i) => (i === ai ? r : anchorTargetRatio(r, mods[A.m].gsd, mods[im.m].gsd, a)));
  const n = images.map((im) => im.n);
  const counts = [...targets];
  config.groups.forEach((_, gi) => {
    const members = images.map((im, i) => (im.g === gi ? i : -1)).filter((i) => i >= 0);
    const c = reconcileCounts(members, targets, n, groupMasked[gi], ai);
    for (const i of members) counts[i] = c[i];
  });

  // 4. The anchor: c_a tokens uniformly at random.
  const draws: ImageDraw[] = new Array(images.length);
  const aMasked = new Uint8Array(A.n);
  const perm = rng.permutation(A.n);
  for (let q = 0; q < counts[ai]; q++) aMasked[perm[q]] = 1;
  const Gta = A.n / A.L;
  const visA = new Float64Array(A.L);
  for (let j = 0; j < Gta; j++) for (let l = 0; l < A.L; l++) visA[l] += (1 - aMasked[j * A.L + l]) / Gta;
  draws[ai] = { image: A, target: targets[ai], targetRatio: r, count: counts[ai], v: new Float64Array(A.n).fill(NaN), p: new Float64Array(A.n).fill(counts[ai] / A.n), masked: aMasked };

  // 5–7. Every other image, complementary to the anchor.
  const aDate = dates[A.m]?.[A.t] ?? null;
  const mappers = new Map<number, (u: number, v: number) => [number, number]>();
  images.forEach((im, i) => {
    if (i === ai) return;
    let map = mappers.get(im.m);
    if (!map) {
      const from = fps[im.m];
      const to = fps[A.m];
      map = from && to ? footprintMapper(from, to) : (u: number, v: number) => [u, v];
      mappers.set(im.m, map);
    }
    const vLoc = anchorVisibility(config, im, A, visA, map);
    const v = new Float64Array(im.n);
    for (let k = 0; k < im.n; k++) v[k] = vLoc[k % im.L];
    const rho = counts[i] / im.n;
    const d = dates[im.m]?.[im.t] ?? null;
    const dDays = d && aDate ? Math.abs(dayNumber(d) - dayNumber(aDate)) : 0;
    const wDate = a.dateAdaptation ? Math.pow(2, -dDays / a.dateHalfLifeDays) : 1;
    const pHiEff = rho + (Math.max(a.pHi, rho) - rho) * wDate;
    const p = complementaryProbabilities(v, counts[i], pHiEff);
    draws[i] = { image: im, target: targets[i], targetRatio: ratios[i], count: counts[i], v, p, masked: systematicSample(p, counts[i], rng) };
  });
  return { anchor: { m: A.m, modality: mods[A.m].name, t: A.t }, anchorIndex: ai, images: draws };
}

/** Anchor-aware masks for a batch of B samples (masking.ts makeMasks dispatches here for strategy 'anchor'). */
export function anchorMasks(config: MaeConfig, B: number, rng: Rng, meta?: MaskingMeta): GroupMask[] {
  if (meta) assert(meta.B === B, () => `anchor masking: metadata for ${meta.B} samples, batch of ${B}`);
  const counts = groupTokenCounts(config);
  const images = imageRefs(config);
  const flags = counts.map((c) => new Uint8Array(B * c.N));
  const anchors: AnchorChoice[] = [];
  for (let b = 0; b < B; b++) {
    const s = drawAnchorSample(config, images, counts.map((c) => c.masked), rng, meta, b);
    anchors.push(s.anchor);
    for (const d of s.images) {
      const N = counts[d.image.g].N;
      for (let k = 0; k < d.image.n; k++) flags[d.image.g][b * N + d.image.rows[k]] = d.masked[k];
    }
  }
  return config.groups.map((g, gi) => {
    const { N, masked: nMask, K } = counts[gi];
    const visible = new Uint32Array(B * K);
    const masked = new Uint32Array(B * nMask);
    for (let b = 0; b < B; b++) {
      let v = 0;
      let k = 0;
      for (let i = 0; i < N; i++) {
        if (flags[gi][b * N + i]) {
          assert(k < nMask, () => `anchor masking: group "${g.name}" sample ${b} masks more than ${nMask} tokens`);
          masked[b * nMask + k++] = i;
        } else {
          assert(v < K, () => `anchor masking: group "${g.name}" sample ${b} keeps more than ${K} tokens visible`);
          visible[b * K + v++] = i;
        }
      }
    }
    return { group: g.name, B, N, K, visible, masked, anchors };
  });
}
