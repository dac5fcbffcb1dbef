// Reading checkpoints for export: a full checkpoint round-trips to the same flat parameters; an encoder-only one is
// enough; every mismatch (missing encoder tensor, wrong dtype or shape, bad state.json) is refused with its name.
import { describe, expect, it } from 'vitest';
import { f32Tensor } from '../lib/safetensors';
import { buildParamLayout } from '../model/params';
import { tinyTwoGroupConfig } from '../model/testing/configs';
import { CheckpointError, encoderParamNames, loadCheckpoint, parseState } from './checkpoint';
import { checkpointFiles } from './testing/checkpointFiles';
import { jitteredParams } from './testing/encoderCases';

const config = tinyTwoGroupConfig();
const params = jitteredParams(config, 2);
const layout = buildParamLayout(config);

describe('loadCheckpoint', () => {
  it('round-trips every parameter and keeps the rest of state.json', () => {
    const f = checkpointFiles(config, params, { step: 1200, lr: 1e-4 });
    const ck = loadCheckpoint(f.stateJson, f.safetensors);
    expect(ck.config).toEqual(config);
    expect(ck.params).toEqual(params);
    expect(ck.state).toEqual({ step: 1200, lr: 1e-4 });
    expect(ck.missing).toEqual([]);
    expect(ck.unknown).toEqual([]);
  });

  it('accepts an encoder-only checkpoint, zero-filling the decoder side, and ignores foreign tensors', () => {
    const enc = encoderParamNames(config);
    expect(enc.has('enc.A.0.qkv.w') && enc.has('inter.0.fc2.b') && enc.has('embed.B2.0.norm.g')).toBe(true);
    expect(enc.has('enc2dec.A.w') || enc.has('dec.A.0.qkv.w') || enc.has('head.A.0.w')).toBe(false);
    const f = checkpointFiles(config, params, {}, (t) => {
      for (const name of Object.keys(t)) if (!enc.has(name)) delete t[name];
      t['adam.m.enc.A.0.qkv.w'] = f32Tensor([2], new Float32Array(2));
    });
    const ck = loadCheckpoint(f.stateJson, f.safetensors);
    expect(ck.missing.length).toBe(layout.entries.length - enc.size);
    expect(ck.unknown).toEqual(['adam.m.enc.A.0.qkv.w']);
    for (const e of layout.entries) {
      const got = ck.params.subarray(e.offset, e.offset + e.size);
      expect(Array.from(got)).toEqual(enc.has(e.name) ? Array.from(params.subarray(e.offset, e.offset + e.size)) : new Array(e.size).fill(0));
    }
  });

  it('names every missing encoder tensor and every wrong shape or dtype', () => {
    const f = checkpointFiles(config, params, {}, (t) => {
      delete t['enc.B.0.fc1.w'];
      delete t['inter.ln.g'];
      t['embed.A.1.patch.b'] = f32Tensor([8], new Float32Array(8));
      t['enc.A.ln.b'] = { dtype: 'F16', shape: [16], data: new Uint8Array(32) };
    });
    let err: unknown;
    try {
      loadCheckpoint(f.stateJson, f.safetensors);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/"enc\.B\.0\.fc1\.w" is missing/);
    expect(msg).toMatch(/"inter\.ln\.g" is missing/);
    expect(msg).toMatch(/"embed\.A\.1\.patch\.b" has shape \[8\], the config needs \[16\]/);
    expect(msg).toMatch(/"enc\.A\.ln\.b" is F16, expected F32/);
  });

  it('refuses a bad state.json or safetensors file with the reason', () => {
    expect(() => parseState('{nope')).toThrow(/state\.json is not valid JSON/);
    expect(() => parseState('[1]')).toThrow(/not a JSON object/);
    expect(() => parseState('{"step": 3}')).toThrow(/no "config" field/);
    expect(() => parseState(JSON.stringify({ config: { ...config, encoder: { ...config.encoder, heads: 3 } } }))).toThrow(/state\.json "config": .*heads/);
    expect(() => loadCheckpoint(JSON.stringify({ config }), new Uint8Array(4))).toThrow(/model\.safetensors: Not a safetensors file/);
  });
});
