/**
 * Where the encoder requests get their inputs: the current weights as a flat CPU array (params.ts layout) with their
 * configuration, and one real sample of the loaded dataset chosen as Inspect chooses it.
 *
 * Weights follow Inspect's rule (inspectHandlers.ts): the trainer's parameters when a trainer exists — read at a step
 * boundary with a running loop parked meanwhile, so the array is one consistent step — with the trainer's OWN
 * configuration (the weights belong to it even if the Model settings changed since); otherwise the Model section's
 * configuration with the seeded initialisation (seed INIT_SEED, the seed Inspect shows before training), so export and
 * the PCA map work before any training.
 * Samples: validation tile i, or an un-augmented random window drawn with Rng(seed, 4242) — exactly the draw of
 * inspectHandlers.ts `sampleFor`, so "the current Inspect sample" is the same pixels here. A few are cached per
 * dataset because reading one decodes GeoTIFF windows.
 */
import type { Dataset } from '../../data/dataset';
import type { Sample } from '../../data/sample';
import { readF32 } from '../../gpu/readback';
import type { MaeConfig } from '../../model/config';
import { buildParamLayout, initParams } from '../../model/params';
import type { EncoderWeightsInfo, InspectSampleChoice } from '../protocol/encoder';
import type { WorkerState } from './context';
import { currentConfig, currentDataset } from './dataHandlers';
import { drawInspectSample } from './inspectSample';
import { INIT_SEED } from './inspectHandlers';
import { currentTrainer, pauseForInspection } from './trainHandlers';

export { INIT_SEED };
const MAX_SAMPLES = 4;

export interface CurrentWeights {
  config: MaeConfig;
  /** (layout.size) flat parameters, params.ts layout. */
  params: Float32Array;
  info: EncoderWeightsInfo;
}

/** The configuration the current weights belong to, without reading them (for cheap checks). */
export function currentWeightsConfig(state: WorkerState): { config: MaeConfig; info: EncoderWeightsInfo } {
  const trainer = currentTrainer(state);
  const config = trainer ? trainer.config : currentConfig(state);
  return { config, info: weightsInfo(config.preset, trainer ? trainer.step : null) };
}

/** `step` null = initial weights (no trainer). */
export function weightsInfo(preset: string, step: number | null): EncoderWeightsInfo {
  if (step === null) return { source: 'initial', step: 0, preset, note: `Random initial weights (seed ${INIT_SEED}): nothing is learned yet, train the model for meaningful features.` };
  return { source: 'trained', step, preset, note: step === 0 ? 'Initial weights of the training run (no step taken yet).' : `Weights after ${step} training step${step === 1 ? '' : 's'}.` };
}

/** Reads the current weights to the CPU (see the file header for which ones). */
export async function readCurrentWeights(state: WorkerState): Promise<CurrentWeights> {
  const trainer = currentTrainer(state);
  if (!trainer) {
    const config = currentConfig(state);
    return { config, params: initParams(buildParamLayout(config), INIT_SEED), info: weightsInfo(config.preset, null) };
  }
  const release = await pauseForInspection(state);
  try {
    // Re-check after the wait: a run replaced meanwhile has another configuration.
    if (currentTrainer(state) !== trainer) throw new Error('The training run was replaced while reading its weights; try again.');
    const size = buildParamLayout(trainer.config).size;
    const step = trainer.step;
    const params = await readF32(trainer.device, trainer.params.buffer, trainer.params.offset, size);
    return { config: trainer.config, params, info: weightsInfo(trainer.config.preset, step) };
  } finally {
    release();
  }
}

export interface ChosenSample {
  choice: InspectSampleChoice;
  id: string;
  label: string;
  sample: Sample;
}

interface SampleCache {
  dataset: Dataset;
  entries: ChosenSample[];
}

const caches = new WeakMap<WorkerState, SampleCache>();

/** Reads the chosen sample of the current dataset; a dataset without validation tiles gives random window 1 instead. */
export async function readSample(state: WorkerState, choice: InspectSampleChoice): Promise<ChosenSample> {
  const dataset = currentDataset(state);
  let c = choice;
  if (c.kind === 'tile' && dataset.tileCount === 0) c = { kind: 'random', seed: 1 };
  let cache = caches.get(state);
  if (!cache || cache.dataset !== dataset) caches.set(state, (cache = { dataset, entries: [] }));
  const key = JSON.stringify(c);
  const hit = cache.entries.find((e) => JSON.stringify(e.choice) === key);
  if (hit) return hit;
  const entry: ChosenSample = { choice: c, ...(await drawInspectSample(dataset, c)) };
  cache.entries = [entry, ...cache.entries].slice(0, MAX_SAMPLES);
  return entry;
}

