/**
 * Autosave of the running training to the browser's origin-private file system (OPFS), so a reload or a crash
 * loses at most the steps since the last save, and a lost GPU device can be recovered from.
 *
 * Atomicity: two slots (slot-a, slot-b). A save always overwrites the slot that does NOT hold the newest valid
 * checkpoint, so an interrupted write (tab closed, quota, crash) can only damage the older copy. A slot is valid when
 * its safetensors header parses, carries the training state, and the file is as long as the header says; the newest
 * valid slot (by save time, then step) is the autosave. Reading the offer needs only the header (a few KiB).
 * When OPFS is unavailable (private windows of some browsers, old browsers) or a write fails, the newest bundle is
 * kept in worker memory instead: it still serves device-loss recovery, but not a reload, and the page is told so.
 * Reference: src/train/checkpoint.ts (bundle = one safetensors file, state JSON under "eo-mae-state").
 */
import { parseState, type TrainState } from '../checkpoint';
import type { AutosaveInfo } from '../protocol/train';

/** The subset of the File System API the store uses (OPFS directory handles in workers; fakes in unit tests). */
export interface DirLike {
  getFileHandle(name: string, opts?: { create?: boolean }): Promise<FileLike>;
  removeEntry(name: string): Promise<void>;
}
export interface FileLike {
  getFile(): Promise<Blob>;
  createWritable?(opts?: { keepExistingData?: boolean }): Promise<{ write(data: BufferSource): Promise<void>; close(): Promise<void>; abort?(): Promise<void> }>;
  createSyncAccessHandle?(): Promise<{ truncate(n: number): void; write(data: BufferSource, opts?: { at?: number }): number; flush(): void; close(): void }>;
}

export interface CheckpointStore {
  readonly where: 'opfs' | 'memory';
  /** Saves a bundle; returns what the resume offer will show. Throws when the bytes could not be kept at all. */
  save(bytes: Uint8Array, state: TrainState): Promise<AutosaveInfo>;
  /** The newest valid autosave, or null. */
  latest(): Promise<AutosaveInfo | null>;
  /** The bytes of the newest valid autosave, or null. */
  read(): Promise<Uint8Array | null>;
  discard(): Promise<void>;
}

const SLOTS = ['slot-a.safetensors', 'slot-b.safetensors'] as const;

export function infoOf(state: TrainState, bytes: number, where: AutosaveInfo['where']): AutosaveInfo {
  return {
    step: state.step,
    totalSteps: state.totalSteps,
    savedAt: state.savedAt,
    bytes,
    where,
    preset: state.config.preset,
    modalities: state.config.modalities.map((m) => m.name),
    lastLoss: state.lastLoss,
  };
}

/** Reads the training state from a bundle's header only; null when the blob is not a complete, valid bundle. */
export async function peekBundle(blob: Blob): Promise<TrainState | null> {
  try {
    if (blob.size < 8) return null;
    const n = Number(new DataView(await blob.slice(0, 8).arrayBuffer()).getBigUint64(0, true));
    if (n <= 0 || 8 + n > blob.size) return null;
    const header = JSON.parse(new TextDecoder().decode(await blob.slice(8, 8 + n).arrayBuffer())) as Record<string, { data_offsets?: [number, number] } | Record<string, string>>;
    let end = 0;
    let meta: Record<string, string> | null = null;
    for (const [k, v] of Object.entries(header)) {
      if (k === '__metadata__') meta = v as Record<string, string>;
      else end = Math.max(end, (v as { data_offsets: [number, number] }).data_offsets[1]);
    }
    // A torn write leaves the header but not all the data.
    if (8 + n + end !== blob.size || !meta?.['eo-mae-state']) return null;
    return parseState(meta['eo-mae-state'], 'autosave');
  } catch {
    return null;
  }
}

const newer = (a: TrainState, b: TrainState) => (a.savedAt === b.savedAt ? a.step > b.step : a.savedAt > b.savedAt);

export class OpfsCheckpointStore implements CheckpointStore {
  readonly where = 'opfs' as const;
  constructor(private readonly dir: DirLike) {}

  private async slot(name: string): Promise<{ name: string; state: TrainState; file: Blob } | null> {
    try {
      const file = await (await this.dir.getFileHandle(name)).getFile();
      const state = await peekBundle(file);
      return state ? { name, state, file } : null;
    } catch {
      return null;
    }
  }

  private async newest(): Promise<{ name: string; state: TrainState; file: Blob } | null> {
    const [a, b] = await Promise.all(SLOTS.map((s) => this.slot(s)));
    if (a && b) return newer(b.state, a.state) ? b : a;
    return a ?? b;
  }

