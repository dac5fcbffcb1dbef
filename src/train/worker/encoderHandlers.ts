/**
 * Encoder requests, handled in the studio worker: what the ONNX card would export (`encoder.onnxInfo`), the export
 * itself (`encoder.exportOnnx`, bytes transferred to the page for the download), a check of the exported model in
 * onnxruntime-web against our WGSL encoder on one real sample (`encoder.checkOrt`), and the PCA embedding map of the
 * Inspect sample (`encoder.pca`).
 *
 * Weights and samples: encoderSource.ts (Inspect's rule: trainer weights when a trainer exists, else the seeded
 * initialisation; the same sample choice as Inspect). The WGSL side is src/probe/tokens.ts `embedSamples`: the
 * encoder-only graph (buildMaeGraph encoderOnly, K = N, every token visible) — the function the ONNX file encodes.
 * Invariants: nothing here changes the trainer, the dataset or the configuration; a refused or failed request leaves
 * the worker usable; each long request posts `encoder.progress` events with its task, and the ORT session is
 * released whatever happens.
 */
import { collate } from '../../data/sample';
import { encoderParamNames } from '../../export/checkpoint';
import { encoderFeeds } from '../../export/encoderFeeds';
import { encoderOnnxSignature, exportEncoderOnnx } from '../../export/encoderOnnx';
import { runEncoderSession } from '../../export/ortEncoder';
import { loadOrtWeb } from '../../export/ortWeb';
import { maxAbsDiff } from '../../export/verify';
import { configProblems, type MaeConfig } from '../../model/config';
import { buildParamLayout } from '../../model/params';
import { embedSamples } from '../../probe/tokens';
import type { EncoderRequest, EncoderTask, ExportFile, OnnxExportInfo, OrtCheckReport, PcaParams, PcaReply } from '../protocol/encoder';
import type { WorkerState } from './context';
import { currentDataset } from './dataHandlers';
import { assemblePca } from './encoderPca';
import { createSessionWithFallback, type OrtLoader, ortVersion } from './encoderOrt';
import { currentWeightsConfig, readCurrentWeights, readSample } from './encoderSource';
import { assertDataFits } from './inspectHandlers';

/** The opset the studio writes: 17 runs on every runtime with LayerNormalization (GELU written with Erf). */
export const STUDIO_OPSET = 17;
/** Parity target between the exported model and our WGSL encoder (docs/readme-onnx.md). */
export const ORT_TOLERANCE = 1e-4;

interface EncoderWorkerState {
  pcaRunId: number;
  /** How onnxruntime-web is loaded: the browser build by default; Node tests swap in the wasm build. */
  loadOrt: OrtLoader;
}

const records = new WeakMap<WorkerState, EncoderWorkerState>();

function encoderState(state: WorkerState): EncoderWorkerState {
  let st = records.get(state);
  if (!st) records.set(state, (st = { pcaRunId: 0, loadOrt: loadOrtWeb }));
  return st;
}

/** Test hook: load onnxruntime-web another way (Node has no `?url` asset import and runs the wasm build). */
export function setOrtLoader(state: WorkerState, loader: OrtLoader): void {
  encoderState(state).loadOrt = loader;
}

function progress(state: WorkerState, task: EncoderTask, total: number): (done: number, stage: string) => void {
  return (done, stage) => state.post({ kind: 'encoder.progress', progress: { task, stage, done, total } });
}

/**
 * Why the exporter would refuse `config`, in plain words (null when it accepts it). The same preconditions
 * exportEncoderOnnx asserts (a valid configuration), checked here without building the graph so
 * the card can say so before the user clicks.
 */
export function onnxRefusal(config: MaeConfig): string | null {
  const problems = configProblems(config);
  if (problems.length) return `The model configuration is not valid (${problems.join('; ')}); fix it in the Model section.`;
  return null;
}

function onnxInfo(state: WorkerState): OnnxExportInfo {
  const { config, info } = currentWeightsConfig(state);
  const sig = encoderOnnxSignature(config);
  const names = encoderParamNames(config);
  const encoderParams = buildParamLayout(config)
    .entries.filter((e) => names.has(e.name))
    .reduce((s, e) => s + e.size, 0);
  return { refusal: onnxRefusal(config), weights: info, opset: STUDIO_OPSET, inputs: sig.inputs, outputs: sig.outputs, encoderParams };
}

/** Exports the current weights; throws the refusal as a plain error. */
async function exportBytes(state: WorkerState): Promise<{ name: string; bytes: Uint8Array; ms: number; config: MaeConfig; params: Float32Array; weights: OnnxExportInfo['weights'] }> {
  const w = await readCurrentWeights(state);
  const refusal = onnxRefusal(w.config);
  if (refusal) throw new Error(refusal);
  const t0 = performance.now();
  const bytes = exportEncoderOnnx(w.config, w.params, { opset: STUDIO_OPSET, metadata: { 'eo_mae.step': String(w.info.step), 'eo_mae.weights': w.info.source } });
  return { name: `encoder-${w.config.preset}-step${w.info.step}.onnx`, bytes, ms: performance.now() - t0, config: w.config, params: w.params, weights: w.info };
}

async function exportOnnx(state: WorkerState): Promise<{ value: ExportFile; transfer: Transferable[] }> {
  const step = progress(state, 'export', 2);
  step(0, 'Reading the weights and writing the ONNX graph');
  const { name, bytes } = await exportBytes(state);
  step(2, 'Done');
  // A fresh Uint8Array from the writer owns its whole buffer, so the buffer can be transferred as is.
  const buf = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
  return { value: { name, mime: 'application/octet-stream', bytes: buf }, transfer: [buf] };
}

