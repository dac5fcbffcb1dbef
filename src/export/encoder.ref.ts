/**
 * Float64 reference of the exported encoder: mae.ref.ts's own forward with every token visible (K = N, visible = the
 * identity permutation), read at its encoder output (after the inter-group stage). Using maeForwardRef itself, not a
 * re-derivation, keeps the export's oracle the very definition the training graph is checked against.
 *
 * The decoder part of maeForwardRef still runs (its result is discarded); it is fed zero decoder encodings, which do
 * not affect the encoder features.
 * Imports only *.ref.ts files (lint rule for CPU references).
 */
import { maeForwardRef, type MaeRefSpec, type MaeRefWeights } from '../model/mae.ref';

export interface EncoderRefInputs {
  B: number;
  /** [m] (B, T, C, H, W) model-ready pixels. */
  pixels: readonly ArrayLike<number>[];
  /** [m] encoder tables: pos (L, E − 8), date (B, T, 8) (encodings.ts). */
  encEncodings: readonly { pos: ArrayLike<number>; date: ArrayLike<number> }[];
  /** [g] (B, N_g, Fg) geographic features (geo.ts geoFeatureMatrices); required when weights.geo is present. */
  geo?: readonly ArrayLike<number>[];
}

/** Tokens per sample of each fusion group: Σ over its modalities of token groups · dates · (H/P)². */
export function groupTokensRef(spec: MaeRefSpec): number[] {
  return spec.groups.map((g) =>
    g.modalities.reduce((s, name) => {
      const m = spec.modalities.find((x) => x.name === name);
      if (!m) throw new Error(`group "${g.name}" names unknown modality "${name}"`);
      return s + m.tokenGroups.length * m.dates * (m.imageSize / m.patchSize) ** 2;
    }, 0),
  );
}

/** [g] (B, N_g, E) encoder features of every fusion group. */
export function encoderForwardRef(spec: MaeRefSpec, w: MaeRefWeights, inputs: EncoderRefInputs): Float64Array[] {
  const { B } = inputs;
  const masks = groupTokensRef(spec).map((N) => {
    const visible = new Uint32Array(B * N); // (B, N) identity permutation per sample
    for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) visible[b * N + n] = n;
    return { K: N, visible };
  });
  const Dd = spec.decoder.width;
  const decEncodings = spec.modalities.map((m) => ({
    pos: new Float64Array((m.imageSize / m.patchSize) ** 2 * (Dd - 8)), // (L, Dd − 8)
    date: new Float64Array(B * m.dates * 8), // (B, T, 8)
  }));
  const fwd = maeForwardRef(spec, w, { B, pixels: inputs.pixels, masks, encEncodings: inputs.encEncodings, decEncodings, geo: inputs.geo });
  return fwd.acts.groups.map((g) => g.encOut);
}
