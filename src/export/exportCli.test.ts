// The export CLI end to end (as `npm run export -- --ckpt DIR --onnx FILE` runs it, through tsx) on a checkpoint this
// test writes in the training engine's layout: summary lines, the JSON last line, its own --verify, and the written
// file re-checked here with onnxruntime-web against the float64 reference; then the failure exits.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { tinyTwoGroupConfig } from '../model/testing/configs';
import { checkpointFiles } from './testing/checkpointFiles';
import { jitteredParams } from './testing/encoderCases';
import { verifyEncoderOnnx } from './verify';

const tsx = path.resolve('node_modules/.bin/tsx');
const dir = mkdtempSync(path.join(tmpdir(), 'eo-mae-export-'));
const config = tinyTwoGroupConfig();
const params = jitteredParams(config, 21);

function writeCheckpoint(name: string, edit?: Parameters<typeof checkpointFiles>[3]): string {
  const ck = path.join(dir, name);
  const f = checkpointFiles(config, params, { step: 77 }, edit);
  rmSync(ck, { recursive: true, force: true });
  mkdirSync(ck, { recursive: true });
  writeFileSync(path.join(ck, 'state.json'), f.stateJson);
  writeFileSync(path.join(ck, 'model.safetensors'), f.safetensors);
  return ck;
}

function run(args: string[]) {
  return spawnSync(tsx, ['src/cli/export.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export CLI', () => {
  it('exports, summarises and verifies a checkpoint; the file runs in onnxruntime-web and matches the reference', async () => {
    const ck = writeCheckpoint('ok');
    const out = path.join(dir, 'nested', 'encoder.onnx');
    const r = run(['--ckpt', ck, '--onnx', out, '--verify', '2', '--json']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/checkpoint {2}.*\(step 77\)/);
    expect(r.stdout).toMatch(/input {7}pixels_A {17}\[batch, 3, 5, 4, 4\]/);
    expect(r.stdout).toMatch(/input {7}dates_B2 {17}\[batch, 2, 8\]/);
    expect(r.stdout).toMatch(/output {6}features_B {15}\[batch, 26, 16\]/);
    expect(r.stdout).toMatch(/verify .* max \|Δ\| A \d\.\d\de-\d+, B \d\.\d\de-\d+ — OK/);
    const lines = r.stdout.trimEnd().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]) as { bytes: number; opset: number; encoderParams: number; outputs: { name: string; shape: unknown[] }[]; verify: { maxAbsDiff: number[] } };
    expect(summary.opset).toBe(17);
    expect(summary.outputs).toEqual([
      { name: 'features_A', shape: ['batch', 24, 16] },
      { name: 'features_B', shape: ['batch', 26, 16] },
    ]);
    for (const d of summary.verify.maxAbsDiff) expect(d).toBeLessThanOrEqual(1e-4);

    const bytes = new Uint8Array(readFileSync(out));
    expect(bytes.length).toBe(summary.bytes);
    ort.env.wasm.numThreads = 1;
    const check = await verifyEncoderOnnx(ort, bytes, config, params, { B: 3, seed: 5 });
    for (const d of check.maxAbsDiff) expect(d).toBeLessThanOrEqual(1e-4);
  }, 120_000);

  it('exits 1 naming the problem when the checkpoint does not match its config, 2 on usage errors', () => {
    const bad = writeCheckpoint('bad', (t) => {
      delete t['enc.A.0.proj.w'];
    });
    const r = run(['--ckpt', bad, '--onnx', path.join(dir, 'bad.onnx')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/"enc\.A\.0\.proj\.w" is missing/);
    expect(run(['--ckpt', path.join(dir, 'absent'), '--onnx', path.join(dir, 'x.onnx')]).stderr).toMatch(/cannot read the checkpoint/);
    const usage = run(['--ckpt', bad]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--onnx FILE is required/);
    expect(run(['--ckpt', bad, '--onnx', 'x.onnx', '--opset', '13']).status).toBe(2);
  }, 120_000);
});
