/**
 * `npm run bench -- train`: whole training steps of our trainer (src/train/trainer.ts: forward, hand-written
 * backward, gradient norm, AdamW) against the same model in TensorFlow.js (bench/peers/tfjsMae.ts: tape autograd +
 * tf.train.adam with decoupled weight decay) on the `webgpu` backend in the same page, plus the GPU memory our
 * trainer allocates against the analytic minimum of src/model/estimate.ts.
 *
 * Cases (ids for --only): tiny16, tiny, small — the tiny and small presets on one S2-like modality, plus the tiny
 * preset on 16 px images for software adapters (bench/suites/modelCases.ts), batch 2.
 * Both sides train on one fixed synthetic batch with fixed masks (the data pipeline is the data suite's business),
 * start from the same initial weights, and use the same AdamW hyper-parameters at a constant learning rate; the
 * step-1 losses must agree (the peer figure fails otherwise: it would not be the same computation).
 *
 * A figure is the wall time of one optimizer step as a training loop sees it, loss read back every step on both
 * sides: ours = Trainer.trainStep() (batch upload, one forward+backward submit, loss/grad-norm readback, AdamW
 * submit); TF.js = tf.variableGrads → loss readback → weight decay + applyGradients. After the last step of a
 * repetition both wait for their queue to drain. Budgets follow bench/measure.ts; the small preset's cost is
 * predicted from the tiny one's time per FLOP (estimateModel), so on a software adapter it is skipped, never guessed.
 * In Node there is no peer (TF.js's webgpu backend needs a page).
 */
import { withErrorScopes } from '../../src/gpu/errors';
import { estimateModel } from '../../src/model/estimate';
import { randomBatch } from '../../src/model/testing/batches';
import { buildParamLayout, initParams } from '../../src/model/params';
import { DEFAULT_OPTIMIZER, Trainer, type BatchSource, type TrainerOptions } from '../../src/train/trainer';
import { fmtNum, fmtRatio } from '../format';
import { budgetSkip, measureInterleaved, RateTracker, type MeasureConfig, type Outcome, type Runner } from '../measure';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { startTfjsWebgpu, tfjsFinish } from '../peers/tfjs';
import type { AdamwHyper, createTfjsMae, TfjsMae } from '../peers/tfjsMae';
import { deriveRow, type PeerInfo, type Section } from '../report';
import { caseConfig, caseShape, MODEL_CASES, stepTokens, TRAIN_BATCH, type ModelCase } from './modelCases';
import type { Suite, SuiteEnv, SuiteOutput } from './types';

const NODE_NO_PEER = "TF.js's webgpu backend needs navigator.gpu in a page and does not run in Node, so the Node table has no peer column";

/** Constant learning rate and MAESTRO's AdamW settings, identical on both sides. */
const HYPER: AdamwHyper = { lr: 1e-4, beta1: DEFAULT_OPTIMIZER.beta1, beta2: DEFAULT_OPTIMIZER.beta2, eps: DEFAULT_OPTIMIZER.eps, weightDecay: DEFAULT_OPTIMIZER.weightDecay };
const SEED = 7;
/** Largest relative difference of the step-1 losses accepted as "the same computation" (float32 rounding). */
const LOSS_AGREEMENT = 1e-3;

/** TF.js, loaded only in the page (dynamic imports keep tfjs-backend-webgpu out of Node). */
interface Peer {
  tf: typeof TfCore;
  backend: Awaited<ReturnType<typeof startTfjsWebgpu>>;
  createTfjsMae: typeof createTfjsMae;
  tfjsFinish: typeof tfjsFinish;
  info: PeerInfo;
}