  async save(bytes: Uint8Array, state: TrainState): Promise<AutosaveInfo> {
    const cur = await this.newest();
    const target = cur?.name === SLOTS[0] ? SLOTS[1] : SLOTS[0];
    const handle = await this.dir.getFileHandle(target, { create: true });
    const data = bytes as Uint8Array<ArrayBuffer>;
    if (handle.createSyncAccessHandle) {
      // Worker-only, synchronous and fast; its exclusive lock is held only for this write.
      const h = await handle.createSyncAccessHandle();
      try {
        h.truncate(0);
        let at = 0;
        while (at < data.byteLength) at += h.write(data.subarray(at), { at });
        h.flush();
      } finally {
        h.close();
      }
    } else if (handle.createWritable) {
      const w = await handle.createWritable({ keepExistingData: false });
      try {
        await w.write(data);
        await w.close();
      } catch (e) {
        await w.abort?.().catch(() => undefined);
        throw e;
      }
    } else {
      throw new Error('this browser cannot write files to its private storage');
    }
    return infoOf(state, bytes.byteLength, 'opfs');
  }

  async latest(): Promise<AutosaveInfo | null> {
    const n = await this.newest();
    return n ? infoOf(n.state, n.file.size, 'opfs') : null;
  }

  async read(): Promise<Uint8Array | null> {
    const n = await this.newest();
    return n ? new Uint8Array(await n.file.arrayBuffer()) : null;
  }

  async discard(): Promise<void> {
    for (const s of SLOTS) await this.dir.removeEntry(s).catch(() => undefined);
  }
}

export class MemoryCheckpointStore implements CheckpointStore {
  readonly where = 'memory' as const;
  private last: { bytes: Uint8Array; state: TrainState } | null = null;

  async save(bytes: Uint8Array, state: TrainState): Promise<AutosaveInfo> {
    this.last = { bytes, state };
    return infoOf(state, bytes.byteLength, 'memory');
  }

  async latest(): Promise<AutosaveInfo | null> {
    return this.last ? infoOf(this.last.state, this.last.bytes.byteLength, 'memory') : null;
  }

  async read(): Promise<Uint8Array | null> {
    return this.last?.bytes ?? null;
  }

  async discard(): Promise<void> {
    this.last = null;
  }
}

/**
 * OPFS first, memory when a write fails: the bytes are never dropped, and `save` reports which store kept them.
 * `fallbackReason` says why the last save went to memory (for the page), null when OPFS worked.
 */
export class AutosaveStore implements CheckpointStore {
  private memory = new MemoryCheckpointStore();
  fallbackReason: string | null = null;

  constructor(private readonly opfs: OpfsCheckpointStore | null, unavailableReason: string | null) {
    this.fallbackReason = opfs ? null : unavailableReason;
  }

  get where(): 'opfs' | 'memory' {
    return this.opfs && this.fallbackReason === null ? 'opfs' : 'memory';
  }

  async save(bytes: Uint8Array, state: TrainState): Promise<AutosaveInfo> {
    if (this.opfs) {
      try {
        const info = await this.opfs.save(bytes, state);
        this.fallbackReason = null;
        await this.memory.discard();
        return info;
      } catch (e) {
        this.fallbackReason = `Saving to the browser's storage failed (${e instanceof Error ? e.message : String(e)}); the autosave is kept in this tab's memory only.`;
      }
    }
    return this.memory.save(bytes, state);
  }

  /** The newer of the memory copy (written when OPFS failed) and the OPFS one. */
  private async pick(): Promise<'opfs' | 'memory' | null> {
    const [o, m] = await Promise.all([this.opfs?.latest() ?? null, this.memory.latest()]);
    if (o && m) return m.savedAt > o.savedAt || (m.savedAt === o.savedAt && m.step > o.step) ? 'memory' : 'opfs';
    return o ? 'opfs' : m ? 'memory' : null;
  }

  async latest(): Promise<AutosaveInfo | null> {
    const p = await this.pick();
    return p === 'opfs' ? this.opfs!.latest() : p === 'memory' ? this.memory.latest() : null;
  }

  async read(): Promise<Uint8Array | null> {
    const p = await this.pick();
    return p === 'opfs' ? this.opfs!.read() : p === 'memory' ? this.memory.read() : null;
  }

  async discard(): Promise<void> {
    await this.memory.discard();
    await this.opfs?.discard();
  }
}

/** Opens the autosave directory in OPFS (navigator.storage in the worker), or a memory-only store with the reason. */
export async function openAutosaveStore(storage: StorageManager | undefined): Promise<AutosaveStore> {
  try {
    if (!storage?.getDirectory) throw new Error('this browser has no origin-private file system');
    const root = await storage.getDirectory();
    const dir = await root.getDirectoryHandle('eo-mae-autosave', { create: true });
    return new AutosaveStore(new OpfsCheckpointStore(dir as unknown as DirLike), null);
  } catch (e) {
    return new AutosaveStore(null, `Autosave cannot use the browser's storage (${e instanceof Error ? e.message : String(e)}); it is kept in this tab's memory only and will not survive a reload.`);
  }
}
