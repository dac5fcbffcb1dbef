/**
 * Inspect requests, handled in the worker: list the samples, run one masked reconstruction on the current weights,
 * and sweep the masking ratio.
 *
 * Weights: the trainer's (`currentTrainer`, trainHandlers.ts) when one exists, with ITS configuration (the weights
 * belong to it even if the Model settings changed since); otherwise the configuration of the Model section
 * (`currentConfig`, dataHandlers.ts) with the seeded initialisation, so the user sees what masking does before training.
 * Masks: src/model/masking.ts makeMasks on a copy of the configuration with the requested ratio and strategy, drawn
 * from Rng(maskSeed), so a slider move changes only the ratio and "new mask" only the draw.
 * Samples (B = 1) are cached per dataset (reading a tile decodes GeoTIFF windows; re-masking should not).
 * Invariants: nothing here mutates the trainer or the dataset; a failing request leaves the worker state usable; the
 * sweep posts one progress event per forward pass and can be cancelled between passes.
 */
import type { Dataset } from '../../data/dataset';
import { collate, type Batch } from '../../data/sample';
import { Rng } from '../../lib/rng';
import { type MaeConfig, type MaskStrategy, MASK_STRATEGIES, groupTokenCounts } from '../../model/config';
import { lossesFromStats, maeGeometry, segmentLossScales } from '../../model/mae';
import { makeMasks } from '../../model/masking';
import type { Trainer } from '../trainer';
import type {
  InspectRequest,
  InspectRunParams,
  InspectRunReply,
  InspectSampleList,
  InspectStrategy,
  InspectWeightsInfo,
  StrategyInfo,
  SweepParams,
  SweepPoint,
  SweepResult,
} from '../protocol/inspect';
import type { WorkerState } from './context';
import { currentConfig, currentDataset } from './dataHandlers';
import { assembleInspection, findRgb, transferablesOf } from './inspectAssemble';
import { InspectEngine, type WeightsSource } from './inspectEngine';
import { renderOverlay, type RenderedOverlay } from './inspectOverlay';
import { drawInspectSample, tileLabel } from './inspectSample';
import { currentTrainer } from './trainHandlers';

/** How the selector presents each strategy (a Record, so a new strategy in the model must be described here). */
const STRATEGY_TEXT: Record<MaskStrategy, Omit<StrategyInfo, 'id'>> = {
  random: { label: 'Random', help: 'Any patch of any date or band group may be hidden (MAE random masking, with MAESTRO’s exact count).' },
  structured: {
    label: 'Structured (MAESTRO)',
    help: 'Whole dates, location tubes across dates and whole modalities are dropped first, then random patches fill the budget.',
  },
  anchor: {
    label: 'Anchor-aware (A²-MAE-style)',
    help: 'One anchor image per sample is masked at the ratio; the other images hide more where the anchor is visible and less where it is hidden, so together they cover complementary ground.',
  },
};

/** Seed of the initial weights shown before any training (the studio's default training seed); the ONNX card, the
 *  PCA map and the probes use the same weights (encoderSource.ts). */
export const INIT_SEED = 0;
/** Samples kept decoded (validation tiles and random windows). */
const MAX_SAMPLES = 8;

interface CachedSample {
  dataset: Dataset;
  key: string;
  id: string;
  label: string;
  batch: Batch;
}

interface InspectWorkerState {
  engine: InspectEngine | null;
  runId: number;
  samples: CachedSample[];
  sweeping: boolean;
  cancelSweep: boolean;
}

function inspectState(state: WorkerState): InspectWorkerState {
  if (!state.inspect) state.inspect = { engine: null, runId: 0, samples: [], sweeping: false, cancelSweep: false } satisfies InspectWorkerState;
  return state.inspect as InspectWorkerState;
}

// ---------------------------------------------------------------------------------------------------------------
// Model, weights and samples

interface ResolvedModel {
  config: MaeConfig;
  trainer: Trainer | null;
}

