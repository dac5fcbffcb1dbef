// Autosave slots against an in-memory fake of the OPFS directory API: saves alternate between two slots, the newest
// complete bundle wins, a torn (half-written) newest slot falls back to the older one, a failing write leaves the
// other slot intact, discard removes both, and the memory fallback keeps bundles when OPFS cannot.
import { describe, expect, it } from 'vitest';
import { buildParamLayout } from '../../model/params';
import { tinyTwoGroupConfig } from '../../model/testing/configs';
import { CHECKPOINT_FORMAT, decodeCheckpointBundle, encodeCheckpointBundle, type TrainState } from '../checkpoint';
import { DEFAULT_OPTIMIZER } from '../trainer';
import { AutosaveStore, OpfsCheckpointStore, openAutosaveStore, peekBundle, type DirLike, type FileLike } from './trainAutosave';

const config = tinyTwoGroupConfig();
const n = buildParamLayout(config).size;

function bundle(step: number, savedAt: string): { bytes: Uint8Array; state: TrainState } {
  const state: TrainState = { format: CHECKPOINT_FORMAT, config, optimizer: DEFAULT_OPTIMIZER, batchSize: 2, seed: 1, step, totalSteps: 50, adapter: 'test', lastLoss: 1 / step, savedAt };
  const params = new Float32Array(n).fill(step);
  return { bytes: encodeCheckpointBundle({ state, params, m: new Float32Array(n), v: new Float32Array(n), ema: null }), state };
}

/** Files as byte arrays; `mode` picks the write API the fake offers; `failNext` makes the next write throw midway. */
class FakeDir implements DirLike {
  readonly files = new Map<string, Uint8Array>();
  private readonly fault = { next: false };
  constructor(private readonly mode: 'writable' | 'sync') {}

  set failNext(v: boolean) {
    this.fault.next = v;
  }

  async getFileHandle(name: string, opts?: { create?: boolean }): Promise<FileLike> {
    if (!this.files.has(name)) {
      if (!opts?.create) throw new DOMException(`${name} not found`, 'NotFoundError');
      this.files.set(name, new Uint8Array(0));
    }
    const { files, fault } = this;
    const handle: FileLike = { getFile: async () => new Blob([files.get(name)! as Uint8Array<ArrayBuffer>]) };
    const tear = (data: Uint8Array) => {
      if (!fault.next) return false;
      fault.next = false;
      files.set(name, data.slice(0, data.length >> 1)); // half written, then the tab died
      return true;
    };
    if (this.mode === 'writable') {
      handle.createWritable = async () => {
        let buf = new Uint8Array(0);
        return {
          async write(data: BufferSource) {
            buf = new Uint8Array(data as ArrayBuffer).slice();
          },
          async close() {
            if (tear(buf)) throw new Error('QuotaExceededError');
            files.set(name, buf);
          },
        };
      };
    } else {
      handle.createSyncAccessHandle = async () => ({
        truncate: (k: number) => files.set(name, files.get(name)!.slice(0, k)),
        write: (data: BufferSource, o?: { at?: number }) => {
          const d = new Uint8Array((data as ArrayBufferView).buffer, (data as ArrayBufferView).byteOffset, (data as ArrayBufferView).byteLength);
          if (tear(d)) throw new Error('QuotaExceededError');
          const at = o?.at ?? 0;
          const cur = files.get(name)!;
          const next = new Uint8Array(Math.max(cur.length, at + d.length));
          next.set(cur);
          next.set(d, at);
          files.set(name, next);
          return d.length;
        },
        flush: () => undefined,
        close: () => undefined,
      });
    }
    return handle;
  }

  async removeEntry(name: string): Promise<void> {
    if (!this.files.delete(name)) throw new DOMException(`${name} not found`, 'NotFoundError');
  }
}

