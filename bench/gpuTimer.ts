/**
 * Timing our recorded Dispatches on a device, in Node (Dawn) and in the page alike.
 *
 * - 'timestamp': one compute pass holding `inner` repetitions of the dispatches, with `timestampWrites` at the
 *   beginning and end of the pass (the portable in-pass form); the figure is end − begin, i.e. GPU time without
 *   submit/readback overhead. Chrome quantises timestamps to 100 µs unless started with
 *   --enable-webgpu-developer-features (the bench's Chromium gets that flag; batching `inner` ops covers the rest).
 * - 'wall': host clock from submit to `onSubmittedWorkDone`, for adapters without timestamp-query.
 * Both report the host wall time too (submit → result), which the figure's time budget is charged.
 * Dispatches of one pass run in order with storage writes visible to later dispatches (WebGPU usage scopes), so a
 * multi-kernel op (attention backward) repeated `inner` times is timed exactly as the model would run it.
 */
import type { Dispatch } from '../src/kernels/dispatch';
import type { Runner, RunTimes, TimingMethod } from './measure';

const QUERY_RESOLVE = 0x200; // GPUBufferUsage.QUERY_RESOLVE (inlined like src/gpu/buffers.ts: Node globals load late)
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;

export interface DispatchRunner extends Runner {
  dispose(): void;
}

/** The method to use on this device: timestamps when available and not overridden. */
export function timingMethod(device: GPUDevice, requested: 'auto' | 'wall'): TimingMethod {
  return requested === 'auto' && device.features.has('timestamp-query') ? 'timestamp' : 'wall';
}

function encodeRepeated(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[], inner: number): void {
  for (let i = 0; i < inner; i++) {
    for (const d of dispatches) {
      if (d.workgroups[0] === 0 || d.workgroups[1] === 0 || d.workgroups[2] === 0) continue;
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
  }
}

export function dispatchRunner(device: GPUDevice, dispatches: readonly Dispatch[], method: TimingMethod, label = 'bench'): DispatchRunner {
  if (method === 'wall') {
    return {
      method,
      async run(inner: number): Promise<RunTimes> {
        const enc = device.createCommandEncoder({ label });
        const pass = enc.beginComputePass({ label });
        encodeRepeated(pass, dispatches, inner);
        pass.end();
        const cmd = enc.finish();
        const t0 = performance.now();
        device.queue.submit([cmd]);
        await device.queue.onSubmittedWorkDone();
        const wallMs = performance.now() - t0;
        return { ms: wallMs, wallMs };
      },
      dispose() {},
    };
  }
  const querySet = device.createQuerySet({ label: `${label}:timestamps`, type: 'timestamp', count: 2 });
  const resolve = device.createBuffer({ label: `${label}:resolve`, size: 16, usage: QUERY_RESOLVE | COPY_SRC });
  const staging = device.createBuffer({ label: `${label}:staging`, size: 16, usage: MAP_READ | COPY_DST });
  return {
    method,
    async run(inner: number): Promise<RunTimes> {
      const enc = device.createCommandEncoder({ label });
      const pass = enc.beginComputePass({ label, timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
      encodeRepeated(pass, dispatches, inner);
      pass.end();
      enc.resolveQuerySet(querySet, 0, 2, resolve, 0);
      enc.copyBufferToBuffer(resolve, 0, staging, 0, 16);
      const cmd = enc.finish();
      const t0 = performance.now();
      device.queue.submit([cmd]);
      await staging.mapAsync(MAP_READ);
      const wallMs = performance.now() - t0;
      const [begin, end] = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      if (end <= begin) throw new Error(`GPU timestamps did not advance (begin ${begin}, end ${end}); rerun with --timing wall`);
      return { ms: Number(end - begin) / 1e6, wallMs };
    },
    dispose() {
      querySet.destroy();
      resolve.destroy();
      staging.destroy();
    },
  };
}
