/**
 * Requests and events of the pre-trained encoder in the studio (handled by train/worker/encoderHandlers.ts; the store
 * side is store/encoderSlice.ts): the ONNX card of the Export section (what would be exported, the export itself,
 * and a check of the exported model in onnxruntime-web against our WGSL encoder) and the PCA embedding map of the
 * Inspect section.
 *
 * Weights: the trainer's current parameters when a trainer exists, else the seeded initialisation of the Model
 * section's configuration — the same rule as Inspect, so the card and the map work before training.
 * Invariants: everything here is small plain JSON except the ONNX bytes (an ExportFile whose ArrayBuffer is
 * transferred) and the PCA RGBA tiles (transferred, kept outside the store). Progress events carry a `task` so the
 * card and the panel each show only their own.
 */
import type { InspectModalityMeta, InspectSampleChoice, InspectWeightsInfo } from './inspect';
import type { ExportFile } from './train';

export type { ExportFile, InspectSampleChoice };

/** The weights a request used (same facts as Inspect's). */
export type EncoderWeightsInfo = InspectWeightsInfo;

/** One graph input or output of the exported encoder ('batch' is the symbolic batch dimension). */
export interface OnnxTensorInfo {
  name: string;
  shape: (number | 'batch')[];
}

/** What the ONNX card offers for the current model, before anything is exported. */
export interface OnnxExportInfo {
  /** Why this configuration cannot be exported, in plain words; null when it can. */
  refusal: string | null;
  weights: EncoderWeightsInfo;
  /** ONNX opset written (17: LayerNormalization, GELU via Erf). */
  opset: number;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  /** Parameters of the encoder part (what the file holds, without the decoder). */
  encoderParams: number;
}

/** max |ONNX − WGSL| over one fusion group's features (1, N_g, E). */
export interface OrtGroupDiff {
  group: string;
  tokens: number;
  maxAbsDiff: number;
}

/** The exported model run in onnxruntime-web on one real sample, compared with our WGSL encoder on the same input. */
export interface OrtCheckReport {
  /** The execution provider the session was created with ('webgpu' or 'wasm'). */
  provider: string;
  /** Providers tried first that could not create the session, with the reason (e.g. no WebGPU in this context). */
  fallbacks: { provider: string; error: string }[];
  ortVersion: string;
  /** Bytes of the exported model. */
  bytes: number;
  /** Milliseconds: export, ORT import (wasm load), session creation, first run (incl. shader compilation on the
   * WebGPU EP), a second (warm) run, and our WGSL encoder on the same sample. */
  ms: { export: number; load: number; session: number; firstRun: number; warmRun: number; wgsl: number };
  groups: OrtGroupDiff[];
  /** Max over the groups. */
  maxAbsDiff: number;
  tolerance: number;
  pass: boolean;
  sampleId: string;
  sampleLabel: string;
  weights: EncoderWeightsInfo;
}

// ---------------------------------------------------------------------------------------------------------------
// PCA embedding map

/**
 * Which tokens one PCA is fitted on: 'image' — each (modality, token band group, date) on its own, as the embeddings
 * file of `npm run embed` does (most contrast per image); 'series' — all dates of a (modality, token band group)
 * together, so one colour means the same direction of feature space on every date (changes become visible).
 */
export type PcaFit = 'image' | 'series';

export interface PcaParams {
  sample: InspectSampleChoice;
  fit: PcaFit;
}

/** One token band group of a modality: its PCA tiles (one per date) and their explained variance. */
export interface PcaGroupMeta {
  /** Key of its pixels: "<modality>/pca<j>". */
  key: string;
  /** Token band group j (0 with joint tokens). */
  index: number;
  bands: string[];
  /** [t] share of the feature variance along PC1, PC2, PC3 of the PCA that coloured date t. */
  explained: [number, number, number][];
}

/** A modality's geometry as Inspect describes it (name, T, H, W, P, grid, dates); a PCA tile is the token grid
 *  upsampled P× (nearest). */
export interface PcaModalityMeta extends Pick<InspectModalityMeta, 'name' | 'T' | 'H' | 'W' | 'P' | 'grid' | 'dates'> {
  /** The input composite beside the map: key "<modality>/input" and what it shows ("True colour: B04 B03 B02"). */
  input: { key: string; label: string };
  groups: PcaGroupMeta[];
}

export interface PcaRunMeta {
  /** Increases with every PCA run of this worker; the store keeps only the newest. */
  runId: number;
  sample: InspectSampleChoice;
  sampleId: string;
  sampleLabel: string;
  fit: PcaFit;
  weights: EncoderWeightsInfo;
  /** Encoder width E and tokens encoded (all visible). */
  width: number;
  tokens: number;
  ms: { total: number; encoder: number; pca: number };
  modalities: PcaModalityMeta[];
}

/** (T, H, W, 4) RGBA of one key: an input composite or a token group's PCA map (never in the store). */
export interface PcaPixels {
  key: string;
  rgba: Uint8ClampedArray<ArrayBuffer>;
}

export interface PcaReply {
  meta: PcaRunMeta;
  pixels: PcaPixels[];
}

// ---------------------------------------------------------------------------------------------------------------
// Requests, replies, events

export type EncoderTask = 'export' | 'check' | 'pca';

export interface EncoderProgress {
  task: EncoderTask;
  /** What is happening now, in words ("Creating the onnxruntime-web session (webgpu)"). */
  stage: string;
  done: number;
  total: number;
}

export type EncoderRequest =
  | { kind: 'encoder.onnxInfo' }
  | { kind: 'encoder.exportOnnx' }
  | { kind: 'encoder.checkOrt'; sample: InspectSampleChoice }
  | { kind: 'encoder.pca'; params: PcaParams };

export interface EncoderReplies {
  'encoder.onnxInfo': OnnxExportInfo;
  /** encoder-<preset>-step<N>.onnx; `bytes` is transferred. */
  'encoder.exportOnnx': ExportFile;
  'encoder.checkOrt': OrtCheckReport;
  'encoder.pca': PcaReply;
}

export type EncoderEvent = { kind: 'encoder.progress'; progress: EncoderProgress };
