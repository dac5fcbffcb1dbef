/**
 * Checkpoints: everything needed to continue a run bit for bit, in formats other tools read.
 *
 * Directory layout (Node CLI, `--out DIR`):
 *   model.safetensors      parameters by our names (params.ts), F32, shapes as in the layout; metadata: format,
 *                          config hash. Load in PyTorch with safetensors; see the README for MAESTRO key mapping.
 *   optimizer.safetensors  AdamW first/second moments ("m.<name>", "v.<name>") and the EMA ("ema.<name>") if kept.
 *   state.json             config, optimizer options, seed, step, schedule, data cursor, adapter, metrics summary.
 * Single-file bundle (studio downloads, OPFS autosave): one safetensors file with "param.*", "m.*", "v.*", "ema.*"
 * tensors and state.json in the metadata under "eo-mae-state".
 *
 * The RNG state is the seed plus the step: all randomness is counter-based (trainer.ts), so nothing else is needed.
 */
import { f32Tensor, readSafetensors, tensorToF32, writeSafetensors, type SafeTensor } from '../lib/safetensors';
import { type MaeConfig, validateConfig } from '../model/config';
import { buildParamLayout, type ParamLayout } from '../model/params';
import type { OptimizerOptions } from './trainer';

export const CHECKPOINT_FORMAT = 'eo-mae-studio/1';

export interface TrainState {
  format: typeof CHECKPOINT_FORMAT;
  config: MaeConfig;
  optimizer: OptimizerOptions;
  batchSize: number;
  seed: number;
  /** Optimizer steps completed. The next step's batch and masks come from stream `step` (trainer.ts). */
  step: number;
  /** Steps planned for this run (the schedule's length). */
  totalSteps: number;
  /** Adapter the run was trained on (informational: another adapter gives slightly different float rounding). */
  adapter: string;
  /** Last logged loss, for display. */
  lastLoss: number | null;
  savedAt: string;
}

export interface Checkpoint {
  state: TrainState;
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  ema: Float32Array | null;
}

function tensorsOf(layout: ParamLayout, flat: Float32Array, prefix: string): Record<string, SafeTensor> {
  const out: Record<string, SafeTensor> = {};
  for (const e of layout.entries) out[`${prefix}${e.name}`] = f32Tensor(e.shape, flat.slice(e.offset, e.offset + e.size));
  return out;
}

function flatOf(layout: ParamLayout, tensors: Record<string, SafeTensor>, prefix: string, what: string): Float32Array {
  const flat = new Float32Array(layout.size);
  for (const e of layout.entries) {
    const t = tensors[`${prefix}${e.name}`];
    if (!t) throw new Error(`${what}: missing tensor "${prefix}${e.name}" — the checkpoint belongs to a different model configuration.`);
    const got = t.shape.join('×');
    if (got !== e.shape.join('×')) throw new Error(`${what}: tensor "${e.name}" is ${got}, this configuration needs ${e.shape.join('×')} — a different model configuration.`);
    flat.set(tensorToF32(t), e.offset);
  }
  return flat;
}

/** The three files of a checkpoint directory. */
export function encodeCheckpointFiles(ck: Checkpoint): { 'model.safetensors': Uint8Array; 'optimizer.safetensors': Uint8Array; 'state.json': string } {
  const layout = buildParamLayout(ck.state.config);
  const opt = { ...tensorsOf(layout, ck.m, 'm.'), ...tensorsOf(layout, ck.v, 'v.'), ...(ck.ema ? tensorsOf(layout, ck.ema, 'ema.') : {}) };
  return {
    'model.safetensors': writeSafetensors(tensorsOf(layout, ck.params, ''), { format: CHECKPOINT_FORMAT, step: String(ck.state.step) }),
    'optimizer.safetensors': writeSafetensors(opt, { format: CHECKPOINT_FORMAT }),
    'state.json': JSON.stringify(ck.state, null, 2),
  };
}

export function parseState(json: string, what = 'state.json'): TrainState {
  let s: TrainState;
  try {
    s = JSON.parse(json) as TrainState;
  } catch {
    throw new Error(`${what} is not valid JSON.`);
  }
  if (s.format !== CHECKPOINT_FORMAT) throw new Error(`${what}: not an EO-MAE Studio checkpoint (format ${JSON.stringify(s.format)}, expected ${CHECKPOINT_FORMAT}).`);
  s.config = validateConfig(s.config);
  return s;
}

export function decodeCheckpointFiles(files: { model: Uint8Array; optimizer: Uint8Array | null; state: string }): Checkpoint {
  const state = parseState(files.state);
  const layout = buildParamLayout(state.config);
  const model = readSafetensors(files.model);
  const params = flatOf(layout, model.tensors, '', 'model.safetensors');
  const opt = files.optimizer ? readSafetensors(files.optimizer).tensors : null;
  const m = opt ? flatOf(layout, opt, 'm.', 'optimizer.safetensors') : new Float32Array(layout.size);
  const v = opt ? flatOf(layout, opt, 'v.', 'optimizer.safetensors') : new Float32Array(layout.size);
  const ema = opt && `ema.${layout.entries[0].name}` in opt ? flatOf(layout, opt, 'ema.', 'optimizer.safetensors') : null;
  return { state, params, m, v, ema };
}

/** One-file bundle for downloads and OPFS. */
export function encodeCheckpointBundle(ck: Checkpoint): Uint8Array {
  const layout = buildParamLayout(ck.state.config);
  return writeSafetensors(
    {
      ...tensorsOf(layout, ck.params, 'param.'),
      ...tensorsOf(layout, ck.m, 'm.'),
      ...tensorsOf(layout, ck.v, 'v.'),
      ...(ck.ema ? tensorsOf(layout, ck.ema, 'ema.') : {}),
    },
    { format: CHECKPOINT_FORMAT, 'eo-mae-state': JSON.stringify(ck.state) },
  );
}

export function decodeCheckpointBundle(bytes: Uint8Array, name = 'checkpoint'): Checkpoint {
  let parsed;
  try {
    parsed = readSafetensors(bytes);
  } catch (e) {
    throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const stateJson = parsed.metadata['eo-mae-state'];
  if (!stateJson) throw new Error(`${name}: a safetensors file, but not an EO-MAE Studio checkpoint (no training state inside).`);
  const state = parseState(stateJson, name);
  const layout = buildParamLayout(state.config);
  const t = parsed.tensors;
  return {
    state,
    params: flatOf(layout, t, 'param.', name),
    m: flatOf(layout, t, 'm.', name),
    v: flatOf(layout, t, 'v.', name),
    ema: `ema.${layout.entries[0].name}` in t ? flatOf(layout, t, 'ema.', name) : null,
  };
}

/** Throws a clear error when a checkpoint cannot continue the given configuration. */
export function assertSameModel(ck: Checkpoint, config: MaeConfig): void {
  const a = buildParamLayout(ck.state.config);
  const b = buildParamLayout(config);
  const sig = (l: ParamLayout) => l.entries.map((e) => `${e.name}:${e.shape.join('x')}`).join(',');
  if (sig(a) !== sig(b)) {
    const first = a.entries.find((e, i) => !b.entries[i] || b.entries[i].name !== e.name || b.entries[i].shape.join('x') !== e.shape.join('x'));
    throw new Error(
      `The checkpoint was trained with a different model configuration (first difference: ${first ? `${first.name} ${first.shape.join('×')}` : 'tensor count'}). ` +
        'Load it with its own configuration, or start a new run.',
    );
  }
}