function resolveModel(state: WorkerState): ResolvedModel {
  const trainer = currentTrainer(state);
  return trainer ? { config: trainer.config, trainer } : { config: currentConfig(state), trainer: null };
}

function weightsInfo(model: ResolvedModel, step: number): InspectWeightsInfo {
  const preset = model.config.preset;
  if (!model.trainer) return { source: 'initial', step: 0, preset, note: `Random initial weights (seed ${INIT_SEED}): nothing is learned yet, train the model to see real reconstructions.` };
  return { source: 'trained', step, preset, note: step === 0 ? 'Initial weights of the training run (no step taken yet).' : `Weights after ${step} training step${step === 1 ? '' : 's'}.` };
}

/**
 * The weights resolver handed to the engine: called synchronously right before the submit. It refuses a trainer that
 * was replaced since the model was resolved (its configuration may differ) and records the step actually read.
 */
function weightsResolver(state: WorkerState, model: ResolvedModel, seen: { step: number }): () => WeightsSource {
  return () => {
    if (!model.trainer) return { kind: 'init', seed: INIT_SEED };
    const now = currentTrainer(state);
    if (now !== model.trainer) throw new Error('The training run was replaced while inspecting; run the inspection again.');
    seen.step = now.step;
    return { kind: 'tensor', params: now.params };
  };
}

function engineFor(st: InspectWorkerState, device: GPUDevice): InspectEngine {
  if (st.engine && st.engine.device !== device) {
    st.engine.destroy();
    st.engine = null;
  }
  return (st.engine ??= new InspectEngine(device));
}

async function sampleFor(st: InspectWorkerState, dataset: Dataset, choice: InspectRunParams['sample']): Promise<CachedSample> {
  const key = choice.kind === 'tile' ? `tile:${choice.index}` : `random:${choice.seed}`;
  const hit = st.samples.find((s) => s.dataset === dataset && s.key === key);
  if (hit) return hit;
  const { id, label, sample } = await drawInspectSample(dataset, choice);
  const entry: CachedSample = { dataset, key, id, label, batch: collate([sample]) };
  st.samples = [entry, ...st.samples.filter((s) => s.dataset === dataset)].slice(0, MAX_SAMPLES);
  return entry;
}

/**
 * Throws a plain-language error when loaded data (a Sample or a Batch: per modality its dates, bands and size) does
 * not fit the model the weights belong to.
 */
export function assertDataFits(config: MaeConfig, data: { modalities: Record<string, { T: number; C: number; H: number; W: number }> }): void {
  for (const mod of config.modalities) {
    const mb = data.modalities[mod.name];
    if (!mb) throw new Error(`The model was built for a modality "${mod.name}" that the loaded data does not have. Rebuild the model in the Model section (or load the data it was trained on).`);
    if (mb.T !== mod.dates || mb.C !== mod.bands.length || mb.H !== mod.imageSize || mb.W !== mod.imageSize) {
      throw new Error(
        `The model expects ${mod.name} samples of ${mod.imageSize}×${mod.imageSize} px with ${mod.bands.length} bands and ${mod.dates} date(s), ` +
          `but the loaded data gives ${mb.H}×${mb.W} px with ${mb.C} bands and ${mb.T} date(s). Rebuild the model in the Model section, or train again.`,
      );
    }
  }
}

/** The configuration with the requested masking, validated so every group keeps ≥ 1 visible and ≥ 1 masked token. */
function withMasking(config: MaeConfig, ratio: number, strategy: InspectStrategy): MaeConfig {
  if (!(ratio > 0 && ratio < 1)) throw new Error(`The masking ratio must be between 0 and 1, got ${ratio}.`);
  if (!MASK_STRATEGIES.includes(strategy)) throw new Error(`Unknown masking strategy "${strategy}".`);
  const c: MaeConfig = { ...config, masking: { ...config.masking, ratio, strategy } };
  groupTokenCounts(c).forEach((n, g) => {
    const name = c.groups[g].name;
    if (n.K < 1) throw new Error(`A masking ratio of ${ratio} hides all ${n.N} patches of "${name}"; choose a lower ratio.`);
    if (n.masked < 1) throw new Error(`A masking ratio of ${ratio} hides none of the ${n.N} patches of "${name}"; choose a higher ratio.`);
  });
  return c;
}