async function checkOrt(state: WorkerState, choice: Extract<EncoderRequest, { kind: 'encoder.checkOrt' }>['sample']): Promise<OrtCheckReport> {
  const step = progress(state, 'check', 6);
  step(0, 'Exporting the current weights to ONNX');
  const ex = await exportBytes(state);
  const { config } = ex;
  step(1, 'Reading the sample');
  const chosen = await readSample(state, choice);
  assertDataFits(config, chosen.sample);
  const ctx = await state.device();

  step(2, 'Running our WGSL encoder on the sample');
  const tw = performance.now();
  const wgsl = await embedSamples(ctx.device, config, ex.params, [chosen.sample], { batch: 1 });
  const wgslMs = performance.now() - tw;

  step(3, 'Loading onnxruntime-web');
  const tl = performance.now();
  const ortWeb = await encoderState(state).loadOrt();
  // ORT's default log level is 'warning', and its warnings land in the console next to the studio's real problems.
  ortWeb.ort.env.logLevel = 'error';
  const loadMs = performance.now() - tl;

  const ts = performance.now();
  const { session, provider, fallbacks } = await createSessionWithFallback(ortWeb, ex.bytes, (p) => step(4, `Creating the onnxruntime-web session (${p})`));
  const sessionMs = performance.now() - ts;
  try {
    step(5, `Running the ONNX model (${provider})`);
    const feeds = encoderFeeds(config, collate([chosen.sample]));
    const t1 = performance.now();
    const onnx = await runEncoderSession(ortWeb.ort, session, config, feeds); // [g] (1, N_g, E)
    const t2 = performance.now();
    await runEncoderSession(ortWeb.ort, session, config, feeds); // warm: shaders compiled, buffers cached
    const t3 = performance.now();
    const E = config.encoder.width;
    const t = wgsl.tokens;
    const outputs = encoderOnnxSignature(config).outputs;
    const groups = config.groups.map((g, gi) => {
      const N = outputs[gi].shape[1] as number;
      const ours = t.features.subarray(t.groupOffset[gi] * E, (t.groupOffset[gi] + N) * E); // (N_g, E) of sample 0
      return { group: g.name, tokens: N, maxAbsDiff: maxAbsDiff(onnx[gi], ours) };
    });
    const worst = Math.max(...groups.map((g) => g.maxAbsDiff));
    step(6, 'Done');
    return {
      provider,
      fallbacks,
      ortVersion: ortVersion(ortWeb),
      bytes: ex.bytes.byteLength,
      ms: { export: ex.ms, load: loadMs, session: sessionMs, firstRun: t2 - t1, warmRun: t3 - t2, wgsl: wgslMs },
      groups,
      maxAbsDiff: worst,
      tolerance: ORT_TOLERANCE,
      pass: worst <= ORT_TOLERANCE,
      sampleId: chosen.id,
      sampleLabel: chosen.label,
      weights: ex.weights,
    };
  } finally {
    await session.release();
  }
}

/** Common names (red, green, …) of each dataset band, from the inspected file records (as Inspect finds RGB). */
function commonNames(state: WorkerState, config: MaeConfig): Record<string, Map<string, string | null>> {
  const dataset = currentDataset(state);
  const sanitize = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
  const out: Record<string, Map<string, string | null>> = {};
  for (const mod of config.modalities) {
    const m = new Map<string, string | null>();
    for (const r of dataset.records) {
      if (!r.ok || sanitize(r.recognition.modality) !== mod.name) continue;
      for (const b of r.bandInfo) if (b.common && !m.has(b.name)) m.set(b.name, b.common);
    }
    out[mod.name] = m;
  }
  return out;
}

async function pca(state: WorkerState, params: PcaParams): Promise<{ value: PcaReply; transfer: Transferable[] }> {
  const t0 = performance.now();
  const st = encoderState(state);
  const runId = ++st.pcaRunId;
  if (params.fit !== 'image' && params.fit !== 'series') throw new Error(`Unknown PCA fit "${String(params.fit)}".`);
  const step = progress(state, 'pca', 4);
  step(0, 'Reading the weights');
  const w = await readCurrentWeights(state);
  step(1, 'Reading the sample');
  const chosen = await readSample(state, params.sample);
  assertDataFits(w.config, chosen.sample);
  const ctx = await state.device();
  step(2, 'Encoding every token (no masking)');
  const te = performance.now();
  const emb = await embedSamples(ctx.device, w.config, w.params, [chosen.sample], { batch: 1 });
  const encoderMs = performance.now() - te;
  step(3, 'Fitting the principal components');
  const tp = performance.now();
  const { modalities, pixels } = assemblePca({ config: w.config, sample: chosen.sample, tokens: emb.tokens, fit: params.fit, commonNames: commonNames(state, w.config) });
  const pcaMs = performance.now() - tp;
  step(4, 'Done');
  return {
    value: {
      meta: {
        runId,
        sample: chosen.choice,
        sampleId: chosen.id,
        sampleLabel: chosen.label,
        fit: params.fit,
        weights: w.info,
        width: emb.tokens.E,
        tokens: emb.tokens.count,
        ms: { total: performance.now() - t0, encoder: encoderMs, pca: pcaMs },
        modalities,
      },
      pixels,
    },
    transfer: pixels.map((p) => p.rgba.buffer),
  };
}

export async function handleEncoderRequest(state: WorkerState, req: EncoderRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  switch (req.kind) {
    case 'encoder.onnxInfo':
      return { value: onnxInfo(state) };
    case 'encoder.exportOnnx':
      return exportOnnx(state);
    case 'encoder.checkOrt':
      return { value: await checkOrt(state, req.sample) };
    case 'encoder.pca':
      return pca(state, req.params);
    default: {
      const never: never = req;
      throw new Error(`unknown request ${(never as { kind: string }).kind}`);
    }
  }
}
