/**
 * `npm run bench -- infer`: feature extraction with the pre-trained encoder — our WGSL graph (src/model/mae.ts
 * buildMaeGraph, encoderOnly, every token visible: K = N) against the exported ONNX model (src/export
 * exportEncoderOnnx) on onnxruntime-web: its WebGPU execution provider in the same page (browser), its wasm CPU
 * backend in Node (ORT's WebGPU EP needs a page; the Node peer is a CPU peer, said in the table header).
 *
 * A figure is the wall time of one call on a batch of INFER_BATCH samples, end to end as an application sees it:
 * ours = upload pixels, masks and encodings + one forward submit + read back every group's features; ORT =
 * runEncoderSession (src/export/ortEncoder.ts: input tensors, session.run, getData of every output). Both start
 * from the same weights and batch; their features must agree (max |Δ| ≤ 1e-2, else the peer figure fails: not the
 * same computation). Reported per sample. Cases (ids for --only): tiny16, tiny, small (bench/suites/modelCases.ts);
 * budgets follow bench/measure.ts, the next case predicted from the previous one by encoder FLOPs.
 */
import type * as Ort from 'onnxruntime-web';
import { createBufferFrom } from '../../src/gpu/buffers';
import { withErrorScopes } from '../../src/gpu/errors';
import { readF32 } from '../../src/gpu/readback';
import { ResourceScope } from '../../src/gpu/scope';
import { wholeTensor } from '../../src/gpu/tensor';
import { submitDispatches } from '../../src/kernels/dispatch';
import { encoderFeeds } from '../../src/export/encoderFeeds';
import { exportEncoderOnnx } from '../../src/export/encoderOnnx';
import { createEncoderSession, runEncoderSession, type OrtModule, type OrtProviders } from '../../src/export/ortEncoder';
import { maxAbsDiff } from '../../src/export/verify';
import { groupTokenCounts, type MaeConfig } from '../../src/model/config';
import { buildMaeGraph, type MaeGraph } from '../../src/model/mae';
import type { GroupMask } from '../../src/model/masking';
import { buildParamLayout, initParams } from '../../src/model/params';
import { randomBatch } from '../../src/model/testing/batches';
import { encoderForwardFlops } from '../flops';
import { fmtMs, fmtNum } from '../format';
import { budgetSkip, measureInterleaved, RateTracker, type MeasureConfig, type Outcome, type Runner } from '../measure';
import { deriveRow, type PeerInfo, type Section } from '../report';
import { caseConfig, caseShape, INFER_BATCH, MODEL_CASES, type ModelCase } from './modelCases';
import type { Suite, SuiteEnv, SuiteOutput } from './types';

const SEED = 5;
/** Largest max |Δ| of the features accepted as "the same computation" (float32 through up to 12 blocks). */
const FEATURE_AGREEMENT = 1e-2;

interface OrtPeer {
  ort: OrtModule & Pick<typeof Ort, 'env'>;
  providers: OrtProviders;
  info: PeerInfo;
}

