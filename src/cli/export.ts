/**
 * `npm run export -- --ckpt DIR --onnx FILE [--opset 17|20] [--verify [B]] [--json]`
 *
 * Exports the encoder of a training checkpoint to ONNX. DIR holds state.json (its `config` field is the MaeConfig)
 * and model.safetensors (F32 tensors named by our parameter names); see src/export/checkpoint.ts. Prints what was
 * exported: the config, every graph input and output with its shape, the file size and the parameter count.
 * --verify runs the written file with onnxruntime-web (wasm backend) on a synthetic batch of B samples (default 1)
 * and compares every output with the float64 reference (src/export/encoder.ref.ts); it fails above 1e-4.
 * With --json the last stdout line is a JSON summary.
 *
 * Exit status: 0 exported (and verified), 1 checkpoint / export / verification failure, 2 usage error.
 * Reference: src/export/encoderOnnx.ts, docs/readme-onnx.md.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CheckpointError, encoderParamNames, loadCheckpoint } from '../export/checkpoint';
import { ENCODER_ONNX_OPSETS, type EncoderOnnxOpset, encoderOnnxSignature, exportEncoderOnnx } from '../export/encoderOnnx';
import { verifyEncoderOnnx, type VerifyReport } from '../export/verify';
import { buildParamLayout } from '../model/params';

const VERIFY_TOL = 1e-4;
const USAGE = 'usage: npm run export -- --ckpt DIR --onnx FILE [--opset 17|20] [--verify [B]] [--json]';

interface Args {
  ckpt: string;
  onnx: string;
  opset: EncoderOnnxOpset;
  verify: number;
  json: boolean;
}

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Partial<Args> = { opset: 17, verify: 0, json: false };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) usageError(`${s} needs a value`);
      return v;
    };
    if (s === '--ckpt') a.ckpt = value();
    else if (s === '--onnx') a.onnx = value();
    else if (s === '--opset') {
      const v = Number(value());
      if (!(ENCODER_ONNX_OPSETS as readonly number[]).includes(v)) usageError(`--opset must be one of ${ENCODER_ONNX_OPSETS.join(', ')}`);
      a.opset = v as EncoderOnnxOpset;
    } else if (s === '--verify') {
      const next = argv[i + 1];
      a.verify = next !== undefined && /^\d+$/.test(next) ? Number(argv[++i]) : 1;
      if (a.verify < 1) usageError('--verify B needs B ≥ 1');
    } else if (s === '--json') a.json = true;
    else if (s === '-h' || s === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else usageError(`unknown argument ${s}`);
  }
  if (!a.ckpt) usageError('--ckpt DIR is required');
  if (!a.onnx) usageError('--onnx FILE is required');
  return a as Args;
}

const shape = (s: readonly (number | string)[]) => `[${s.join(', ')}]`;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  let stateText: string;
  let tensors: Uint8Array;
  try {
    stateText = await readFile(path.join(args.ckpt, 'state.json'), 'utf8');
    tensors = new Uint8Array(await readFile(path.join(args.ckpt, 'model.safetensors')));
  } catch (e) {
    console.error(`cannot read the checkpoint in ${args.ckpt}: ${e instanceof Error ? e.message : String(e)} (expected state.json and model.safetensors)`);
    return 1;
  }
  const ckpt = loadCheckpoint(stateText, tensors);
  const { config, params } = ckpt;
  const bytes = exportEncoderOnnx(config, params, { opset: args.opset, metadata: { 'eo_mae.checkpoint': path.basename(path.resolve(args.ckpt)), ...(ckpt.state.step !== undefined ? { 'eo_mae.step': String(ckpt.state.step) } : {}) } });
  await mkdir(path.dirname(path.resolve(args.onnx)), { recursive: true });
  await writeFile(args.onnx, bytes);
  const exportMs = performance.now() - t0;

  const sig = encoderOnnxSignature(config);
  const enc = config.encoder;
  const encNames = encoderParamNames(config);
  const encoderParams = buildParamLayout(config)
    .entries.filter((e) => encNames.has(e.name))
    .reduce((s, e) => s + e.size, 0);
  const step = ckpt.state.step !== undefined ? ` (step ${String(ckpt.state.step)})` : '';
  console.log(`checkpoint  ${args.ckpt}${step}`);
  console.log(`encoder     preset ${config.preset}, width ${enc.width}, ${enc.heads} heads, ${enc.groupDepth} per-group + ${enc.interDepth} inter-group blocks, MLP ×${enc.mlpRatio}, ${encoderParams.toLocaleString('en-US')} parameters`);
  for (const s of sig.inputs) console.log(`input       ${s.name.padEnd(24)} ${shape(s.shape)}`);
  for (const s of sig.outputs) console.log(`output      ${s.name.padEnd(24)} ${shape(s.shape)}`);
  if (ckpt.missing.length) console.log(`note        ${ckpt.missing.length} decoder-side tensors absent from the checkpoint (not needed by the encoder)`);
  if (ckpt.unknown.length) console.log(`note        ${ckpt.unknown.length} tensors in the checkpoint are not model parameters and were ignored`);
  console.log(`wrote       ${args.onnx}: ${bytes.length.toLocaleString('en-US')} bytes, ONNX opset ${args.opset}, in ${exportMs.toFixed(0)} ms`);

  let verify: VerifyReport | null = null;
  let ok = true;
  if (args.verify > 0) {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    verify = await verifyEncoderOnnx(ort, bytes, config, params, { B: args.verify, seed: 1 });
    ok = verify.maxAbsDiff.every((d) => d <= VERIFY_TOL);
    const diffs = verify.maxAbsDiff.map((d, g) => `${config.groups[g].name} ${d.toExponential(2)}`).join(', ');
    console.log(
      `verify      onnxruntime-web (wasm) vs float64 reference, synthetic batch of ${args.verify}: max |Δ| ${diffs} — ${ok ? 'OK' : 'FAILED'} (tolerance ${VERIFY_TOL}); ` +
        `session ${verify.sessionMs.toFixed(0)} ms, run ${verify.runMs.toFixed(0)} ms, reference ${verify.referenceMs.toFixed(0)} ms`,
    );
  }
  if (args.json) {
    console.log(JSON.stringify({ onnx: args.onnx, bytes: bytes.length, opset: args.opset, encoderParams, inputs: sig.inputs, outputs: sig.outputs, verify }));
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof CheckpointError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
