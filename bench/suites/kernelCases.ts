/**
 * The cases of the kernel suite: shapes from the model presets (src/model/config.ts PRESETS) and squares.
 * Within a series the cases are ordered by increasing work, because the time budget predicts a figure's cost from
 * the previous (smaller) figure of the same series. Pure data plus the work of each case.
 *
 * - tiny preset: width 128, 4 heads (HS 32), decoder MLP 4·128 = 512; a batch of 2 sequences of 441 tokens (21×21).
 * - base preset: width 768, 12 heads (HS 64), MLP 4·768 = 3072; 2 sequences of 1024 tokens for the matmul, one
 *   sequence of 1024 tokens for attention (its N² cost dominates).
 */
import { attentionFlops, geluBytes, layernormBytes, matmulFlops, type AttentionPass, type AttentionShape, type NormPass } from '../flops';

export interface MatmulCase {
  id: string;
  label: string;
  M: number;
  N: number;
  K: number;
}

export const MATMUL_CASES: readonly MatmulCase[] = [
  { id: 'square-256', label: 'square 256', M: 256, N: 256, K: 256 },
  { id: 'tiny-mlp', label: 'tiny MLP fc1 (2·441 tokens, 128→512)', M: 2 * 441, N: 512, K: 128 },
  { id: 'square-512', label: 'square 512', M: 512, N: 512, K: 512 },
  { id: 'square-1024', label: 'square 1024', M: 1024, N: 1024, K: 1024 },
  { id: 'base-mlp', label: 'base MLP fc1 (2·1024 tokens, 768→3072)', M: 2 * 1024, N: 3072, K: 768 },
  { id: 'square-2048', label: 'square 2048', M: 2048, N: 2048, K: 2048 },
];

export interface AttentionCase extends AttentionShape {
  id: string;
  label: string;
  pass: AttentionPass;
}

const ATTENTION_SHAPES: readonly (AttentionShape & { preset: string })[] = [
  { preset: 'tiny', B: 2, NH: 4, N: 441, HS: 32 },
  { preset: 'base', B: 1, NH: 12, N: 1024, HS: 64 },
];

export const ATTENTION_CASES: readonly AttentionCase[] = ATTENTION_SHAPES.flatMap(({ preset, ...s }) =>
  (['forward', 'forward+backward'] as const).map((pass) => ({ ...s, pass, id: `${preset}-${pass === 'forward' ? 'fwd' : 'fwd-bwd'}`, label: `${preset} ${pass}` })),
);

export interface NormCase {
  id: string;
  label: string;
  /** Rows (tokens). */
  R: number;
  /** Width (LayerNorm) or hidden size (GELU). */
  D: number;
  pass: NormPass;
}

const bothPasses = (id: string, label: string, R: number, D: number): NormCase[] =>
  (['forward', 'backward'] as const).map((pass) => ({ id: `${id}-${pass === 'forward' ? 'fwd' : 'bwd'}`, label: `${label} ${pass}`, R, D, pass }));

/** LayerNorm over the tokens of a batch at the model width. */
export const LAYERNORM_CASES: readonly NormCase[] = [...bothPasses('tiny', 'tiny', 2 * 441, 128), ...bothPasses('base', 'base', 2 * 1024, 768)];

/** GELU over the MLP hidden activations (tokens, hidden). */
export const GELU_CASES: readonly NormCase[] = [...bothPasses('tiny', 'tiny', 2 * 441, 512), ...bothPasses('base', 'base', 2 * 1024, 3072)];

export const matmulWork = (c: MatmulCase) => matmulFlops(c.M, c.N, c.K);
export const attentionWork = (c: AttentionCase) => attentionFlops(c, c.pass);
export const layernormWork = (c: NormCase) => layernormBytes(c.R, c.D, c.pass);
export const geluWork = (c: NormCase) => geluBytes(c.R * c.D, c.pass);

/** LayerNorm epsilon of MAESTRO (src/model/config.ts lnEps default). */
export const LN_EPS = 1e-5;
