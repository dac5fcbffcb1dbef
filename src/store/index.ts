/**
 * The single studio store (zustand slices pattern). Holds small facts only: statuses, settings, selections and
 * scalar metrics. Tensors, GPU buffers and rasters live in the worker or in module-level caches, never here.
 */
import { create } from 'zustand';
import { createTrainClient, type TrainClient } from '../train/client';
import type { GpuStatus } from '../train/protocol';
import { createGpuSlice, type GpuSlice } from './gpuSlice';
import { createViewSlice, type ViewSlice } from './viewSlice';

export type StudioState = GpuSlice & ViewSlice;

export const useStudioStore = create<StudioState>()((...a) => ({
  ...createGpuSlice(...a),
  ...createViewSlice(...a),
}));

let client: TrainClient | null = null;

/** Starts the training worker once and asks it for a GPU device; status updates flow into the gpu slice. */
export async function connectGpu(): Promise<GpuStatus> {
  if (!client) {
    client = createTrainClient();
    client.onStatus((s) => useStudioStore.getState().setGpuStatus(s));
  }
  useStudioStore.getState().setGpuStatus({ state: 'probing' });
  return client.probe();
}

export type { GpuStatus };
export type { AdapterReport } from '../train/protocol';
export { SECTIONS, type Section } from './viewSlice';
export { selectAdapterName, selectIsSoftwareAdapter } from './gpuSlice';
export { installTestHook } from './testHook';
