// Checkpoint round trips (directory files and one-file bundle) and the errors for a wrong configuration or a file
// that is not a checkpoint.
import { describe, expect, it } from 'vitest';
import { buildParamLayout, initParams } from '../model/params';
import { tinyTwoGroupConfig } from '../model/testing/configs';
import {
  assertSameModel,
  CHECKPOINT_FORMAT,
  decodeCheckpointBundle,
  decodeCheckpointFiles,
  encodeCheckpointBundle,
  encodeCheckpointFiles,
  type Checkpoint,
} from './checkpoint';
import { DEFAULT_OPTIMIZER } from './trainer';

function sample(): Checkpoint {
  const config = tinyTwoGroupConfig();
  const layout = buildParamLayout(config);
  const params = initParams(layout, 3);
  const m = params.map((x) => x * 0.5);
  const v = params.map((x) => x * x);
  return {
    state: { format: CHECKPOINT_FORMAT, config, optimizer: DEFAULT_OPTIMIZER, batchSize: 2, seed: 3, step: 17, totalSteps: 100, adapter: 'test', lastLoss: 1.25, savedAt: '2026-11-21T00:00:00Z' },
    params,
    m,
    v,
    ema: null,
  };
}

describe('checkpoints', () => {
  it('round-trip through the directory files', () => {
    const ck = sample();
    const f = encodeCheckpointFiles(ck);
    const back = decodeCheckpointFiles({ model: f['model.safetensors'], optimizer: f['optimizer.safetensors'], state: f['state.json'] });
    expect(back.state.step).toBe(17);
    expect([...back.params]).toEqual([...ck.params]);
    expect([...back.m]).toEqual([...ck.m]);
    expect([...back.v]).toEqual([...ck.v]);
    expect(back.ema).toBeNull();
  });
  it('round-trip through the one-file bundle, with an EMA', () => {
    const ck = { ...sample(), ema: sample().params.map((x) => x * 2) }; // padding stays 0
    const back = decodeCheckpointBundle(encodeCheckpointBundle(ck));
    expect([...back.ema!]).toEqual([...ck.ema]);
    expect(back.state.config).toEqual(ck.state.config);
  });
  it('explains a checkpoint of another configuration, and a file that is not a checkpoint', () => {
    const ck = sample();
    const other = tinyTwoGroupConfig({ encoder: { width: 24 } });
    expect(() => assertSameModel(ck, other)).toThrow(/different model configuration/);
    expect(() => decodeCheckpointBundle(new TextEncoder().encode('hello world, not safetensors'), 'x.bin')).toThrow(/x\.bin: Not a safetensors/);
    const f = encodeCheckpointFiles(ck);
    expect(() => decodeCheckpointFiles({ model: f['model.safetensors'], optimizer: null, state: '{"format":"something-else"}' })).toThrow(/not an EO-MAE Studio checkpoint/);
  });
});
