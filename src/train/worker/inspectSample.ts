/**
 * "The current Inspect sample": validation tile i of the loaded dataset, or an un-augmented random window drawn with
 * Rng(seed, 4242). Inspect, the ONNX check and the PCA map all read samples through here, so they show the same
 * pixels for the same choice.
 */
import type { Dataset } from '../../data/dataset';
import type { Sample } from '../../data/sample';
import { Rng } from '../../lib/rng';
import type { InspectSampleChoice } from '../protocol/inspect';

export interface DrawnSample {
  id: string;
  /** "Tile 2 · loc · x 16, y 0" or "Random window · id", for the panels. */
  label: string;
  sample: Sample;
}

export function tileLabel(dataset: Dataset, index: number): string {
  const t = dataset.validationTiles()[index];
  return `Tile ${index + 1} · ${t.location} · x ${Math.round(t.col)}, y ${Math.round(t.row)}`;
}

/** Reads the chosen sample; a tile index outside the dataset is a plain-language error. */
export async function drawInspectSample(dataset: Dataset, choice: InspectSampleChoice): Promise<DrawnSample> {
  if (choice.kind === 'tile') {
    if (!(Number.isInteger(choice.index) && choice.index >= 0 && choice.index < dataset.tileCount)) {
      throw new Error(`The dataset has ${dataset.tileCount} validation tile${dataset.tileCount === 1 ? '' : 's'}; tile ${choice.index + 1} does not exist.`);
    }
    const s = await dataset.tile(choice.index);
    return { id: s.id, label: tileLabel(dataset, choice.index), sample: s };
  }
  // Un-augmented, so what the user sees is the ground as it lies; the seed makes "random" reproducible.
  const s = await dataset.sample(new Rng(choice.seed, 4242), false);
  return { id: s.id, label: `Random window · ${s.id}`, sample: s };
}
