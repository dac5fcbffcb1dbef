/**
 * Data section state: the worker's summary of the loaded files (small plain records), the progress of long
 * operations, outcomes and errors in words, and the status of image previews. Actions post File handles to the
 * worker (never reading them here) and apply the DataUpdate it answers, which also carries the reconciled model
 * configuration for the model slice.
 *
 * Preview pixels (RGBA bytes) live in a non-reactive module-level cache (`previewTiles`), bounded to PREVIEW_CACHE
 * entries; the state only holds each preview's status and stretch ranges, keyed by `previewKey`.
 * First visit: the built-in demo dataset loads by itself once per browser (localStorage VISITED_KEY), and only into
 * an empty workspace; adding one's own files also marks the browser as visited.
 * Invariants: a failing request never clears loaded data (the summary is only replaced by a worker reply); every
 * error shown is a sentence, and correction errors stay on the row they belong to.
 */
import type { StateCreator } from 'zustand';
import type {
  DataCorrection,
  DataOptions,
  DataProgress,
  DataReplies,
  DataRequest,
  DataSummary,
  DataUpdate,
  IncomingFile,
  PreviewReply,
  PreviewTile,
  PreviewTileRequest,
} from '../train/protocol/data';
import { studioClient } from './client';
import type { StudioState } from './index';

export type {
  AcquisitionSummary,
  CatalogModality,
  CompositePreset,
  DataCorrection,
  DataOptions,
  DataProgress,
  DatasetInfo,
  DatasetModalityInfo,
  DataSummary,
  FileRow,
  FileRowFailed,
  FileRowOk,
  FileUse,
  Footprint,
  IncomingFile,
  LocationSummary,
  LonLat,
  ModalitySummary,
  PreviewTile,
  PreviewTileRequest,
  SensorKind,
} from '../train/protocol/data';

export const VISITED_KEY = 'eo-mae-studio.visited';
export const PREVIEW_CACHE = 48;

export interface PreviewStatus {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  unit: string;
  crop: PreviewReply['crop'];
  /** Per tile, per channel: the values mapped to 0 and 255. */
  ranges: [number, number][][];
}

export interface DataState {
  summary: DataSummary | null;
  progress: DataProgress | null;
  /** Operations sent to the worker and not answered yet. */
  pending: number;
  /** What the latest pending operation does, for the busy indicator. */
  busy: string | null;
  /** Outcomes of the last operation ("3 files were already loaded …"). */
  messages: string[];
  /** The last operation that failed, in words. */
  error: string | null;
  /** Per file path: why its correction was refused. */
  rowErrors: Record<string, string>;
  /** Per file path: a correction is being applied. */
  rowPending: Record<string, boolean>;
  previews: Record<string, PreviewStatus>;
  demoLoading: boolean;
}

export interface DataSlice {
  data: DataState;
  /** Posts files (handles, not copies) to the worker; `notes` are client-side skips (non-raster files in folders). */
  addFiles: (files: IncomingFile[], notes?: string[]) => Promise<void>;
  removeFile: (path: string) => Promise<void>;
  /** Removes the built-in demo files, keeping the user's own. */
  removeDemo: () => Promise<void>;
  clearData: () => Promise<void>;
  cancelDataWork: () => Promise<void>;
  /** Applies a correction; resolves false (with the reason in rowErrors) when the worker refuses it. */
  correctFile: (path: string, correction: DataCorrection) => Promise<boolean>;
  loadDemo: () => Promise<void>;
  /** Loads the demo once per browser, and only when nothing is loaded. */
  autoLoadDemo: () => Promise<void>;
  setDataOptions: (options: DataOptions) => Promise<void>;
  requestPreview: (acquisition: string, tiles: PreviewTileRequest[], maxSize: number) => Promise<string>;
  dismissDataMessages: () => void;
  /** Applies a worker DataUpdate (summary + the configuration, if `seq` is the latest configuration request). */
  applyDataUpdate: (u: DataUpdate, seq: number) => void;
}

