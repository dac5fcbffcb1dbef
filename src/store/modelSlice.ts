/**
 * Model section state: the configuration draft the page shows (small JSON), the worker's verdict on it (problems by
 * field, parameter/memory/FLOP estimate, fit on this GPU) and the batch size the estimate is for.
 *
 * Every edit updates the draft at once (so the control shows what was typed) and sends it to the worker, which
 * validates it against the model rules and the dataset and keeps it for training (currentConfig). Replies can
 * overtake edits, so each request takes a sequence number and only the reply to the latest one is applied; data
 * updates (files added, corrections) take part in the same sequence because they carry a reconciled configuration.
 * Invariants: the draft is replaced only by a worker reply or a local edit; import errors and export never touch it.
 */
import type { StateCreator } from 'zustand';
import type { ConfigReport, DataReplies, FitReport, MaeConfig, ModelEstimate, PresetName } from '../train/protocol/data';
import { studioClient } from './client';
import type { StudioState } from './index';

export type {
  AnchorMaskingConfig,
  AnchorRule,
  ConfigReport,
  DateEncodingConfig,
  DecoderConfig,
  EncoderConfig,
  FitReport,
  FusionGroupConfig,
  GeoEncodingMode,
  LossKind,
  MaeConfig,
  MaskingConfig,
  MaskStrategy,
  ModalityConfig,
  ModelEstimate,
  PositionMode,
  PresetName,
  TargetNorm,
} from '../train/protocol/data';

export interface ModelState {
  config: MaeConfig | null;
  problems: string[];
  estimate: ModelEstimate | null;
  fit: FitReport | null;
  notes: string[];
  presets: ConfigReport['presets'] | null;
  /** Batch size the estimate is computed for. */
  batchSize: number;
  /** A draft is with the worker. */
  checking: boolean;
  importMessages: string[];
  importError: string | null;
}

export interface ModelSlice {
  model: ModelState;
  /** Next sequence number for a request whose reply carries a configuration (shared with the data slice). */
  nextConfigSeq: () => number;
  /** Applies a worker verdict if `seq` is the latest request; returns whether it was applied. */
  applyConfigReport: (report: ConfigReport, seq: number) => boolean;
  /** Applies `edit` to the draft and sends it to the worker. */
  editConfig: (edit: (c: MaeConfig) => MaeConfig) => Promise<void>;
  setPreset: (preset: PresetName) => Promise<void>;
  setEstimateBatch: (batchSize: number) => Promise<void>;
  resetConfig: () => Promise<void>;
  importConfig: (text: string) => Promise<boolean>;
  /** The configuration as pretty JSON for download, or null while it has problems. */
  exportConfigJson: () => string | null;
}

let latestSeq = 0;

/** Test hook: restart the sequence between unit tests. */
export function resetModelModule(): void {
  latestSeq = 0;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set, get) => {
  const patch = (p: Partial<ModelState>) => set((s) => ({ model: { ...s.model, ...p } }));

  const send = async (config: MaeConfig, preset?: PresetName) => {
    const seq = get().nextConfigSeq();
    patch({ checking: true });
    try {
      const report = await studioClient().request<DataReplies['data.setConfig']>({ kind: 'data.setConfig', config, preset, batchSize: get().model.batchSize });
      get().applyConfigReport(report, seq);
    } catch (e) {
      if (seq === latestSeq) patch({ problems: [`config: the worker could not check it (${errorText(e)})`] });
    } finally {
      if (seq === latestSeq) patch({ checking: false });
    }
  };

  return {
    model: { config: null, problems: [], estimate: null, fit: null, notes: [], presets: null, batchSize: 8, checking: false, importMessages: [], importError: null },

    nextConfigSeq: () => ++latestSeq,

    applyConfigReport: (report, seq) => {
      if (seq !== latestSeq) return false;
      patch({ config: report.config, problems: report.problems, estimate: report.estimate, fit: report.fit, notes: report.notes, presets: report.presets, checking: false });
      return true;
    },

    editConfig: async (edit) => {
      const c = get().model.config;
      if (!c) return;
      const next = edit(c);
      patch({ config: next });
      await send(next);
    },

    setPreset: async (preset) => {
      const c = get().model.config;
      if (!c) return;
      // Shown at once; the worker then applies the preset's sizes and patch sizes.
      patch({ config: { ...c, preset } });
      await send(c, preset);
    },

    setEstimateBatch: async (batchSize) => {
      patch({ batchSize });
      const c = get().model.config;
      if (c && Number.isInteger(batchSize) && batchSize >= 1) await send(c);
    },

    resetConfig: async () => {
      const seq = get().nextConfigSeq();
      patch({ checking: true });
      try {
        const report = await studioClient().request<DataReplies['data.resetConfig']>({ kind: 'data.resetConfig', batchSize: get().model.batchSize });
        get().applyConfigReport(report, seq);
      } catch (e) {
        patch({ importError: errorText(e), checking: false });
      }
    },

    importConfig: async (text) => {
      const seq = get().nextConfigSeq();
      patch({ importError: null, importMessages: [], checking: true });
      try {
        const update = await studioClient().request<DataReplies['data.importConfig']>({ kind: 'data.importConfig', text, batchSize: get().model.batchSize });
        get().applyDataUpdate(update, seq);
        patch({ importMessages: update.messages });
        return true;
      } catch (e) {
        patch({ importError: errorText(e) });
        return false;
      } finally {
        if (seq === latestSeq) patch({ checking: false });
      }
    },

    exportConfigJson: () => {
      const { config, problems } = get().model;
      if (!config || problems.length > 0) return null;
      return `${JSON.stringify(config, null, 2)}\n`;
    },
  };
};
