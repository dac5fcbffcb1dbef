/**
 * The training worker: owns the GPU device so long GPU work never blocks the page. For now it acquires the device
 * and reports the adapter and device loss; training requests are added by the training engine.
 */
/// <reference lib="webworker" />
import { acquireDevice, type GpuContext } from '../gpu/device';
import { GpuError } from '../gpu/errors';
import type { FromWorker, ToWorker } from './protocol';

let ctx: GpuContext | null = null;

function post(msg: FromWorker): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg);
}

async function probe(id: number): Promise<void> {
  try {
    if (!ctx) {
      ctx = await acquireDevice((self as unknown as { navigator: Navigator }).navigator.gpu, { runtime: 'browser (worker)' });
      const report = ctx.report;
      ctx.onLost((e) => {
        ctx = null;
        post({ type: 'gpu-status', status: { state: 'lost', reason: `${e.reason}: ${e.message}`, report } });
      });
    }
    post({ type: 'gpu-status', id, status: { state: 'ready', report: ctx.report } });
  } catch (e) {
    const reason = e instanceof GpuError || e instanceof Error ? e.message : String(e);
    post({ type: 'gpu-status', id, status: { state: 'unavailable', reason } });
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'probe') void probe(msg.id);
};
