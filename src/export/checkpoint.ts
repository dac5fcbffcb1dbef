/**
 * Reading a training checkpoint for export. Layout (written by the training engine): a directory holding
 *   state.json          { "config": MaeConfig, …other training state… }
 *   model.safetensors   one F32 tensor per parameter, named by our parameter names (params.ts, e.g. 'enc.s2.0.qkv.w'),
 *                       shaped as the layout entry (Linear weights (in, out)).
 * This file turns the two files' contents into (config, flat parameter array); the Node CLI does the file I/O.
 *
 * Invariants: the config is validated (ConfigError lists every problem); every ENCODER tensor (patch embeddings,
 * per-group encoders, inter-group encoder) must be present, F32 and of the layout's shape — all problems are reported
 * together; decoder-side tensors are copied when present and may be absent (an encoder-only checkpoint is enough to
 * export); tensors the layout does not know are counted, not an error (e.g. optimizer state stored alongside).
 * Reference: src/lib/safetensors.ts, src/model/params.ts.
 */
import { readSafetensors, tensorToF32 } from '../lib/safetensors';
import { type MaeConfig, validateConfig } from '../model/config';
import { buildParamLayout, type ParamEntry, paramViews } from '../model/params';

export interface LoadedCheckpoint {
  config: MaeConfig;
  /** (layout.size) flat parameters; absent decoder tensors are zero. */
  params: Float32Array;
  /** state.json without its config (step, epoch, … whatever the trainer stored). */
  state: Record<string, unknown>;
  /** Layout entries that were not in the file (decoder side only; encoder ones are an error). */
  missing: string[];
  /** Tensor names in the file that the layout does not have. */
  unknown: string[];
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Names of the layout entries the encoder export reads. */
export function encoderParamNames(config: MaeConfig): Set<string> {
  const names = new Set<string>();
  const pv = paramViews(config, buildParamLayout(config), (e: ParamEntry) => e.name);
  const norm = (n: { g: string; b: string }) => [n.g, n.b];
  for (const m of pv.embed) for (const e of m) names.add(e.patch.w).add(e.patch.b).add(e.norm.g).add(e.norm.b);
  for (const stack of [...pv.encoder, ...(pv.inter ? [pv.inter] : [])]) {
    for (const b of stack.blocks) for (const n of [...norm(b.ln1), b.qkv, b.proj.w, b.proj.b, ...norm(b.ln2), b.fc1.w, b.fc1.b, b.fc2.w, b.fc2.b]) names.add(n);
    for (const n of norm(stack.ln)) names.add(n);
  }
  return names;
}

/** Parses state.json text; throws CheckpointError unless it is an object with a valid `config`. */
export function parseState(text: string): { config: MaeConfig; state: Record<string, unknown> } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`state.json is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CheckpointError('state.json is not a JSON object');
  const { config, ...state } = json as Record<string, unknown>;
  if (config === undefined) throw new CheckpointError('state.json has no "config" field');
  try {
    return { config: validateConfig(config), state };
  } catch (e) {
    throw new CheckpointError(`state.json "config": ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** (config, flat params) from the contents of state.json and model.safetensors. */
export function loadCheckpoint(stateJson: string, safetensors: Uint8Array): LoadedCheckpoint {
  const { config, state } = parseState(stateJson);
  let parsed;
  try {
    parsed = readSafetensors(safetensors);
  } catch (e) {
    throw new CheckpointError(`model.safetensors: ${e instanceof Error ? e.message : String(e)}`);
  }
  const layout = buildParamLayout(config);
  const required = encoderParamNames(config);
  const params = new Float32Array(layout.size);
  const problems: string[] = [];
  const missing: string[] = [];
  for (const e of layout.entries) {
    const t = parsed.tensors[e.name];
    if (!t) {
      if (required.has(e.name)) problems.push(`"${e.name}" is missing`);
      else missing.push(e.name);
      continue;
    }
    if (t.dtype !== 'F32') problems.push(`"${e.name}" is ${t.dtype}, expected F32`);
    else if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) problems.push(`"${e.name}" has shape [${t.shape.join(', ')}], the config needs [${e.shape.join(', ')}]`);
    else params.set(tensorToF32(t), e.offset);
  }
  if (problems.length) throw new CheckpointError(`model.safetensors does not match state.json's config: ${problems.join('; ')}`);
  const known = new Set(layout.entries.map((e) => e.name));
  const unknown = Object.keys(parsed.tensors).filter((n) => !known.has(n));
  return { config, params, state, missing, unknown };
}
