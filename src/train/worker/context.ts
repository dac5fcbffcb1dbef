/**
 * State shared by the worker's feature handlers (data, train, inspect): the GPU device (acquired once, lazily), the
 * loaded files and dataset, the model configuration and the trainer. One instance per worker. Handlers mutate it;
 * they communicate with the page only through replies and `post` events.
 */
import { acquireDevice, type GpuContext } from '../../gpu/device';
import type { WorkerEvent } from '../protocol';

export interface WorkerState {
  /** Pushes an event to the page. */
  post(event: WorkerEvent, transfer?: Transferable[]): void;
  /** The device, acquired on first use; rejects with a plain-language reason when there is none. */
  device(): Promise<GpuContext>;
  /** Forget the device (after loss); the next `device()` acquires a new one. */
  resetDevice(): void;
  /** Feature-owned state; each handler keeps its own record under its own key. */
  data: unknown;
  train: unknown;
  inspect: unknown;
}

export function createWorkerState(post: WorkerState['post']): WorkerState {
  let ctx: Promise<GpuContext> | null = null;
  const state: WorkerState = {
    post,
    device() {
      if (!ctx) {
        ctx = acquireDevice((self as unknown as { navigator: Navigator }).navigator.gpu, { runtime: 'browser (worker)' });
        ctx.then(
          (c) =>
            c.onLost((e) => {
              ctx = null;
              post({ kind: 'gpu.status', status: { state: 'lost', reason: `${e.reason}: ${e.message}`, report: c.report } });
            }),
          () => {
            ctx = null;
          },
        );
      }
      return ctx;
    },
    resetDevice() {
      ctx = null;
    },
    data: null,
    train: null,
    inspect: null,
  };
  return state;
}
