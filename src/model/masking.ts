/**
 * Token masking on the CPU (seeded, deterministic): which tokens of each fusion-group sequence the encoder sees.
 *
 * MAESTRO (method.md §2.8, IGNF/MAESTRO maestro/ssl/mae.py mask_struct + mask_seq):
 * 1. structured drops per sample: a whole modality (only in groups of > 1 modality), whole dates (only when T > 1), and
 *    location tubes (one location at every date and token band group); a sample whose group sequence came out fully
 *    dropped is redrawn;
 * 2. completion to EXACTLY round(ratio·N) masked tokens (Python round-half-to-even): structurally dropped tokens are
 *    masked first, chosen at random when there are more of them than the budget (MAESTRO's argsort of tied zeros,
 *    quirk 9), then random other tokens fill up the budget.
 * The 'random' strategy is step 2 alone (MAE random masking with MAESTRO's count and ordering). The 'anchor' strategy
 * (A²-MAE-style, method.md §7.2) lives in anchorMasking.ts; it reads per-sample footprints and dates from `meta`
 * (a Batch satisfies MaskingMeta) and falls back to one shared footprint and unknown dates without it.
 *
 * Invariants: every sample of a group has the same K visible tokens (so the encoder batch is rectangular); visible and
 * masked index lists are sorted ascending, i.e. visible tokens keep their ORIGINAL sequence order (unlike MAE's
 * shuffled order, quirk 2). Token index within a group sequence: member modalities in group order, each laid out as
 * (token group j, date t, location l) → offset + (j·T + t)·L + l (MAESTRO's (g d) (h w) flattening).
 * The result is the input of both the GPU graph and the CPU reference, so both see exactly the same masks.
 */
import { assert } from '../lib/assert';
import type { Rng } from '../lib/rng';
import { anchorMasks, type AnchorChoice, type MaskingMeta } from './anchorMasking';
import { type MaeConfig, groupTokenCounts, gridSize, modalityByName } from './config';

export interface GroupMask {
  group: string;
  B: number;
  /** Full sequence length of the group. */
  N: number;
  /** Visible tokens per sample. */
  K: number;
  /** (B, K) visible token indices, ascending per sample. */
  visible: Uint32Array;
  /** (B, N − K) masked token indices, ascending per sample. */
  masked: Uint32Array;
  /** 'anchor' strategy only: the anchor image of each sample (the same array in every group's mask). */
  anchors?: AnchorChoice[];
}

/** Masks for every fusion group of a batch of B samples, drawn from `rng` in group order ('anchor': sample by sample;
 * `meta` gives it the samples' footprints and dates, other strategies ignore it). */
export function makeMasks(config: MaeConfig, B: number, rng: Rng, meta?: MaskingMeta): GroupMask[] {
  if (config.masking.strategy === 'anchor') return anchorMasks(config, B, rng, meta);
  const counts = groupTokenCounts(config);
  return config.groups.map((g, gi) => {
    const { N, masked } = counts[gi];
    const strategy = config.masking.strategy;
    switch (strategy) {
      case 'random':
        return completeMask(g.name, new Uint8Array(B * N), B, N, masked, rng);
      case 'structured':
        return completeMask(g.name, structuredDrops(config, gi, B, rng), B, N, masked, rng);
      case 'anchor':
        throw new Error('anchor masks are drawn for all groups at once (anchorMasks)');
      default: {
        const never: never = strategy;
        throw new Error(`unknown masking strategy ${String(never)}`);
      }
    }
  });
}

/** Redraw cap for a sample whose whole group sequence was dropped (validation keeps probabilities < 1, so this is
 * only reached with near-1 probabilities on tiny sequences). */
const MAX_REDRAWS = 10_000;

/**
 * Step 1: (B, N) flags, 1 = structurally dropped, for fusion group `gi`. Draw order per sample: for each member
 * modality, the modality drop, then T date drops, then L location drops (each only when enabled).
 */
