/**
 * Main-thread proxy to the studio worker: `request(req)` returns a promise of the worker's reply; `on(kind, fn)`
 * subscribes to pushed events. The store calls these; nothing here touches the GPU. Transferables passed to
 * `request` are moved, not copied (files are posted as File handles, which the worker reads lazily).
 */
import type { FromWorker, Request, ToWorker, WorkerEvent } from './protocol';

type EventOf<K extends WorkerEvent['kind']> = Extract<WorkerEvent, { kind: K }>;

export interface StudioClient {
  request<T = unknown>(req: Request, transfer?: Transferable[]): Promise<T>;
  on<K extends WorkerEvent['kind']>(kind: K, listener: (e: EventOf<K>) => void): () => void;
  terminate(): void;
}

export function createStudioClient(): StudioClient {
  const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: 'eo-mae-studio' });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(e: WorkerEvent) => void>>();
  const emit = (e: WorkerEvent) => listeners.get(e.kind)?.forEach((l) => l(e));
  worker.onmessage = (ev: MessageEvent<FromWorker>) => {
    const msg = ev.data;
    if (msg.type === 'event') emit(msg.event);
    else {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(msg.error));
    }
  };
  worker.onerror = (ev) => {
    const error = new Error(`The studio worker stopped: ${ev.message || 'unknown error'}`);
    for (const [, p] of pending) p.reject(error);
    pending.clear();
    emit({ kind: 'gpu.status', status: { state: 'unavailable', reason: error.message } });
  };
  return {
    request<T>(request: Request, transfer: Transferable[] = []) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ type: 'request', id, request } satisfies ToWorker, transfer);
      });
    },
    on(kind, listener) {
      let set = listeners.get(kind);
      if (!set) listeners.set(kind, (set = new Set()));
      set.add(listener as (e: WorkerEvent) => void);
      return () => set!.delete(listener as (e: WorkerEvent) => void);
    },
    terminate() {
      worker.terminate();
    },
  };
}
