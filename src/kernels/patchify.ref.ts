/**
 * Float64 CPU reference for patchify / unpatchify, written from MAE's definition (facebookresearch/mae,
 * models_mae.py::patchify):  x.reshape(N, C, h, P, w, P) → einsum('nchpwq->nhwpqc') → reshape(N, h·w, P·P·C),
 * applied to every (batch, date) image, optionally to a band subset `bands` (a band group, in the listed order).
 *
 * Layout: token l = gy·(W/P) + gx (row-major over the patch grid); inside a token, value (py·P + px)·Cg + c holds
 * x[b, t, bands[c], gy·P + py, gx·P + px] (channel fastest).
 * unpatchifyRef is the adjoint of patchifyRef (hence its backward): it scatters every patch value back to its pixel,
 * summing if a band were listed twice, and leaves channels outside `bands` at zero. With all bands it is the inverse.
 */
/** Throws when a caller breaks the reference's preconditions (a reference imports nothing, so it has its own check). */
function check(cond: boolean, message: string | (() => string)): void {
  if (!cond) throw new Error(typeof message === 'function' ? message() : message);
}

export interface PatchifyRefDims {
  B: number;
  T: number;
  C: number;
  H: number;
  W: number;
  P: number;
  /** Channels of the band group, in order (default: all C channels). */
  bands?: readonly number[];
}

function bandList(dims: PatchifyRefDims): readonly number[] {
  const bands = dims.bands ?? Array.from({ length: dims.C }, (_, c) => c);
  check(dims.H % dims.P === 0 && dims.W % dims.P === 0, `patchify: H=${dims.H}, W=${dims.W} not divisible by P=${dims.P}`);
  for (const c of bands) check(Number.isInteger(c) && c >= 0 && c < dims.C, `patchify: band ${c} outside [0, ${dims.C})`);
  return bands;
}

/** x: (B, T, C, H, W) → (B, T, L, P·P·Cg). */
export function patchifyRef(x: ArrayLike<number>, dims: PatchifyRefDims): Float64Array {
  const { B, T, C, H, W, P } = dims;
  const bands = bandList(dims);
  const Cg = bands.length;
  const gh = H / P;
  const gw = W / P;
  const out = new Float64Array(B * T * gh * gw * P * P * Cg);
  let o = 0;
  for (let s = 0; s < B * T; s++) {
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        for (let py = 0; py < P; py++) {
          for (let px = 0; px < P; px++) {
            for (const c of bands) out[o++] = x[((s * C + c) * H + gy * P + py) * W + gx * P + px];
          }
        }
      }
    }
  }
  return out;
}

/** patches: (B, T, L, P·P·Cg) → (B, T, C, H, W); zeros in channels outside the band group. */
export function unpatchifyRef(patches: ArrayLike<number>, dims: PatchifyRefDims): Float64Array {
  const { B, T, C, H, W, P } = dims;
  const bands = bandList(dims);
  const gh = H / P;
  const gw = W / P;
  const img = new Float64Array(B * T * C * H * W);
  let o = 0;
  for (let s = 0; s < B * T; s++) {
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        for (let py = 0; py < P; py++) {
          for (let px = 0; px < P; px++) {
            for (const c of bands) img[((s * C + c) * H + gy * P + py) * W + gx * P + px] += patches[o++];
          }
        }
      }
    }
  }
  return img;
}
