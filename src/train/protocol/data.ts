/**
 * Data and model-configuration requests and events (the Data and Model sections; handled in
 * train/worker/dataHandlers.ts).
 *
 * Files cross to the worker as File/Blob handles (structured-cloned by reference, never read on the page); the worker
 * inspects them with src/data and answers with plain, small summaries (FileRow, LocationSummary, DatasetInfo). Image
 * previews come back as RGBA bytes in transferred buffers and never enter the store. Every request that changes the
 * loaded data answers with a full DataUpdate (summary + the reconciled model configuration), so the page never has to
 * merge partial state.
 * Invariants: everything here is JSON-like plain data except File/Blob handles (requests) and Uint8ClampedArray
 * pixels (preview replies); a reply type for every request kind is listed in DataReplies.
 */
import type { DataErrorReason } from '../../data/errors';
import type { MaskKind, SensorKind } from '../../data/recognize';
import type { AcqDate, Footprint, LonLat } from '../../data/sample';
import type { DecoderConfig, EncoderConfig, MaeConfig, PresetName } from '../../model/config';
import type { ModelEstimate } from '../../model/estimate';

export type { AcqDate, DataErrorReason, Footprint, LonLat, MaeConfig, MaskKind, ModelEstimate, PresetName, SensorKind };
export type {
  AnchorMaskingConfig,
  AnchorRule,
  DateEncodingConfig,
  DecoderConfig,
  EncoderConfig,
  FusionGroupConfig,
  GeoEncodingMode,
  LossKind,
  MaskingConfig,
  MaskStrategy,
  ModalityConfig,
  PositionMode,
  TargetNorm,
} from '../../model/config';

// ---------------------------------------------------------------------------------------------------------------
// Files and their recognition

/** A file handed to the worker: the handle (not copied) and the path the user sees (relative path in a dropped folder). */
export interface IncomingFile {
  file: Blob;
  path: string;
}

export type DataOrigin = 'user' | 'demo';

/** Where an understood file went in the catalog. */
export type FileUse = { kind: 'acquisition'; id: string } | { kind: 'mask'; id: string } | { kind: 'unused'; reason: string };

export interface FileRowOk {
  ok: true;
  path: string;
  sizeBytes: number;
  origin: DataOrigin;
  sensor: SensorKind;
  /** "Sentinel-2A MSI", "Landsat 5 TM" … when known. */
  platform: string | null;
  level: string | null;
  modality: string;
  role: 'image' | 'mask';
  maskKind: MaskKind | null;
  /** 0..1 with the evidence in words. */
  confidence: number;
  reasons: string[];
  bands: string[];
  bandSource: string;
  dtype: string;
  width: number;
  height: number;
  /** Metres per pixel, null without georeferencing. */
  gsd: number | null;
  /** "EPSG:32633 WGS 84 / UTM zone 33N", null without a CRS. */
  crs: string | null;
  dateText: string | null;
  dateSource: string | null;
  nodata: number | null;
  /** Fraction of sampled pixels that are valid. */
  validFraction: number;
  scaling: string;
  unit: string;
  warnings: string[];
  /** Fields the user corrected. */
  corrected: string[];
  use: FileUse;
}

export interface FileRowFailed {
  ok: false;
  path: string;
  sizeBytes: number;
  origin: DataOrigin;
  reason: DataErrorReason;
  /** Plain-language message, starting with the file name. */
  error: string;
}

export type FileRow = FileRowOk | FileRowFailed;

