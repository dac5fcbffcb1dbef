/**
 * Main-thread proxy to the training worker. The store calls these functions; nothing here touches the GPU.
 */
import type { FromWorker, GpuStatus, ToWorker } from './protocol';

export interface TrainClient {
  /** Asks the worker to acquire a GPU device; resolves with its status. */
  probe(): Promise<GpuStatus>;
  /** Status changes the worker pushes on its own (device loss). */
  onStatus(listener: (s: GpuStatus) => void): () => void;
  terminate(): void;
}

export function createTrainClient(): TrainClient {
  const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: 'eo-mae-train' });
  let nextId = 1;
  const pending = new Map<number, (s: GpuStatus) => void>();
  const listeners = new Set<(s: GpuStatus) => void>();
  worker.onmessage = (ev: MessageEvent<FromWorker>) => {
    const msg = ev.data;
    if (msg.type === 'gpu-status') {
      if (msg.id !== undefined && pending.has(msg.id)) {
        pending.get(msg.id)!(msg.status);
        pending.delete(msg.id);
      }
      for (const l of listeners) l(msg.status);
    }
  };
  worker.onerror = (ev) => {
    const status: GpuStatus = { state: 'unavailable', reason: `The training worker failed to start: ${ev.message}` };
    for (const [, resolve] of pending) resolve(status);
    pending.clear();
    for (const l of listeners) l(status);
  };
  const send = (m: ToWorker) => worker.postMessage(m);
  return {
    probe() {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        send({ type: 'probe', id });
      });
    },
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    terminate() {
      worker.terminate();
    },
  };
}