/** Browser: the WebGPU EP alone (a failing EP must not hide behind the wasm fallback). Node: the wasm backend. */
async function startPeer(env: SuiteEnv): Promise<{ peer: OrtPeer | null; absent?: string }> {
  try {
    if (env.runtime === 'browser') {
      const { loadOrtWeb } = await import('../../src/export/ortWeb');
      const { ort } = await loadOrtWeb();
      return { peer: { ort, providers: ['webgpu'], info: { name: 'ORT', version: ort.env.versions.web ?? env.versions['onnxruntime-web'], backend: 'WebGPU execution provider' } } };
    }
    const ort = await import('onnxruntime-web');
    // ORT's own default thread count (hardwareConcurrency / 2, at most 4) needs navigator, which Node 20 lacks.
    ort.env.wasm.numThreads = Math.max(1, Math.min(4, Math.ceil(env.cores / 2)));
    return { peer: { ort, providers: ['wasm'], info: { name: 'ORT', version: ort.env.versions.web ?? env.versions['onnxruntime-web'], backend: `wasm CPU, ${ort.env.wasm.numThreads} thread(s)` } } };
  } catch (e) {
    return { peer: null, absent: `onnxruntime-web failed to load: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Every token visible: K = N, visible = 0..N−1, nothing masked. */
function fullMasks(config: MaeConfig, B: number): GroupMask[] {
  return groupTokenCounts(config).map(({ N }, g) => {
    const visible = new Uint32Array(B * N); // (B, N)
    for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) visible[b * N + n] = n;
    return { group: config.groups[g].name, B, N, K: N, visible, masked: new Uint32Array(0) };
  });
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function run(env: SuiteEnv): Promise<SuiteOutput> {
  const cases = MODEL_CASES.filter((c) => env.options.only.length === 0 || env.options.only.includes(c.id));
  const { peer, absent } = await startPeer(env);
  const name = peer?.info.name ?? 'peer';
  const base: Omit<MeasureConfig, 'estimateMs'> = {
    budgetMs: env.options.budgetS * 1000,
    minReps: 3,
    maxReps: env.options.quick ? 5 : 10,
    minRepMs: env.options.quick ? 10 : 25,
    maxInner: 100,
    isSoftware: env.ctx.report.isSoftware,
  };
  const tracker = new RateTracker();
  const section: Section = {
    id: 'infer',
    title: `Encoder inference (feature extraction, K = N), batch of ${INFER_BATCH}`,
    rate: { name: 'samples/s', scale: 1 },
    work: { name: 'samples', scale: 1 },
    vsPeak: false,
    rows: [],
    columns: [
      { key: 'oursPer', header: 'ours per sample' },
      ...(peer ? [{ key: 'peerPer', header: `${name} per sample` }, { key: 'diff', header: 'max |Δ| features' }] : []),
    ],
    notes: [
      'ours: buildMaeGraph(…, { encoderOnly: true, K = N }) — upload (pixels, masks, encodings) + forward (one submit) + readback of the features (B, N, E); times are per call of the whole batch, "per sample" divides by B.',
      ...(peer
        ? [
            `${name}: the exportEncoderOnnx model of the same weights (opset 17), InferenceSession with ${JSON.stringify(peer.providers)}, graphOptimizationLevel 'all'; runEncoderSession = input tensors + session.run + getData of every output.`,
            `max |Δ| features: largest absolute difference between our features and ${name}'s on the first call (the peer figure fails above ${FEATURE_AGREEMENT}). Goal: ours ≥ 1.5× faster.`,
          ]
        : []),
    ],
  };
  for (const c of cases) {
    const config = caseConfig(c);
    const flops = encoderForwardFlops(config, INFER_BATCH);
    const ourCfg: MeasureConfig = { ...base, estimateMs: tracker.estimate('ours', flops) };
    const peerCfg: MeasureConfig = { ...base, estimateMs: tracker.estimate('peer', flops) };
    const { ours, peerOutcome, diff } = await figure(env, c, config, peer, ourCfg, peerCfg);
    tracker.record('ours', flops, ours);
    if (peerOutcome) tracker.record('peer', flops, peerOutcome);
    const perSample = (o: Outcome | undefined) => (o?.kind === 'measured' ? fmtMs(o.ms / INFER_BATCH) : '–');
    const cells: Record<string, string> = { oursPer: perSample(ours) };
    if (peer) Object.assign(cells, { peerPer: perSample(peerOutcome), diff: diff === undefined ? '–' : diff.toExponential(1) });
    const row = deriveRow(
      {
        id: `infer/${c.id}`,
        label: c.label,
        shape: caseShape(config, INFER_BATCH, true),
        params: { preset: c.preset, B: INFER_BATCH, flopsPerCall: flops, ...(diff !== undefined ? { maxAbsDiff: diff } : {}) },
        work: INFER_BATCH,
        ours,
        ...(peer ? { peer: peerOutcome } : {}),
        cells,
      },
      section,
    );
    section.rows.push(row);
    const show = (o: Outcome | undefined) => (!o ? '' : o.kind === 'measured' ? `${fmtMs(o.ms)}/batch` : o.kind === 'skipped' ? o.reason : `FAILED ${o.error}`);
    env.log(`[${env.runtime}] infer ${c.id}: ours ${show(ours)}${peer ? `; ${name} ${show(peerOutcome)}, max |Δ| ${diff === undefined ? '–' : fmtNum(diff)}` : ''}`);
  }
  return {
    sections: [section],
    peer: peer?.info ?? null,
    peerAbsent: peer ? undefined : absent,
    timing: `wall clock per call, upload to features on the host${peer ? ` (ours and ${name} alike)` : ''}`,
  };
}