/** Common names (red, green, …) of each dataset band from the inspected file records. */
function commonNames(dataset: Dataset, modality: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const sanitize = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
  for (const r of dataset.records) {
    if (!r.ok || sanitize(r.recognition.modality) !== modality) continue;
    for (const b of r.bandInfo) if (b.common && !out.has(b.name)) out.set(b.name, b.common);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

async function listSamples(state: WorkerState): Promise<InspectSampleList> {
  const dataset = currentDataset(state);
  const model = resolveModel(state);
  return {
    tiles: dataset.validationTiles().map((_, i) => ({ index: i, label: tileLabel(dataset, i) })),
    modalities: model.config.modalities.map((m) => m.name),
    weights: weightsInfo(model, model.trainer?.step ?? 0),
    defaults: { ratio: model.config.masking.ratio, strategy: model.config.masking.strategy },
    strategies: MASK_STRATEGIES.map((id) => ({ id, ...STRATEGY_TEXT[id] })),
  };
}

async function run(state: WorkerState, params: InspectRunParams): Promise<{ value: InspectRunReply; transfer: Transferable[] }> {
  const t0 = performance.now();
  const st = inspectState(state);
  const runId = ++st.runId;
  const dataset = currentDataset(state);
  const model = resolveModel(state);
  const { config } = model;
  const masked = withMasking(config, params.ratio, params.strategy);
  const ctx = await state.device();
  const engine = engineFor(st, ctx.device);
  const sample = await sampleFor(st, dataset, params.sample);
  assertDataFits(config, sample.batch);
  // The batch carries the dates and footprints the anchor-aware strategy needs (a Batch satisfies MaskingMeta).
  const masks = makeMasks(masked, 1, new Rng(params.maskSeed, 99), sample.batch);
  const geometry = maeGeometry(config);
  const seen = { step: model.trainer?.step ?? 0 };
  const fwd = await engine.forward(config, sample.batch, masks, weightsResolver(state, model, seen), true);
  const { loss, modalityLoss } = lossesFromStats(config, geometry, fwd.stats, segmentLossScales(config, geometry, masks));
  const rgb: Record<string, readonly [number, number, number] | null> = {};
  const units: Record<string, string> = {};
  for (const mod of config.modalities) {
    rgb[mod.name] = findRgb(mod.bands, commonNames(dataset, mod.name));
    units[mod.name] = dataset.modalities.find((m) => m.name.replace(/[^A-Za-z0-9_]/g, '_') === mod.name)?.unit ?? '';
  }
  const { modalities, pixels } = assembleInspection({ config, geometry, batch: sample.batch, masks, outputs: fwd.outputs!, rgb, units });
  let overlay: RenderedOverlay;
  try {
    overlay = renderOverlay(config, sample.batch, masks);
  } catch (e) {
    // The overlay only describes the masks; the reconstruction stands without it.
    overlay = { meta: null, pixels: null, note: `The ground overlay could not be drawn: ${e instanceof Error ? e.message : String(e)}` };
  }
  const maskedTokens = masks.reduce((a, m) => a + (m.N - m.K), 0);
  const totalTokens = masks.reduce((a, m) => a + m.N, 0);
  return {
    value: {
      meta: {
        runId,
        sampleId: sample.id,
        sampleLabel: sample.label,
        ratio: params.ratio,
        strategy: params.strategy,
        maskSeed: params.maskSeed,
        weights: weightsInfo(model, seen.step),
        loss,
        modalityLoss: config.modalities.map((m, i) => ({ modality: m.name, loss: modalityLoss[i] })),
        groups: masks.map((m) => ({ name: m.group, N: m.N, masked: m.N - m.K, visible: m.K })),
        maskedTokens,
        totalTokens,
        ms: { total: performance.now() - t0, forward: fwd.ms },
        modalities,
        overlay: overlay.meta,
        overlayNote: overlay.note,
      },
      pixels,
      overlay: overlay.pixels,
    },
    transfer: [...transferablesOf(pixels), ...(overlay.pixels ? [overlay.pixels.images.buffer, overlay.pixels.seen.buffer] : [])],
  };
}

async function sweep(state: WorkerState, params: SweepParams): Promise<SweepResult> {
  const st = inspectState(state);
  if (st.sweeping) throw new Error('A ratio sweep is already running; cancel it first.');
  // Claimed before the first await, so a second request cannot slip in while this one prepares.
  st.sweeping = true;
  st.cancelSweep = false;
  try {
    return await sweepNow(state, st, params);
  } finally {
    st.sweeping = false;
  }
}

async function sweepNow(state: WorkerState, st: InspectWorkerState, params: SweepParams): Promise<SweepResult> {
  const t0 = performance.now();
  const dataset = currentDataset(state);
  const model = resolveModel(state);
  const { config } = model;
  if (params.ratios.length === 0) throw new Error('The sweep needs at least one masking ratio.');
  const configs = params.ratios.map((r) => withMasking(config, r, params.strategy));
  if (!(Number.isInteger(params.tiles) && params.tiles >= 1 && Number.isInteger(params.draws) && params.draws >= 1)) {
    throw new Error('The sweep needs at least one tile and one mask draw.');
  }
  const ctx = await state.device();
  const engine = engineFor(st, ctx.device);
  // Validation tiles when the dataset has them, else seeded random windows (a dataset too small to tile).
  const nTiles = dataset.tileCount > 0 ? Math.min(params.tiles, dataset.tileCount) : params.tiles;
  const choices = Array.from({ length: nTiles }, (_, i): InspectRunParams['sample'] => (dataset.tileCount > 0 ? { kind: 'tile', index: i } : { kind: 'random', seed: i }));
  const geometry = maeGeometry(config);
  const total = configs.length * nTiles * params.draws;
  const points: SweepPoint[] = [];
  const seen = { step: model.trainer?.step ?? 0 };
  let done = 0;
  for (const [ri, mc] of configs.entries()) {
    const losses: number[] = [];
    for (const [ti, choice] of choices.entries()) {
      const sample = await sampleFor(st, dataset, choice);
      assertDataFits(config, sample.batch);
      for (let d = 0; d < params.draws && !st.cancelSweep; d++) {
        // The same draws at every ratio (seeded by tile and draw), so the curve compares like with like.
        const masks = makeMasks(mc, 1, new Rng(1000 + d, 7 + ti), sample.batch);
        const fwd = await engine.forward(config, sample.batch, masks, weightsResolver(state, model, seen), false);
        losses.push(lossesFromStats(config, geometry, fwd.stats, segmentLossScales(config, geometry, masks)).loss);
        done++;
        state.post({ kind: 'inspect.sweepProgress', done, total, points: [...points] });
      }
      if (st.cancelSweep) break;
    }
    if (losses.length === 0) break;
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    const std = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / losses.length);
    points.push({ ratio: params.ratios[ri], mean, min: Math.min(...losses), max: Math.max(...losses), std, n: losses.length });
    state.post({ kind: 'inspect.sweepProgress', done, total, points: [...points] });
    if (st.cancelSweep) break;
  }
  return { points, weights: weightsInfo(model, seen.step), cancelled: st.cancelSweep, ms: performance.now() - t0 };
}

export async function handleInspectRequest(state: WorkerState, req: InspectRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  switch (req.kind) {
    case 'inspect.samples':
      return { value: await listSamples(state) };
    case 'inspect.run':
      return run(state, req.params);
    case 'inspect.sweep':
      return { value: await sweep(state, req.params) };
    case 'inspect.cancelSweep':
      inspectState(state).cancelSweep = true;
      return { value: null };
    default: {
      const never: never = req;
      throw new Error(`unknown request ${(never as { kind: string }).kind}`);
    }
  }
}
