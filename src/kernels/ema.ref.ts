/** Float64 reference of the weight EMA: ema ← decay·ema + (1 − decay)·param (element-wise). */
export function emaUpdateRef(ema: ArrayLike<number>, param: ArrayLike<number>, decay: number): Float64Array {
  const out = new Float64Array(ema.length);
  for (let i = 0; i < out.length; i++) out[i] = decay * ema[i] + (1 - decay) * param[i];
  return out;
}