/** One case: both sides built on the same weights and batch, measured interleaved, compared on their first call. */
async function figure(
  env: SuiteEnv,
  c: ModelCase,
  config: MaeConfig,
  peer: OrtPeer | null,
  ourCfg: MeasureConfig,
  peerCfg: MeasureConfig,
): Promise<{ ours: Outcome; peerOutcome?: Outcome; diff?: number }> {
  const { device } = env.ctx;
  const B = INFER_BATCH;
  const layout = buildParamLayout(config);
  const params = initParams(layout, SEED);
  const batch = randomBatch(config, B, SEED + 1);
  const masks = fullMasks(config, B);
  let ours: Outcome | undefined = budgetSkip(ourCfg) ?? undefined;
  let peerOutcome: Outcome | undefined = peer ? (budgetSkip(peerCfg) ?? undefined) : undefined;
  const scope = new ResourceScope(device);
  let session: Ort.InferenceSession | undefined;
  let graph: MaeGraph | undefined;
  let ourFeatures: Float32Array[] | undefined;
  let peerFeatures: Float32Array[] | undefined;
  const items: { runner: Runner; cfg: MeasureConfig; side: 'ours' | 'peer' }[] = [];
  try {
    if (!ours) {
      try {
        const g = await withErrorScopes(device, `building the ${c.id} encoder`, async () => {
          const p = wholeTensor(scope.track(await createBufferFrom(device, 'params', params)), [layout.size], 'params');
          return buildMaeGraph(scope, config, { B, K: masks.map((m) => m.K), params: p, encoderOnly: true });
        });
        graph = g;
        items.push({
          side: 'ours',
          cfg: ourCfg,
          runner: {
            method: 'wall',
            async run(inner) {
              const t0 = performance.now();
              for (let i = 0; i < inner; i++) {
                g.upload(batch, masks);
                submitDispatches(device, g.forward, 'encoder');
                const feats = await Promise.all(g.encoderOut.map((t) => readF32(device, t.buffer, t.offset, t.size)));
                ourFeatures ??= feats;
              }
              const ms = performance.now() - t0;
              return { ms, wallMs: ms };
            },
          },
        });
      } catch (e) {
        ours = { kind: 'failed', error: errorText(e) };
      }
    }
    if (peer && !peerOutcome) {
      try {
        const s = await createEncoderSession(peer.ort, exportEncoderOnnx(config, params), peer.providers);
        session = s;
        const feeds = encoderFeeds(config, batch);
        items.push({
          side: 'peer',
          cfg: peerCfg,
          runner: {
            method: 'wall',
            async run(inner) {
              const t0 = performance.now();
              for (let i = 0; i < inner; i++) {
                const feats = await runEncoderSession(peer.ort, s, config, feeds);
                peerFeatures ??= feats;
              }
              const ms = performance.now() - t0;
              return { ms, wallMs: ms };
            },
          },
        });
      } catch (e) {
        peerOutcome = { kind: 'failed', error: errorText(e) };
      }
    }
    let results: Outcome[] = [];
    try {
      await withErrorScopes(device, `encoder inference ${c.id}`, async () => {
        results = await measureInterleaved(items);
      });
    } catch (e) {
      const i = items.findIndex((x) => x.side === 'ours');
      if (i >= 0) results[i] = { kind: 'failed', error: errorText(e) };
    }
    items.forEach((it, i) => {
      const o = results[i] ?? { kind: 'failed', error: 'no result' };
      if (it.side === 'ours') ours = o;
      else peerOutcome = o;
    });
  } finally {
    await session?.release();
    graph?.destroy();
    scope.dispose();
  }
  let diff: number | undefined;
  if (ourFeatures && peerFeatures) {
    diff = Math.max(...ourFeatures.map((f, g) => maxAbsDiff(f, peerFeatures![g])));
    if (!(diff <= FEATURE_AGREEMENT)) peerOutcome = { kind: 'failed', error: `features differ from ours by max |Δ| ${diff}: not the same computation` };
  }
  return { ours: ours ?? { kind: 'failed', error: 'not run' }, peerOutcome, diff };
}

export const inferSuite: Suite = {
  name: 'infer',
  description: 'encoder inference (our WGSL graph) vs the exported ONNX model on onnxruntime-web (WebGPU EP in the page, wasm in Node)',
  runtimes: ['node', 'browser'],
  sectionIds: MODEL_CASES.map((c) => c.id),
  run,
};