export function structuredDrops(config: MaeConfig, gi: number, B: number, rng: Rng): Uint8Array {
  const group = config.groups[gi];
  const mods = group.modalities.map((name) => modalityByName(config, name));
  const N = mods.reduce((s, m) => s + m.tokenGroups.length * m.dates * gridSize(m) ** 2, 0);
  const { dropDate, dropLocation, dropModality } = config.masking;
  const flags = new Uint8Array(B * N);
  for (let b = 0; b < B; b++) {
    const row = flags.subarray(b * N, (b + 1) * N);
    let tries = 0;
    for (;;) {
      row.fill(0);
      let offset = 0;
      for (const m of mods) {
        const Gt = m.tokenGroups.length;
        const T = m.dates;
        const L = gridSize(m) ** 2;
        const modDrop = mods.length > 1 && dropModality > 0 && rng.uniform() < dropModality;
        const dateDrop = Array.from({ length: T }, () => T > 1 && dropDate > 0 && rng.uniform() < dropDate);
        const locDrop = Array.from({ length: L }, () => dropLocation > 0 && rng.uniform() < dropLocation);
        for (let j = 0; j < Gt; j++)
          for (let t = 0; t < T; t++)
            for (let l = 0; l < L; l++) if (modDrop || dateDrop[t] || locDrop[l]) row[offset + (j * T + t) * L + l] = 1;
        offset += Gt * T * L;
      }
      if (row.some((v) => v === 0)) break;
      tries++;
      assert(tries < MAX_REDRAWS, () => `structured masking of group "${group.name}" dropped every token ${MAX_REDRAWS} times in a row; lower masking.drop* probabilities`);
    }
  }
  return flags;
}

/**
 * Step 2: exactly `nMask` masked tokens per sample. One random permutation orders the flagged tokens first and the
 * others after (each part in random order); the first nMask are masked. This is MAESTRO's argsort(noise·(1 − flag))
 * with ties among flagged tokens broken uniformly at random.
 */
export function completeMask(group: string, flags: Uint8Array, B: number, N: number, nMask: number, rng: Rng): GroupMask {
  assert(flags.length === B * N, () => `completeMask: flags have ${flags.length} entries, expected ${B}×${N}`);
  assert(Number.isInteger(nMask) && nMask >= 0 && nMask < N, () => `completeMask: cannot mask ${nMask} of ${N} tokens and keep one visible`);
  const K = N - nMask;
  const visible = new Uint32Array(B * K);
  const masked = new Uint32Array(B * nMask);
  const isMasked = new Uint8Array(N);
  for (let b = 0; b < B; b++) {
    const perm = rng.permutation(N);
    const order: number[] = [];
    for (const i of perm) if (flags[b * N + i]) order.push(i);
    for (const i of perm) if (!flags[b * N + i]) order.push(i);
    isMasked.fill(0);
    for (let r = 0; r < nMask; r++) isMasked[order[r]] = 1;
    let v = 0;
    let k = 0;
    for (let i = 0; i < N; i++) {
      if (isMasked[i]) masked[b * nMask + k++] = i;
      else visible[b * K + v++] = i;
    }
  }
  return { group, B, N, K, visible, masked };
}

/** (B, N) 1 = masked (MAE's `mask`). */
export function maskFlags(m: GroupMask): Uint8Array {
  const out = new Uint8Array(m.B * m.N);
  const nm = m.N - m.K;
  for (let b = 0; b < m.B; b++) for (let r = 0; r < nm; r++) out[b * m.N + m.masked[b * nm + r]] = 1;
  return out;
}

/** (B, N) MAE ids_shuffle: visible indices then masked indices. */
export function shuffleIds(m: GroupMask): Uint32Array {
  const out = new Uint32Array(m.B * m.N);
  const nm = m.N - m.K;
  for (let b = 0; b < m.B; b++) {
    out.set(m.visible.subarray(b * m.K, (b + 1) * m.K), b * m.N);
    out.set(m.masked.subarray(b * nm, (b + 1) * nm), b * m.N + m.K);
  }
  return out;
}

/** (B, N) MAE ids_restore = argsort(ids_shuffle): position of token i in the shuffled sequence. */
export function restoreIds(m: GroupMask): Uint32Array {
  const shuffle = shuffleIds(m);
  const out = new Uint32Array(m.B * m.N);
  for (let b = 0; b < m.B; b++) for (let r = 0; r < m.N; r++) out[b * m.N + shuffle[b * m.N + r]] = r;
  return out;
}
