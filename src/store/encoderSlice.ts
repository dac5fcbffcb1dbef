/**
 * State of the pre-trained encoder in the studio: the ONNX card of the Export section (what would be exported or why
 * not, the export, the onnxruntime-web check) and the PCA embedding map of the Inspect section.
 *
 * Invariants:
 * - Small facts only. The ONNX file passes through `exportOnnx` as a return value (the page downloads it) and is
 *   never kept; the PCA tiles live in a module-level Map (`pcaPixels(key)`), replaced as a whole when a run lands, and
 *   `pca.result.runId` changes at the same moment so components re-read it.
 * - Every failure is kept as a plain message next to the action it belongs to and never clears earlier results.
 * - The ORT check and the PCA map use the Inspect section's current sample (`inspect.sample`), so both talk about
 *   the pixels the user is looking at.
 * - Progress events of the worker are kept per task and cleared when the task's request settles.
 * - PCA runs are coalesced: at most one in flight; a request meanwhile causes exactly one more run with the newest
 *   settings.
 */
import type { StateCreator } from 'zustand';
import type {
  EncoderProgress,
  EncoderTask,
  ExportFile,
  InspectSampleChoice,
  OnnxExportInfo,
  OrtCheckReport,
  PcaFit,
  PcaPixels,
  PcaReply,
  PcaRunMeta,
} from '../train/protocol/encoder';
import { studioClient } from './client';
import type { StudioState } from './index';

export type { EncoderProgress, EncoderTask, OnnxExportInfo, OnnxTensorInfo, OrtCheckReport, OrtGroupDiff, PcaFit, PcaGroupMeta, PcaModalityMeta, PcaPixels, PcaRunMeta } from '../train/protocol/encoder';

export interface OnnxCardState {
  info: OnnxExportInfo | null;
  /** Why there is nothing to export (no data, an invalid model …); the info request failed. */
  infoError: string | null;
  exporting: boolean;
  exportError: string | null;
  /** The last file handed to the page for download. */
  exported: { name: string; bytes: number } | null;
  checking: boolean;
  check: OrtCheckReport | null;
  checkError: string | null;
}

export interface PcaState {
  fit: PcaFit;
  /** The Inspect sample the latest run was asked for (null before the first): the panel follows Inspect from it. */
  requested: InspectSampleChoice | null;
  running: boolean;
  error: string | null;
  result: PcaRunMeta | null;
}

export interface EncoderUiState {
  onnx: OnnxCardState;
  pca: PcaState;
  progress: Partial<Record<EncoderTask, EncoderProgress>>;
}

export interface EncoderSlice {
  encoder: EncoderUiState;
  /** Asks the worker what the ONNX card would export for the current weights (or why it cannot). */
  refreshOnnxInfo: () => Promise<void>;
  /** Exports the current weights; resolves with the file for the page to download, or null on failure. */
  exportOnnx: () => Promise<ExportFile | null>;
  /** Exports and runs the model in onnxruntime-web on the Inspect sample, against the WGSL encoder. */
  checkOnnxInOrt: () => Promise<void>;
  /** Computes the PCA map of the Inspect sample (or once more after the run in flight). */
  computePca: () => Promise<void>;
  /** Changes how the PCA is fitted and recomputes when a map is shown. */
  setPcaFit: (fit: PcaFit) => void;
}

export const INITIAL_ENCODER: EncoderUiState = {
  onnx: { info: null, infoError: null, exporting: false, exportError: null, exported: null, checking: false, check: null, checkError: null },
  pca: { fit: 'image', requested: null, running: false, error: null, result: null },
  progress: {},
};

// ---------------------------------------------------------------------------------------------------------------
// Outside the state: the PCA tiles and request scheduling

const pixels = new Map<string, PcaPixels>();

/** (T, H, W, 4) RGBA of the latest PCA run by key ("<modality>/input", "<modality>/pca<j>"). */
export function pcaPixels(key: string): PcaPixels | undefined {
  return pixels.get(key);
}