/** A user correction from the recognition table (a subset of src/data/record.ts Correction). */
export interface DataCorrection {
  sensor?: SensorKind;
  modality?: string;
  /** "YYYY-MM-DD", "YYYY-MM-DDTHH" or "YYYY". */
  date?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog and dataset summaries

export interface AcquisitionSummary {
  id: string;
  dateText: string | null;
  date: AcqDate | null;
  footprint: Footprint;
  gsd: number;
  files: string[];
  maskPath: string | null;
  /** Fraction of the observed (not fill) pixels that the paired mask flags as cloud or shadow; null without a mask. */
  cloudFraction: number | null;
  /** Valid (not nodata) fraction sampled at inspection, averaged over the acquisition's files. */
  validFraction: number;
}

/** An RGB recipe for previews, e.g. true colour B04/B03/B02. A channel "A-B" is the difference of two bands. */
export interface CompositePreset {
  id: string;
  label: string;
  channels: [string, string, string];
}

export interface ModalitySummary {
  name: string;
  sensor: SensorKind;
  bands: string[];
  gsd: number;
  acquisitions: AcquisitionSummary[];
  composites: CompositePreset[];
}

export interface LocationSummary {
  id: string;
  centre: LonLat;
  footprint: Footprint;
  modalities: ModalitySummary[];
}

export interface DatasetModalityInfo {
  name: string;
  bands: string[];
  normGroups: number[] | null;
  gsd: number;
  /** Pixels per sample side. */
  size: number;
  /** Dates per sample. */
  T: number;
  scalingDescription: string;
  unit: string;
}

export interface DatasetInfo {
  /** True when the dataset can produce training samples. */
  ready: boolean;
  /** Why it cannot, in plain words (null when ready). */
  problem: string | null;
  modalities: DatasetModalityInfo[];
  sampleMeters: number;
  locations: string[];
  validationTiles: number;
  warnings: string[];
  errors: { file: string; reason: string; message: string }[];
}

/** Choices that shape the Dataset (made in the Model section): which modalities, dates per modality, sample size. */
export interface DataOptions {
  /** null = the dataset's default (the most common modality set over locations). */
  modalities: string[] | null;
  /** Dates per sample by modality; absent = min(16, shortest series). */
  numDates: Record<string, number>;
  /** Ground size of a sample in metres; null = default (32 coarsest pixels, shrunk to fit). */
  sampleMeters: number | null;
}

/** A modality present in the catalog, whether or not the dataset uses it. */
export interface CatalogModality {
  name: string;
  sensor: SensorKind;
  bands: string[];
  locations: number;
  minDates: number;
  maxDates: number;
}

export interface DataSummary {
  files: FileRow[];
  locations: LocationSummary[];
  catalogModalities: CatalogModality[];
  unused: { path: string; reason: string }[];
  /** null when no file is loaded. */
  dataset: DatasetInfo | null;
  options: DataOptions;
  counts: { files: number; ok: number; failed: number; demo: number; user: number; bytes: number };
  /** GeoTIFF decoder worker threads (0: decoding on the studio worker's own thread; null: no file read yet). */
  decoderWorkers: number | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Model configuration

export interface FitReport {
  verdict: 'fits' | 'tight' | 'no-fit';
  /** Adapter name and whether it is a CPU emulation. */
  adapter: string;
  software: boolean;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  largestTensor: { what: string; bytes: number };
  totalBytes: number;
  /** Memory budget the total is compared with (see dataFit.ts). */
  budgetBytes: number;
  /** Rough seconds per step on a software adapter, null on hardware. */
  softwareStepSeconds: number | null;
  messages: string[];
}

export interface ConfigReport {
  /** The configuration as the worker holds it (normalised: derived posGrid); null when there is no dataset. */
  config: MaeConfig | null;
  /** "<field path>: <what is wrong>", from configProblems plus the checks against the dataset. */
  problems: string[];
  estimate: ModelEstimate | null;
  fit: FitReport | null;
  /** What a reconcile/import changed, in words. */
  notes: string[];
  /** The size presets (so the page can describe each choice without importing the model code). */
  presets: Record<PresetName, { encoder: EncoderConfig; decoder: DecoderConfig }>;
}

export interface DataUpdate {
  summary: DataSummary;
  model: ConfigReport;
  /** One-line outcomes: "3 files were already loaded", "inspection cancelled: 12 files not added" … */
  messages: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Previews

export interface PreviewTileRequest {
  /** 1 band (grey) or 3 (RGB); "A-B" is the difference of bands A and B (e.g. S1 VV-VH). */
  channels: string[];
}

export interface PreviewTile {
  channels: string[];
  width: number;
  height: number;
  /** (H, W, 4) RGBA, transferred; alpha 0 on nodata. */
  rgba: Uint8ClampedArray;
  /** Per channel: the 2 % and 98 % values the stretch maps to 0 and 255, in `unit`. */
  ranges: [number, number][];
}

export interface PreviewReply {
  acquisition: string;
  unit: string;
  tiles: PreviewTile[];
  /** The pixel rectangle of the acquisition's grid that was previewed, when only its centre was (huge images). */
  crop: { x: number; y: number; width: number; height: number; of: [number, number] } | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Progress

export interface DataProgress {
  phase: 'demo' | 'inspect' | 'dataset';
  label: string;
  done: number;
  total: number;
  etaSeconds: number | null;
  current: string | null;
  cancellable: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests, replies, events

export type DataRequest =
  | { kind: 'data.addFiles'; files: IncomingFile[] }
  | { kind: 'data.removeFile'; path: string }
  | { kind: 'data.removeDemo' }
  | { kind: 'data.clear' }
  | { kind: 'data.cancel' }
  | { kind: 'data.correct'; path: string; correction: DataCorrection }
  | { kind: 'data.loadDemo'; onlyIfEmpty: boolean }
  | { kind: 'data.preview'; acquisition: string; tiles: PreviewTileRequest[]; maxSize: number }
  | { kind: 'data.setOptions'; options: DataOptions }
  | { kind: 'data.setConfig'; config: MaeConfig; preset?: PresetName; batchSize: number }
  | { kind: 'data.resetConfig'; batchSize: number }
  | { kind: 'data.importConfig'; text: string; batchSize: number };

export interface DataReplies {
  'data.addFiles': DataUpdate;
  'data.removeFile': DataUpdate;
  /** Removes every file of the built-in demo dataset, keeping the user's own. */
  'data.removeDemo': DataUpdate;
  'data.clear': DataUpdate;
  /** True when an inspection was running and has been asked to stop. */
  'data.cancel': boolean;
  'data.correct': DataUpdate;
  /** `skipped` when onlyIfEmpty and files were already loaded. */
  'data.loadDemo': DataUpdate & { skipped: boolean };
  'data.preview': PreviewReply;
  'data.setOptions': DataUpdate;
  'data.setConfig': ConfigReport;
  'data.resetConfig': ConfigReport;
  'data.importConfig': DataUpdate;
}

export type DataEvent = { kind: 'data.progress'; progress: DataProgress | null };