// ---------------------------------------------------------------------------------------------------------------
// Module-level (non-reactive) parts

const tileCache = new Map<string, PreviewTile[]>();
let eventsBound = false;
let autoLoadStarted = false;

/** The cache key of a preview request. */
export function previewKey(acquisition: string, tiles: readonly PreviewTileRequest[], maxSize: number): string {
  return `${acquisition}|${tiles.map((t) => t.channels.join('+')).join(';')}|${maxSize}`;
}

/** RGBA tiles of a ready preview (not in the store: big arrays stay outside state). */
export function previewTiles(key: string): PreviewTile[] | undefined {
  return tileCache.get(key);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function markVisited(): void {
  try {
    localStorage.setItem(VISITED_KEY, new Date().toISOString());
  } catch {
    // Storage disabled (private mode): the demo may load again next time, which is harmless.
  }
}

function hasVisited(): boolean {
  try {
    return localStorage.getItem(VISITED_KEY) !== null;
  } catch {
    return true;
  }
}

/** Test hook: forget module-level state between unit tests. */
export function resetDataModule(): void {
  tileCache.clear();
  eventsBound = false;
  autoLoadStarted = false;
}

export const createDataSlice: StateCreator<StudioState, [], [], DataSlice> = (set, get) => {
  const patch = (p: Partial<DataState>) => set((s) => ({ data: { ...s.data, ...p } }));

  const bindEvents = () => {
    if (eventsBound) return;
    eventsBound = true;
    studioClient().on('data.progress', (e) => patch({ progress: e.progress }));
  };

  const request = async <K extends DataRequest['kind']>(req: Extract<DataRequest, { kind: K }>): Promise<DataReplies[K]> => {
    bindEvents();
    return studioClient().request<DataReplies[K]>(req);
  };

  const applyUpdate = (u: DataUpdate, seq: number) => get().applyDataUpdate(u, seq);

  /** Runs one data-changing request: busy indicator, error in words, the update applied. */
  const run = async <K extends 'data.addFiles' | 'data.removeFile' | 'data.removeDemo' | 'data.clear' | 'data.correct' | 'data.loadDemo' | 'data.setOptions'>(
    label: string,
    req: Extract<DataRequest, { kind: K }>,
    extraMessages: string[] = [],
  ): Promise<DataReplies[K] | null> => {
    const seq = get().nextConfigSeq();
    set((s) => ({ data: { ...s.data, pending: s.data.pending + 1, busy: label, error: null } }));
    try {
      const reply = await request(req);
      applyUpdate(reply, seq);
      if (extraMessages.length) patch({ messages: [...extraMessages, ...get().data.messages] });
      return reply;
    } catch (e) {
      patch({ error: errorText(e) });
      return null;
    } finally {
      set((s) => ({ data: { ...s.data, pending: s.data.pending - 1, busy: s.data.pending > 1 ? s.data.busy : null, progress: s.data.pending > 1 ? s.data.progress : null } }));
    }
  };

  return {
    data: { summary: null, progress: null, pending: 0, busy: null, messages: [], error: null, rowErrors: {}, rowPending: {}, previews: {}, demoLoading: false },

    addFiles: async (files, notes = []) => {
      if (files.length === 0) {
        patch({ messages: notes.length ? notes : ['No files to add.'] });
        return;
      }
      markVisited();
      await run(`Adding ${files.length} file${files.length === 1 ? '' : 's'}`, { kind: 'data.addFiles', files }, notes);
    },

    removeFile: async (path) => {
      await run(`Removing ${path}`, { kind: 'data.removeFile', path });
    },

    removeDemo: async () => {
      await run('Removing the demo files', { kind: 'data.removeDemo' });
    },

    clearData: async () => {
      await run('Removing all files', { kind: 'data.clear' });
    },

    cancelDataWork: async () => {
      try {
        await request({ kind: 'data.cancel' });
      } catch (e) {
        patch({ error: errorText(e) });
      }
    },

    correctFile: async (path, correction) => {
      const seq = get().nextConfigSeq();
      set((s) => ({ data: { ...s.data, rowPending: { ...s.data.rowPending, [path]: true }, rowErrors: withoutKey(s.data.rowErrors, path) } }));
      try {
        const reply = await request({ kind: 'data.correct', path, correction });
        applyUpdate(reply, seq);
        return true;
      } catch (e) {
        set((s) => ({ data: { ...s.data, rowErrors: { ...s.data.rowErrors, [path]: errorText(e) } } }));
        return false;
      } finally {
        set((s) => ({ data: { ...s.data, rowPending: withoutKey(s.data.rowPending, path) } }));
      }
    },

    loadDemo: async () => {
      patch({ demoLoading: true });
      try {
        const r = await run('Loading the demo dataset', { kind: 'data.loadDemo', onlyIfEmpty: false });
        if (r) markVisited();
      } finally {
        patch({ demoLoading: false });
      }
    },

    autoLoadDemo: async () => {
      if (autoLoadStarted || typeof localStorage === 'undefined') return;
      autoLoadStarted = true;
      if (hasVisited()) return;
      if ((get().data.summary?.counts.files ?? 0) > 0) {
        markVisited();
        return;
      }
      patch({ demoLoading: true });
      try {
        const r = await run('Loading the demo dataset (first visit)', { kind: 'data.loadDemo', onlyIfEmpty: true });
        if (r) markVisited();
      } finally {
        patch({ demoLoading: false });
      }
    },

    setDataOptions: async (options) => {
      await run('Rebuilding the dataset', { kind: 'data.setOptions', options });
    },

    requestPreview: async (acquisition, tiles, maxSize) => {
      const key = previewKey(acquisition, tiles, maxSize);
      const have = get().data.previews[key];
      if (have && have.status !== 'error' && (have.status === 'loading' || tileCache.has(key))) return key;
      set((s) => ({ data: { ...s.data, previews: { ...s.data.previews, [key]: { status: 'loading', error: null, unit: '', crop: null, ranges: [] } } } }));
      try {
        const reply = await request({ kind: 'data.preview', acquisition, tiles, maxSize });
        tileCache.set(key, reply.tiles);
        while (tileCache.size > PREVIEW_CACHE) tileCache.delete(tileCache.keys().next().value as string);
        const kept = new Set(tileCache.keys());
        set((s) => ({
          data: {
            ...s.data,
            previews: {
              ...Object.fromEntries(Object.entries(s.data.previews).filter(([k, v]) => kept.has(k) || v.status !== 'ready')),
              [key]: { status: 'ready', error: null, unit: reply.unit, crop: reply.crop, ranges: reply.tiles.map((t) => t.ranges) },
            },
          },
        }));
      } catch (e) {
        set((s) => ({ data: { ...s.data, previews: { ...s.data.previews, [key]: { status: 'error', error: errorText(e), unit: '', crop: null, ranges: [] } } } }));
      }
      return key;
    },

    applyDataUpdate: (u, seq) => {
      const summary = u.summary;
      // Previews of acquisitions that no longer exist are dropped.
      const ids = new Set(summary.locations.flatMap((l) => l.modalities.flatMap((m) => m.acquisitions.map((a) => a.id))));
      const previews = Object.fromEntries(Object.entries(get().data.previews).filter(([k]) => ids.has(k.split('|')[0])));
      for (const k of [...tileCache.keys()]) if (!(k in previews)) tileCache.delete(k);
      patch({ summary, messages: u.messages, previews });
      get().applyConfigReport(u.model, seq);
    },

    dismissDataMessages: () => patch({ messages: [], error: null }),
  };
};

function withoutKey<T>(o: Record<string, T>, key: string): Record<string, T> {
  const out = { ...o };
  delete out[key];
  return out;
}
