/**
 * The single studio store (zustand slices pattern). Holds small facts only: statuses, settings, selections and
 * scalar metrics. Tensors, GPU buffers, rasters and rendered images live in the worker or in module-level caches
 * (see ui/canvas), never here. Slices reach the worker through store/client.ts.
 */
import { create } from 'zustand';
import type { AdapterReport, GpuStatus } from '../train/protocol';
import { studioClient } from './client';
import { createDataSlice, type DataSlice } from './dataSlice';
import { createEncoderSlice, type EncoderSlice } from './encoderSlice';
import { createGpuSlice, type GpuSlice } from './gpuSlice';
import { createInspectSlice, type InspectSlice } from './inspectSlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createProbeSlice, type ProbeSlice } from './probeSlice';
import { createTrainSlice, type TrainSlice } from './trainSlice';
import { createViewSlice, type ViewSlice } from './viewSlice';

export type StudioState = GpuSlice & ViewSlice & DataSlice & ModelSlice & TrainSlice & InspectSlice & EncoderSlice & ProbeSlice;

export const useStudioStore = create<StudioState>()((...a) => ({
  ...createGpuSlice(...a),
  ...createViewSlice(...a),
  ...createDataSlice(...a),
  ...createModelSlice(...a),
  ...createTrainSlice(...a),
  ...createInspectSlice(...a),
  ...createEncoderSlice(...a),
  ...createProbeSlice(...a),
}));

let gpuConnected = false;

/** Asks the worker for a GPU device; status updates (including device loss) flow into the gpu slice. */
export async function connectGpu(): Promise<GpuStatus> {
  const client = studioClient();
  if (!gpuConnected) {
    gpuConnected = true;
    client.on('gpu.status', (e) => useStudioStore.getState().setGpuStatus(e.status));
  }
  useStudioStore.getState().setGpuStatus({ state: 'probing' });
  let status: GpuStatus;
  try {
    status = { state: 'ready', report: await client.request<AdapterReport>({ kind: 'gpu.probe' }) };
  } catch (e) {
    status = { state: 'unavailable', reason: e instanceof Error ? e.message : String(e) };
  }
  useStudioStore.getState().setGpuStatus(status);
  return status;
}

export type { AdapterReport, GpuStatus };
export { SECTIONS, type Section } from './viewSlice';
export { selectAdapterName, selectIsSoftwareAdapter } from './gpuSlice';
export { installTestHook } from './testHook';