async function startPeer(env: SuiteEnv): Promise<{ peer: Peer | null; absent?: string }> {
  if (env.runtime !== 'browser') return { peer: null, absent: NODE_NO_PEER };
  try {
    const [tf, tfjs, mae] = await Promise.all([import('@tensorflow/tfjs-core'), import('../peers/tfjs'), import('../peers/tfjsMae')]);
    const backend = await tfjs.startTfjsWebgpu();
    return { peer: { tf, backend, createTfjsMae: mae.createTfjsMae, tfjsFinish: tfjs.tfjsFinish, info: { name: 'TF.js', version: tf.version_core, backend: 'webgpu' } } };
  } catch (e) {
    return { peer: null, absent: `TF.js webgpu backend failed to start: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const MB = (bytes: number) => fmtNum(bytes / 1e6);
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Our side of a case: the trainer, its runner (steps, then a drained queue) and the first loss it reported. */
async function buildOurs(env: SuiteEnv, c: ModelCase): Promise<{ trainer: Trainer; runner: Runner; firstLoss: () => number | undefined }> {
  const config = caseConfig(c);
  const batch = randomBatch(config, TRAIN_BATCH, SEED);
  // One fixed batch: the step is measured, not the synthetic data generator.
  const source: BatchSource = { batch: async () => batch };
  const opts: TrainerOptions = {
    config,
    batchSize: TRAIN_BATCH,
    seed: SEED,
    fixedMasks: true,
    optimizer: { ...DEFAULT_OPTIMIZER, schedule: { kind: 'constant', lr: HYPER.lr } },
  };
  const { device } = env.ctx;
  const trainer = await withErrorScopes(device, `building the ${c.id} trainer`, () => Trainer.create(device, opts, source));
  let first: number | undefined;
  const runner: Runner = {
    method: 'wall',
    async run(inner) {
      const t0 = performance.now();
      for (let i = 0; i < inner; i++) {
        const m = await trainer.trainStep();
        first ??= m.loss;
      }
      await device.queue.onSubmittedWorkDone();
      const ms = performance.now() - t0;
      return { ms, wallMs: ms };
    },
  };
  return { trainer, runner, firstLoss: () => first };
}

/** The peer's side: the TF.js model on our trainer's step-0 batch, masks and initial weights. */
async function buildPeer(peer: Peer, trainer: Trainer): Promise<{ model: TfjsMae; runner: Runner; initialLoss: number }> {
  const { batch, masks } = await trainer.inputsFor(0);
  const params = initParams(buildParamLayout(trainer.config), SEED); // what Trainer.create initialised ours with
  const model = peer.createTfjsMae(trainer.config, params, batch, masks, HYPER);
  const initial = peer.tf.tidy(() => model.loss());
  const initialLoss = (await initial.data())[0];
  initial.dispose();
  const runner: Runner = {
    method: 'wall',
    async run(inner) {
      const t0 = performance.now();
      for (let i = 0; i < inner; i++) await model.step();
      await peer.tfjsFinish(peer.backend);
      const ms = performance.now() - t0;
      return { ms, wallMs: ms };
    },
  };
  return { model, runner, initialLoss };
}

async function run(env: SuiteEnv): Promise<SuiteOutput> {
  const cases = MODEL_CASES.filter((c) => env.options.only.length === 0 || env.options.only.includes(c.id));
  const { peer, absent } = await startPeer(env);
  const base: Omit<MeasureConfig, 'estimateMs'> = {
    budgetMs: env.options.budgetS * 1000,
    minReps: 3,
    maxReps: env.options.quick ? 5 : 10,
    minRepMs: env.options.quick ? 10 : 25,
    maxInner: 100,
    isSoftware: env.ctx.report.isSoftware,
  };
  const tracker = new RateTracker();
  const name = peer?.info.name ?? 'peer';
  const section: Section = {
    id: 'train',
    title: 'Training step (forward + backward + AdamW), steps/s, tokens/s and GPU memory',
    rate: { name: 'tokens/s', scale: 1 },
    work: { name: 'tokens/step', scale: 1 },
    vsPeak: false,
    rows: [],
    columns: [
      { key: 'oursSteps', header: 'ours steps/s' },
      ...(peer ? [{ key: 'peerSteps', header: `${name} steps/s` }] : []),
      { key: 'alloc', header: 'ours GPU MB' },
      { key: 'min', header: 'analytic min MB' },
      { key: 'ratio', header: 'alloc / min' },
      ...(peer ? [{ key: 'peerAlloc', header: `${name} GPU MB` }] : []),
    ],
    notes: [
      'ours: src/train/trainer.ts Trainer.trainStep() — batch upload, forward+backward in one submit, loss and gradient-norm readback (NaN guard), AdamW submit; one fixed synthetic batch (src/model/testing/batches.ts), fixed masks.',
      'tokens/step = B·N (every token of the batch: the encoder sees K of them, the decoder reconstructs all N); steps/s = 1 / median step time.',
      'GPU MB: Trainer.allocatedBytes (parameters, gradients, both AdamW moments, every activation and scratch buffer); analytic min: estimateModel(config, B).bytes.total (src/model/estimate.ts); goal alloc / min ≤ 1.5×.',
      ...(peer
        ? [
            `${name}: bench/peers/tfjsMae.ts, the same model in tfjs-core ops (tf.fused.matMul linears, tf.moments norms, erf GELU, tf.gather for visible tokens and mask tokens), tf.variableGrads, loss readback, weight decay p·(1 − lr·wd) then tf.train.adam applyGradients; same initial weights, batch, masks and AdamW settings (lr ${HYPER.lr} constant, β ${HYPER.beta1}/${HYPER.beta2}, ε ${HYPER.eps}, wd ${HYPER.weightDecay}). Its loss and gradients match the float64 reference in bench/peers/tfjsMae.test.ts.`,
            `${name} GPU MB: tf.memory().numBytesAllocatedInGPU after the figure (its buffer manager's pool, free buffers included). Goal: ours ≥ 3× ${name} steps/s.`,
          ]
        : []),
    ],
  };
  for (const c of cases) {
    const config = caseConfig(c);
    const est = estimateModel(config, TRAIN_BATCH);
    const work = stepTokens(config, TRAIN_BATCH);
    const ourCfg: MeasureConfig = { ...base, estimateMs: tracker.estimate('ours', est.flops.total) };
    const peerCfg: MeasureConfig = { ...base, estimateMs: tracker.estimate('peer', est.flops.total) };
    const cells: Record<string, string> = { min: MB(est.bytes.total) };
    const params: Record<string, number | string> = { preset: c.preset, B: TRAIN_BATCH, N: est.tokens[0].N, K: est.tokens[0].K, flopsPerStep: est.flops.total, analyticBytes: est.bytes.total };
    let ours: Outcome | undefined;
    let peerOutcome: Outcome | undefined = peer ? (budgetSkip(peerCfg) ?? undefined) : undefined;
    let built: Awaited<ReturnType<typeof buildOurs>> | undefined;
    let peerBuilt: Awaited<ReturnType<typeof buildPeer>> | undefined;
    try {
      try {
        built = await buildOurs(env, c);
        const alloc = built.trainer.allocatedBytes;
        Object.assign(cells, { alloc: MB(alloc), ratio: fmtRatio(alloc / est.bytes.total) });
        params.allocatedBytes = alloc;
      } catch (e) {
        ours = { kind: 'failed', error: errorText(e) };
      }
      if (peer && !peerOutcome && built) {
        try {
          peerBuilt = await buildPeer(peer, built.trainer);
          params.peerInitialLoss = peerBuilt.initialLoss;
        } catch (e) {
          peerOutcome = { kind: 'failed', error: errorText(e) };
        }
      }
      const items = [...(built && !ours ? [{ runner: built.runner, cfg: ourCfg }] : []), ...(peerBuilt ? [{ runner: peerBuilt.runner, cfg: peerCfg }] : [])];
      let results: Outcome[] = [];
      try {
        await withErrorScopes(env.ctx.device, `training ${c.id}`, async () => {
          results = await measureInterleaved(items);
        });
      } catch (e) {
        // A WebGPU error on our device invalidates our figure only.
        if (built && !ours) results[0] = { kind: 'failed', error: errorText(e) };
      }
      if (built && !ours) ours = results[0] ?? { kind: 'failed', error: 'no result' };
      if (peerBuilt) peerOutcome = results[built && items[0]?.runner === built.runner ? 1 : 0] ?? { kind: 'failed', error: 'no result' };
      const oursLoss = built?.firstLoss();
      if (oursLoss !== undefined) params.oursStep1Loss = oursLoss;
      if (peerBuilt && oursLoss !== undefined) {
        const rel = Math.abs(peerBuilt.initialLoss - oursLoss) / Math.abs(oursLoss);
        params.step1LossRelDiff = rel;
        if (!(rel <= LOSS_AGREEMENT))
          peerOutcome = { kind: 'failed', error: `step-1 loss ${peerBuilt.initialLoss} differs from ours ${oursLoss} by ${(rel * 100).toFixed(2)} %: not the same computation` };
      }
      if (peer && peerBuilt) {
        // The webgpu backend's tf.memory() adds its buffer manager's totals (tfjs-backend-webgpu backend_webgpu.ts).
        const mem = peer.tf.memory() as { numBytesAllocatedInGPU?: number };
        if (mem.numBytesAllocatedInGPU !== undefined) {
          cells.peerAlloc = MB(mem.numBytesAllocatedInGPU);
          params.peerAllocatedBytes = mem.numBytesAllocatedInGPU;
        }
      }
    } finally {
      peerBuilt?.model.dispose();
      built?.trainer.destroy();
    }
    const oursFinal = ours ?? { kind: 'failed', error: 'not run' };
    tracker.record('ours', est.flops.total, oursFinal);
    if (peerOutcome) tracker.record('peer', est.flops.total, peerOutcome);
    const stepsPerS = (o: Outcome | undefined) => (o?.kind === 'measured' ? fmtNum(1000 / o.ms) : '–');
    cells.oursSteps = stepsPerS(oursFinal);
    if (peer) cells.peerSteps = stepsPerS(peerOutcome);
    const row = deriveRow({ id: `train/${c.id}`, label: c.label, shape: caseShape(config, TRAIN_BATCH), params, work, ours: oursFinal, ...(peer ? { peer: peerOutcome } : {}), cells }, section);
    section.rows.push(row);
    const show = (o: Outcome | undefined) => (!o ? '' : o.kind === 'measured' ? `${o.ms.toFixed(0)} ms/step` : o.kind === 'skipped' ? o.reason : `FAILED ${o.error}`);
    env.log(`[${env.runtime}] train ${c.id}: ours ${show(oursFinal)}, ${cells.alloc ?? '?'} MB (min ${cells.min})${peer ? `; ${name} ${show(peerOutcome)}` : ''}`);
  }
  const losses = section.rows
    .filter((r) => r.params.step1LossRelDiff !== undefined)
      .map((r) => `${r.label}: ours ${Number(r.params.oursStep1Loss).toPrecision(6)}, ${name} ${Number(r.params.peerInitialLoss).toPrecision(6)}`);
  if (losses.length) section.notes.push(`step-1 losses (same weights, batch, masks): ${losses.join('; ')}.`);
  peer?.tf.disposeVariables();
  return {
    sections: [section],
    peer: peer?.info ?? null,
    peerAbsent: peer ? undefined : absent,
    timing: `wall clock per optimizer step, loss read back every step, queue drained after the last step of a repetition${peer ? ` (ours and ${name} alike)` : ''}`,
  };
}

export const trainSuite: Suite = {
  name: 'train',
  description: 'whole training steps (forward, backward, AdamW) and GPU memory vs the same model in TensorFlow.js (webgpu) in the same page',
  runtimes: ['node', 'browser'],
  sectionIds: MODEL_CASES.map((c) => c.id),
  run,
};