describe('peekBundle', () => {
  it('reads the state from the header of a complete bundle and refuses torn or foreign files', async () => {
    const { bytes, state } = bundle(7, '2026-01-01T10:00:00.000Z');
    const peeked = await peekBundle(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    expect(peeked?.step).toBe(7);
    expect(peeked?.savedAt).toBe(state.savedAt);
    expect(await peekBundle(new Blob([bytes.slice(0, bytes.length - 4)]))).toBeNull();
    expect(await peekBundle(new Blob([new Uint8Array([1, 2, 3])]))).toBeNull();
    expect(await peekBundle(new Blob([new TextEncoder().encode('not a checkpoint at all, just text')]))).toBeNull();
  });
});

describe.each(['writable', 'sync'] as const)('OpfsCheckpointStore (%s writes)', (mode) => {
  it('alternates slots, returns the newest, survives a torn write, and discards', async () => {
    const dir = new FakeDir(mode);
    const store = new OpfsCheckpointStore(dir);
    expect(await store.latest()).toBeNull();
    expect(await store.read()).toBeNull();

    const a = bundle(10, '2026-01-01T10:00:00.000Z');
    const info = await store.save(a.bytes, a.state);
    expect(info).toMatchObject({ step: 10, totalSteps: 50, where: 'opfs', bytes: a.bytes.length, preset: config.preset });
    const b = bundle(20, '2026-01-01T10:05:00.000Z');
    await store.save(b.bytes, b.state);
    expect([...dir.files.keys()].sort()).toEqual(['slot-a.safetensors', 'slot-b.safetensors']);
    expect((await store.latest())?.step).toBe(20);

    // The next save goes to the slot of step 10 and is torn: step 20 is still the autosave.
    dir.failNext = true;
    const c = bundle(30, '2026-01-01T10:10:00.000Z');
    await expect(store.save(c.bytes, c.state)).rejects.toThrow(/Quota/);
    expect((await store.latest())?.step).toBe(20);
    const back = decodeCheckpointBundle((await store.read())!);
    expect(back.state.step).toBe(20);
    expect(back.params[0]).toBe(20);

    // A good save now overwrites the torn slot, never the good one.
    await store.save(c.bytes, c.state);
    expect((await store.latest())?.step).toBe(30);
    const steps = await Promise.all([...dir.files.values()].map((f) => peekBundle(new Blob([f as Uint8Array<ArrayBuffer>]))));
    expect(steps.map((s) => s?.step).sort()).toEqual([20, 30]);

    await store.discard();
    expect(dir.files.size).toBe(0);
    expect(await store.latest()).toBeNull();
  });
});

describe('AutosaveStore', () => {
  it('falls back to memory when an OPFS write fails, and says so', async () => {
    const dir = new FakeDir('writable');
    const store = new AutosaveStore(new OpfsCheckpointStore(dir), null);
    const a = bundle(5, '2026-01-01T10:00:00.000Z');
    expect((await store.save(a.bytes, a.state)).where).toBe('opfs');
    expect(store.fallbackReason).toBeNull();
    dir.failNext = true;
    const b = bundle(6, '2026-01-01T10:01:00.000Z');
    const info = await store.save(b.bytes, b.state);
    expect(info.where).toBe('memory');
    expect(store.fallbackReason).toMatch(/memory only/);
    expect(store.where).toBe('memory');
    // The newest bundle (memory) is the one read back for a recovery.
    expect((await store.latest())?.step).toBe(6);
    expect(decodeCheckpointBundle((await store.read())!).state.step).toBe(6);
    // OPFS works again: the memory copy is dropped.
    const c = bundle(7, '2026-01-01T10:02:00.000Z');
    expect((await store.save(c.bytes, c.state)).where).toBe('opfs');
    expect(store.fallbackReason).toBeNull();
    await store.discard();
    expect(await store.latest()).toBeNull();
  });

  it('is memory-only, with the reason, where there is no OPFS (Node)', async () => {
    const store = await openAutosaveStore(undefined);
    expect(store.where).toBe('memory');
    expect(store.fallbackReason).toMatch(/no origin-private file system/);
    const a = bundle(3, '2026-01-01T10:00:00.000Z');
    expect((await store.save(a.bytes, a.state)).where).toBe('memory');
    expect((await store.latest())?.step).toBe(3);
  });
});
