/**
 * A Dispatch is one recorded compute dispatch: pipeline, bind group and grid, built once and replayed every
 * training step (no per-step allocation or bind-group creation). Kernel wrappers return Dispatches; the model
 * concatenates them in graph order and `encodeDispatches` records them into a single compute pass — WebGPU orders
 * storage writes between dispatches of one pass, so no extra barriers are needed.
 */

export interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: readonly [number, number, number];
}

export function encodeDispatches(encoder: GPUCommandEncoder, dispatches: readonly Dispatch[], label = 'dispatches'): void {
  const pass = encoder.beginComputePass({ label });
  for (const d of dispatches) {
    if (d.workgroups[0] === 0 || d.workgroups[1] === 0 || d.workgroups[2] === 0) continue;
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
  pass.end();
}

/** Records and submits dispatches in one command buffer. Does not wait. */
export function submitDispatches(device: GPUDevice, dispatches: readonly Dispatch[], label = 'dispatches'): void {
  const enc = device.createCommandEncoder({ label });
  encodeDispatches(enc, dispatches, label);
  device.queue.submit([enc.finish()]);
}

/** ceil(a / b) for grid sizes. */
export const cdiv = (a: number, b: number) => Math.ceil(a / b);
