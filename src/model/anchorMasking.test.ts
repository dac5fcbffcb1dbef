// A²-MAE-style anchor-aware masking (method.md §7.2, our design): config fields and their validation, the per-group
// exact counts, well-formed and deterministic masks, exact anchor ratio, per-image ratios within the stated bound of
// their targets, the anchor rules, complementarity and ground coverage measured against a neutral baseline (the same
// counts drawn independently), date adaptation, and footprint projection.
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { anchorGroupMasked, buildConfig, configProblems, groupTokenCounts, roundHalfEven, validateConfig, type MaeConfig } from './config';
import { complementaryProbabilities, drawAnchorSample, imageRefs, reconcileCounts, systematicSample, type AnchorSampleDraw } from './anchorMasking';
import { anchorMaskOverlay } from './anchorOverlay';
import { makeMasks, type GroupMask } from './masking';
import { imageSetBatch, twoSourceConfig, twoSourceStatsConfig } from './testing/imageSets';
import { treesatLike } from './testing/configs';

const withAnchor = (c: MaeConfig, anchor: Partial<NonNullable<MaeConfig['masking']['anchor']>>): MaeConfig => ({
  ...c,
  masking: { ...c.masking, anchor: { ...c.masking.anchor!, ...anchor } },
});

function expectWellFormed(m: GroupMask, nMask: number) {
  expect(m.K).toBe(m.N - nMask);
  for (let b = 0; b < m.B; b++) {
    const vis = [...m.visible.subarray(b * m.K, (b + 1) * m.K)];
    const msk = [...m.masked.subarray(b * nMask, (b + 1) * nMask)];
    expect(vis).toEqual([...vis].sort((x, y) => x - y));
    expect(msk).toEqual([...msk].sort((x, y) => x - y));
    expect([...vis, ...msk].sort((x, y) => x - y)).toEqual(Array.from({ length: m.N }, (_, i) => i));
  }
}

/** Draws B samples' details with the same RNG use as makeMasks. */
function draws(config: MaeConfig, B: number, seed: number, meta = imageSetBatch(config, B, seed + 1)): AnchorSampleDraw[] {
  const images = imageRefs(config);
  const M = groupTokenCounts(config).map((c) => c.masked);
  const rng = new Rng(seed);
  return Array.from({ length: B }, (_, b) => drawAnchorSample(config, images, M, rng, meta, b));
}

