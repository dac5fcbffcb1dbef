/**
 * The inputs of the exported encoder for one Batch: pixels_<m> (B, T, C, H, W) as the data pipeline delivers them and
 * dates_<m> (B, T, 8), the date encoding computed here with encodings.ts exactly as the training graph computes it
 * (relative to config.dateEncoding.reference; all zeros when the date encoding is disabled); with a geographic
 * encoding, geo_<group> (B, N_g, Fg), the features geo.ts geoFeatureMatrices gives the training graph (from each
 * sample's footprint and the modality's GSD).
 *
 * Invariant: one feed per input of encoderOnnxSignature(config), in the same order, float32, batch dimension B.
 * Reference: src/model/encodings.ts (dateEncoding, referenceDate), src/model/mae.ts `upload`.
 */
import type { Batch } from '../data/sample';
import { assert } from '../lib/assert';
import type { MaeConfig } from '../model/config';
import { DATE_DIM, dateEncoding, referenceDate } from '../model/encodings';
import { geoFeatureMatrices, geoFeatureWidth } from '../model/geo';
import { datesInputName, geoInputName, pixelsInputName } from './encoderOnnx';

export interface FloatFeed {
  data: Float32Array;
  dims: number[];
}

/** (B, T, 8) date encoding of modality `name` for every sample of the batch. */
export function dateFeed(config: MaeConfig, batch: Batch, name: string): Float32Array {
  const m = config.modalities.find((x) => x.name === name);
  assert(m, () => `config has no modality "${name}"`);
  const mb = batch.modalities[name];
  assert(mb, () => `batch has no modality "${name}"`);
  const T = m.dates;
  const out = new Float32Array(batch.B * T * DATE_DIM); // (B, T, 8)
  for (let b = 0; b < batch.B; b++) {
    assert(mb.dates[b]?.length === T, () => `modality "${name}" sample ${b} has ${mb.dates[b]?.length} dates, config says ${T}`);
    const ref = referenceDate(config, batch, b);
    for (let t = 0; t < T; t++) out.set(dateEncoding(mb.dates[b][t], ref, config.dateEncoding.enabled), (b * T + t) * DATE_DIM);
  }
  return out;
}

/** Named feeds for every input of the exported encoder. */
export function encoderFeeds(config: MaeConfig, batch: Batch): Record<string, FloatFeed> {
  const feeds: Record<string, FloatFeed> = {};
  for (const m of config.modalities) {
    const mb = batch.modalities[m.name];
    assert(mb, () => `batch has no modality "${m.name}"`);
    const dims = [batch.B, m.dates, m.bands.length, m.imageSize, m.imageSize];
    assert(
      mb.B === batch.B && mb.T === dims[1] && mb.C === dims[2] && mb.H === dims[3] && mb.W === dims[4],
      () => `modality "${m.name}" batch is (${mb.B},${mb.T},${mb.C},${mb.H},${mb.W}), the encoder expects (${dims.join(',')})`,
    );
    feeds[pixelsInputName(m.name)] = { data: mb.data, dims };
    feeds[datesInputName(m.name)] = { data: dateFeed(config, batch, m.name), dims: [batch.B, m.dates, DATE_DIM] };
  }
  const Fg = geoFeatureWidth(config.geoEncoding);
  if (Fg > 0) {
    geoFeatureMatrices(config, batch).forEach((f, gi) => {
      feeds[geoInputName(config.groups[gi].name)] = { data: Float32Array.from(f), dims: [batch.B, f.length / (batch.B * Fg), Fg] }; // (B, N_g, Fg)
    });
  }
  return feeds;
}