let listening = false;
let infoSeq = 0;
let pcaInFlight: Promise<void> | null = null;
let pcaAgain = false;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The sample Inspect shows (tile 0 before the Inspect section listed its samples). */
const inspectSample = (s: StudioState): InspectSampleChoice => (s as Partial<StudioState>).inspect?.sample ?? { kind: 'tile', index: 0 };

export const createEncoderSlice: StateCreator<StudioState, [], [], EncoderSlice> = (set, get) => {
  const patchOnnx = (p: Partial<OnnxCardState>) => set((s) => ({ encoder: { ...s.encoder, onnx: { ...s.encoder.onnx, ...p } } }));
  const patchPca = (p: Partial<PcaState>) => set((s) => ({ encoder: { ...s.encoder, pca: { ...s.encoder.pca, ...p } } }));
  const clearProgress = (task: EncoderTask) =>
    set((s) => {
      const progress = { ...s.encoder.progress };
      delete progress[task];
      return { encoder: { ...s.encoder, progress } };
    });

  const listen = () => {
    if (listening) return;
    listening = true;
    studioClient().on('encoder.progress', (e) => set((s) => ({ encoder: { ...s.encoder, progress: { ...s.encoder.progress, [e.progress.task]: e.progress } } })));
  };

  const pcaLoop = async () => {
    patchPca({ running: true });
    try {
      do {
        pcaAgain = false;
        const sample = inspectSample(get());
        patchPca({ requested: sample });
        try {
          const reply = await studioClient().request<PcaReply>({ kind: 'encoder.pca', params: { sample, fit: get().encoder.pca.fit } });
          pixels.clear();
          for (const p of reply.pixels) pixels.set(p.key, p);
          patchPca({ result: reply.meta, error: null });
        } catch (e) {
          patchPca({ error: message(e) });
        }
      } while (pcaAgain);
    } finally {
      pcaInFlight = null;
      clearProgress('pca');
      patchPca({ running: false });
    }
  };

  return {
    encoder: INITIAL_ENCODER,

    refreshOnnxInfo: async () => {
      const seq = ++infoSeq;
      try {
        const info = await studioClient().request<OnnxExportInfo>({ kind: 'encoder.onnxInfo' });
        if (seq === infoSeq) patchOnnx({ info, infoError: null });
      } catch (e) {
        if (seq === infoSeq) patchOnnx({ info: null, infoError: message(e) });
      }
    },

    exportOnnx: async () => {
      if (get().encoder.onnx.exporting) return null;
      listen();
      patchOnnx({ exporting: true, exportError: null });
      try {
        const file = await studioClient().request<ExportFile>({ kind: 'encoder.exportOnnx' });
        patchOnnx({ exported: { name: file.name, bytes: file.bytes.byteLength } });
        return file;
      } catch (e) {
        patchOnnx({ exportError: message(e) });
        return null;
      } finally {
        clearProgress('export');
        patchOnnx({ exporting: false });
      }
    },

    checkOnnxInOrt: async () => {
      if (get().encoder.onnx.checking) return;
      listen();
      patchOnnx({ checking: true, checkError: null });
      try {
        const check = await studioClient().request<OrtCheckReport>({ kind: 'encoder.checkOrt', sample: inspectSample(get()) });
        patchOnnx({ check });
      } catch (e) {
        patchOnnx({ checkError: message(e) });
      } finally {
        clearProgress('check');
        patchOnnx({ checking: false });
      }
    },

    computePca: () => {
      listen();
      if (pcaInFlight) {
        pcaAgain = true;
        return pcaInFlight;
      }
      pcaInFlight = pcaLoop();
      return pcaInFlight;
    },

    setPcaFit: (fit) => {
      if (fit === get().encoder.pca.fit) return;
      patchPca({ fit });
      if (get().encoder.pca.result) void get().computePca();
    },
  };
};