describe('anchor masking config', () => {
  it('fills the anchor defaults for the anchor strategy and keeps older configs valid', () => {
    const c = buildConfig('tiny', treesatLike, { masking: { strategy: 'anchor', anchor: { rule: 'finest-gsd' } } });
    expect(c.masking.anchor).toEqual({ rule: 'finest-gsd', modality: null, pHi: 0.9, gammaGsd: 0.5, dateAdaptation: true, dateHalfLifeDays: 180, rMin: 0.4, rMax: 0.9 });
    expect(c.geoEncoding).toBe('off');
    expect(c.positions).toBe('pooled');
    // Default strategy: no anchor block, so the JSON of a MAESTRO config is unchanged apart from the two switches.
    expect(buildConfig('tiny', treesatLike).masking.anchor).toBeUndefined();
    // A config saved before these fields existed still validates.
    const old = JSON.parse(JSON.stringify(buildConfig('tiny', treesatLike)));
    delete old.geoEncoding;
    delete old.positions;
    expect(configProblems(old)).toEqual([]);
    expect(validateConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('names the offending field', () => {
    const base = buildConfig('tiny', treesatLike, { masking: { strategy: 'anchor' } });
    const problems = (mutate: (c: MaeConfig) => void) => {
      const c = structuredClone(base);
      mutate(c);
      return configProblems(c);
    };
    expect(problems((c) => (c.masking.anchor!.rule = 'oldest' as 'random'))).toEqual(['masking.anchor.rule: "oldest" is not one of random, finest-gsd, most-recent, modality']);
    expect(problems((c) => (c.masking.anchor!.rule = 'modality'))).toEqual(['masking.anchor.modality: null is not a modality (rule "modality" needs one)']);
    expect(problems((c) => Object.assign(c.masking.anchor!, { rule: 'modality', modality: 's2' }))).toEqual([]);
    expect(problems((c) => (c.masking.anchor!.modality = 's2'))).toEqual(['masking.anchor.modality: must be null unless rule is "modality"']);
    expect(problems((c) => (c.masking.anchor!.pHi = 0))).toEqual(['masking.anchor.pHi: 0 must be a probability in (0, 1]']);
    expect(problems((c) => (c.masking.anchor!.gammaGsd = -1))).toEqual(['masking.anchor.gammaGsd: -1 must be a finite number ≥ 0']);
    expect(problems((c) => (c.masking.anchor!.dateHalfLifeDays = 0))).toEqual(['masking.anchor.dateHalfLifeDays: 0 must be a positive number of days']);
    expect(problems((c) => Object.assign(c.masking.anchor!, { rMin: 0.8, rMax: 0.5 }))).toEqual(['masking.anchor.rMin: 0.8 is larger than rMax 0.5']);
    expect(problems((c) => (c.masking.anchor!.rMax = 1))).toEqual(['masking.anchor.rMax: 1 must be in (0, 1)']);
    expect(problems((c) => (c.geoEncoding = 'latlon' as 'full'))).toEqual(['geoEncoding: "latlon" is not one of off, gsd, full']);
    expect(problems((c) => (c.positions = 'utm' as 'ground'))).toEqual(['positions: "utm" is not one of pooled, ground']);
  });
});

describe('per-group exact counts', () => {
  it('is the anchor-rule expectation of the summed image targets', () => {
    // s2: 2 dates × 36 tokens; landsat: 1 date × 4 tokens. r = 0.75, γ = 0.5, r ∈ [0.4, 0.9].
    // anchor s2:      s2 27 + 27, landsat round(0.75·√(1/3)·4) = round(1.73) = 2
    // anchor landsat: s2 round(0.9·36) = 32 twice,  landsat round(0.75·4) = 3
    // random (weights = dates 2 : 1): s2 (2·54 + 64)/3 = 57.3 → 57, landsat (2·2 + 3)/3 = 2.3 → 2.
    expect(groupTokenCounts(twoSourceConfig())).toEqual([
      { N: 72, masked: 57, K: 15 },
      { N: 4, masked: 2, K: 2 },
    ]);
    expect(anchorGroupMasked(withAnchor(twoSourceConfig(), { rule: 'modality', modality: 's2' }))).toEqual([54, 2]);
    expect(anchorGroupMasked(withAnchor(twoSourceConfig(), { rule: 'finest-gsd' }))).toEqual([54, 2]);
    expect(anchorGroupMasked(withAnchor(twoSourceConfig(), { rule: 'modality', modality: 'landsat' }))).toEqual([64, 3]);
    // A fusion group of several modalities and dates (TreeSatAI-like s1 group) stays within [1, N − 1].
    const t = buildConfig('tiny', treesatLike, { masking: { strategy: 'anchor' } });
    for (const c of groupTokenCounts(t)) expect(c.K >= 1 && c.masked >= 1).toBe(true);
  });

  it('rounds exact ties half to even in integers', () => {
    expect([4.5, 5.5].map(roundHalfEven)).toEqual([4, 6]);
    // Two equally likely anchors giving 9 and 10 → 9.5 → 10; 10 and 11 → 10.5 → 10.
    const c = twoSourceStatsConfig(1);
    expect(anchorGroupMasked(c)).toEqual([119, 10]); // s2: (108 + 130)/2 = 119; landsat: (7 + 12)/2 = 9.5 → 10
  });
});

describe('anchorMasks via makeMasks', () => {
  const config = twoSourceConfig();
  const counts = groupTokenCounts(config);
  const B = 24;
  const batch = imageSetBatch(config, B, 3);

  it('masks exactly the group count per sample, lists sorted and disjoint, every image keeps a visible token', () => {
    for (const meta of [batch, undefined]) {
      const masks = makeMasks(config, B, new Rng(5), meta);
      masks.forEach((m, gi) => expectWellFormed(m, counts[gi].masked));
      expect(masks[0].anchors).toHaveLength(B);
      expect(masks[1].anchors).toBe(masks[0].anchors);
      const images = imageRefs(config);
      for (let b = 0; b < B; b++)
        for (const im of images) {
          const vis = new Set(masks[im.g].visible.subarray(b * masks[im.g].K, (b + 1) * masks[im.g].K));
          expect([...im.rows].some((r) => vis.has(r))).toBe(true);
        }
    }
  });

  it('gives identical masks for identical seeds and different masks for different seeds', () => {
    const a = makeMasks(config, B, new Rng(11), batch);
    const b = makeMasks(config, B, new Rng(11), batch);
    const c = makeMasks(config, B, new Rng(12), batch);
    expect(a).toEqual(b);
    expect(a.map((m) => [...m.visible])).not.toEqual(c.map((m) => [...m.visible]));
  });
});

describe('ratios', () => {
  it('masks the anchor at exactly round(r·n) when its group has another image to absorb the group count', () => {
    for (const rule of ['modality', 'random'] as const) {
      const c = withAnchor(twoSourceConfig(), { rule, modality: rule === 'modality' ? 's2' : null });
      let s2Anchors = 0;
      for (const d of draws(c, 60, 7)) {
        const a = d.images[d.anchorIndex];
        if (d.anchor.modality === 's2') {
          s2Anchors++;
          expect(a.count).toBe(27); // round(0.75·36)
        } else {
          // landsat is alone in its group: the anchor itself takes the group's fixed count M = 2 (target 3).
          expect(a.count).toBe(2);
        }
      }
      expect(s2Anchors).toBeGreaterThan(rule === 'modality' ? 59 : 20);
    }
  });

  it('deterministic anchor rule: every image gets exactly round(r_i·n_i) (within half a token of its target)', () => {
    const c = withAnchor(twoSourceConfig(), { rule: 'finest-gsd' });
    for (const d of draws(c, 40, 8))
      for (const im of d.images) {
        expect(im.count).toBe(im.target);
        expect(Math.abs(im.count - im.targetRatio * im.image.n)).toBeLessThanOrEqual(0.5);
        expect(im.masked.reduce((s, v) => s + v, 0)).toBe(im.count);
      }
  });

  it('random rule: each image is within ⌈|D_g|·n_i/Σ n⌉ + ½ token of r_i·n_i, D_g being its group correction', () => {
    const c = twoSourceConfig();
    const M = groupTokenCounts(c).map((x) => x.masked);
    for (const d of draws(c, 60, 9)) {
      c.groups.forEach((_, gi) => {
        const members = d.images.map((im, i) => ({ im, i })).filter((x) => x.im.image.g === gi);
        const D = M[gi] - members.reduce((s, x) => s + x.im.target, 0);
        expect(members.reduce((s, x) => s + x.im.count, 0)).toBe(M[gi]);
        const movers = members.filter((x) => x.i !== d.anchorIndex);
        const pool = (movers.length ? movers : members).reduce((s, x) => s + x.im.image.n, 0);
        for (const { im, i } of members) {
          if (i === d.anchorIndex && movers.length) continue; // the anchor is exact (previous test)
          const bound = Math.ceil((Math.abs(D) * im.image.n) / pool) + 0.5;
          expect(Math.abs(im.count - im.targetRatio * im.image.n)).toBeLessThanOrEqual(bound);
        }
      });
    }
  });

  it('reconciles counts onto non-anchor images first, in proportion to their tokens, within [0, n − 1]', () => {
    // Images 0 (anchor), 1, 2 with 10, 30, 10 tokens; targets 7, 20, 5; group count 36 → D = +4 → 3 and 1.
    expect(reconcileCounts([0, 1, 2], [7, 20, 5], [10, 30, 10], 36, 0)).toEqual([7, 23, 6]);
    // D = −30: the non-anchor images go down to 0, then the anchor gives up the rest.
    expect(reconcileCounts([0, 1, 2], [7, 20, 5], [10, 30, 10], 2, 0)).toEqual([2, 0, 0]);
    // Caps at n − 1: image 1 can take only 1 more, image 2 absorbs the rest.
    expect(reconcileCounts([0, 1, 2], [7, 28, 5], [10, 30, 10], 44, 0)).toEqual([7, 29, 8]);
    // A group without the anchor: its images share the whole difference.
    expect(reconcileCounts([1, 2], [0, 20, 5], [10, 30, 10], 21, 0)).toEqual([0, 17, 4]);
  });
});

describe('anchor rules', () => {
  it('finest-gsd / modality always pick that modality; most-recent picks the latest date; random follows image counts', () => {
    const base = twoSourceConfig();
    expect(draws(withAnchor(base, { rule: 'finest-gsd' }), 30, 1).every((d) => d.anchor.modality === 's2')).toBe(true);
    expect(draws(withAnchor(base, { rule: 'modality', modality: 'landsat' }), 30, 2).every((d) => d.anchor.modality === 'landsat')).toBe(true);
    const batch = imageSetBatch(base, 30, 4);
    const day = (d: { year: number; doy: number; hour: number }) => d.year * 365.25 + d.doy + d.hour / 24;
    draws(withAnchor(base, { rule: 'most-recent' }), 30, 3, batch).forEach((d, b) => {
      const latest = Math.max(...Object.values(batch.modalities).flatMap((m) => m.dates[b].map(day)));
      expect(day(batch.modalities[d.anchor.modality].dates[b][d.anchor.t])).toBe(latest);
    });
    const r = draws(base, 600, 5);
    const s2Share = r.filter((d) => d.anchor.modality === 's2').length / r.length;
    expect(s2Share).toBeGreaterThan(0.6); // 2 of the 3 images are s2 dates
    expect(s2Share).toBeLessThan(0.73);
  });
});

/** Tallies over non-anchor tokens with known ground: P(visible | v = 0), P(visible | v = 1), and the share of visible
 * tokens' ground that is anchor-masked against the share over all tokens. */
function complementarity(all: AnchorSampleDraw[]) {
  const t = { v0: 0, v0vis: 0, v1: 0, v1vis: 0, vis: 0, visOnMasked: 0, n: 0, onMasked: 0 };
  for (const d of all)
    d.images.forEach((im, i) => {
      if (i === d.anchorIndex) return;
      for (let k = 0; k < im.v.length; k++) {
        const v = im.v[k];
        if (!Number.isFinite(v)) continue;
        const visible = im.masked[k] === 0;
        t.n++;
        t.onMasked += 1 - v;
        if (visible) {
          t.vis++;
          t.visOnMasked += 1 - v;
        }
        if (v === 0) {
          t.v0++;
          t.v0vis += +visible;
        }
        if (v === 1) {
          t.v1++;
          t.v1vis += +visible;
        }
      }
    });
  return { pVis0: t.v0vis / t.v0, pVis1: t.v1vis / t.v1, visibleShare: t.visOnMasked / t.vis, baseShare: t.onMasked / t.n };
}

describe('complementarity and ground coverage (400 samples, s2 with 2 dates + landsat)', () => {
  const B = 400;
  const config = twoSourceStatsConfig(2);
  // Neutral baseline: p_hi below every image ratio ⇒ p_hi' = ρ ⇒ the same counts drawn uniformly, independently.
  const neutral = withAnchor(config, { pHi: 0.01 });
  const batch = imageSetBatch(config, B, 21);

  it('visible non-anchor tokens fall on anchor-masked ground more often', () => {
    const c = complementarity(draws(config, B, 22, batch));
    const n = complementarity(draws(neutral, B, 22, batch));
    console.log(`[anchor] P(visible | anchor-masked ground) ${c.pVis0.toFixed(3)} vs P(visible | anchor-visible ground) ${c.pVis1.toFixed(3)} (neutral ${n.pVis0.toFixed(3)} / ${n.pVis1.toFixed(3)}); visible tokens on anchor-masked ground ${c.visibleShare.toFixed(3)} (all tokens ${c.baseShare.toFixed(3)})`);
    expect(c.pVis0).toBeGreaterThan(1.5 * c.pVis1);
    expect(c.visibleShare).toBeGreaterThan(c.baseShare + 0.07);
    expect(n.pVis0 / n.pVis1).toBeGreaterThan(0.85);
    expect(n.pVis0 / n.pVis1).toBeLessThan(1.15);
  });

  it('at least one visible token sees ≥ 65 % of the ground on average, more than the neutral draw', () => {
    const mean = (c: MaeConfig) => {
      const masks = makeMasks(c, B, new Rng(23), batch);
      let s = 0;
      for (let b = 0; b < B; b++) s += anchorMaskOverlay(c, batch, masks, b).coverage;
      return s / B;
    };
    const [anchored, independent] = [mean(config), mean(neutral)];
    console.log(`[anchor] ground seen by ≥ 1 visible token: ${(100 * anchored).toFixed(1)} % (independent draws with the same counts: ${(100 * independent).toFixed(1)} %)`);
    expect(anchored).toBeGreaterThan(0.65);
    expect(anchored).toBeGreaterThan(independent + 0.015);
  });
});

describe('date adaptation and footprint projection', () => {
  it('images far in time from the anchor are masked less complementarily (p_hi → ρ + (p_hi − ρ)·2^(−Δ/halfLife))', () => {
    // s2 with 2 dates on the same grid: the non-anchor date's tokens lie on anchor-visible (v = 1) or masked (v = 0)
    // ground; its count is 108 of 144 (ρ = 0.75), the anchor shows 36 tokens, so p(v = 1) = p_hi' exactly.
    const c = withAnchor(twoSourceStatsConfig(2), { rule: 'modality', modality: 's2' });
    const B = 20;
    const pOnVisible = (config: MaeConfig, yearsApart: number) => {
      const batch = imageSetBatch(config, B, 31);
      for (let b = 0; b < B; b++) {
        const d0 = batch.modalities.s2.dates[b][0];
        batch.modalities.s2.dates[b][1] = { ...d0, year: d0.year + yearsApart };
      }
      const ps: number[] = [];
      for (const d of draws(config, B, 32, batch)) {
        const other = d.images.find((x, i) => x.image.m === 0 && i !== d.anchorIndex)!;
        expect(other.count).toBe(108);
        for (let k = 0; k < other.v.length; k++) if (other.v[k] === 1) ps.push(other.p[k]);
      }
      expect(ps.length).toBe(36 * B);
      return ps.reduce((a, x) => a + x, 0) / ps.length;
    };
    const w = Math.pow(2, -(2 * 365.25) / 180);
    expect(pOnVisible(c, 0)).toBeCloseTo(0.9, 12);
    expect(pOnVisible(c, 2)).toBeCloseTo(0.75 + 0.15 * w, 12);
    expect(pOnVisible(withAnchor(c, { dateAdaptation: false }), 2)).toBeCloseTo(0.9, 12);
  });

  it('projects tokens through shifted footprints: a token beyond the anchor footprint has no anchor information', () => {
    const c = withAnchor(twoSourceStatsConfig(1), { rule: 'modality', modality: 's2' });
    const batch = imageSetBatch(c, 4, 41, { shiftMetres: { landsat: 60 }, centre: { lon: 10, lat: 45 } });
    for (const d of draws(c, 4, 42, batch)) {
      const s2 = d.images[d.anchorIndex];
      const l = d.images.find((x) => x.image.m === 1)!;
      // landsat token (row y, col x) covers s2 token columns 3x + 3 … 3x + 5 (shifted 60 m = 3 s2 tokens east).
      for (let y = 0; y < 4; y++)
        for (let x = 0; x < 4; x++) {
          const v = l.v[y * 4 + x];
          if (x === 3) {
            expect(Number.isNaN(v)).toBe(true);
            continue;
          }
          let vis = 0;
          for (let yy = 3 * y; yy < 3 * y + 3; yy++) for (let xx = 3 * x + 3; xx < 3 * x + 6; xx++) vis += 1 - s2.masked[yy * 12 + xx];
          expect(v).toBeCloseTo(vis / 9, 6);
        }
    }
  });
});

describe('sampling primitives', () => {
  it('complementary probabilities sum to the count, lie in [0, 1] and favour anchor-masked ground', () => {
    const v = Float64Array.from([0, 0, 0, 1, 1, 0.5, NaN, 0, 1, 0]);
    for (const c of [1, 4, 7, 9]) {
      const p = complementaryProbabilities(v, c, 0.9);
      expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(c, 12);
      expect(p.every((x) => x >= 0 && x <= 1)).toBe(true);
      expect(p[3]).toBeGreaterThanOrEqual(p[0]);
      expect(p[6]).toBeCloseTo(c / 10, 12); // outside the anchor: the image ratio
    }
  });

  it('systematic sampling draws exactly c tokens with marginals p', () => {
    const p = Float64Array.from([0.9, 0.1, 0.5, 0.5, 1, 0, 0.25, 0.75]); // Σ = 4
    const rng = new Rng(3);
    const hits = new Float64Array(p.length);
    const R = 4000;
    for (let r = 0; r < R; r++) {
      const s = systematicSample(p, 4, rng);
      expect(s.reduce((a, x) => a + x, 0)).toBe(4);
      s.forEach((x, i) => (hits[i] += x));
    }
    hits.forEach((h, i) => expect(Math.abs(h / R - p[i])).toBeLessThan(0.03));
  });
});
