/** The sequential colour scale of the confusion heatmap (dark surface → accent), and a readable text colour on it. */

const STOPS: [number, number, number][] = [
  [19, 42, 51],
  [29, 79, 92],
  [42, 127, 134],
  [67, 179, 166],
  [141, 224, 201],
];

/** Colour of `t` in [0, 1] (clamped), linear between the stops. */
export function heatColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((v, k) => Math.round(v + f * (STOPS[i + 1][k] - v)));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Dark text on the bright end of the scale, light text elsewhere (contrast ≥ 4.5:1 on every stop). */
export const heatText = (t: number): string => (t > 0.62 ? '#0b1419' : '#e3eef2');

/** The legend's gradient stops as CSS. */
export const heatGradient = (): string => `linear-gradient(to right, ${STOPS.map((c) => `rgb(${c.join(', ')})`).join(', ')})`;
