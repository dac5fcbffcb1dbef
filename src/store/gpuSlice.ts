/**
 * GPU status slice: what adapter the training worker got (or why none), shown in the capability badge and used to
 * warn about software adapters. The worker owns the device; this slice only holds its small status record.
 */
import type { StateCreator } from 'zustand';
import type { GpuStatus } from '../train/protocol';
import type { StudioState } from './index';

export interface GpuSlice {
  gpu: GpuStatus;
  setGpuStatus: (status: GpuStatus) => void;
}

export const createGpuSlice: StateCreator<StudioState, [], [], GpuSlice> = (set) => ({
  gpu: { state: 'probing' },
  setGpuStatus: (gpu) => set({ gpu }),
});

export const selectAdapterName = (s: StudioState): string | null =>
  s.gpu.state === 'ready' || s.gpu.state === 'lost' ? (s.gpu.report?.name ?? null) : null;

export const selectIsSoftwareAdapter = (s: StudioState): boolean =>
  (s.gpu.state === 'ready' || s.gpu.state === 'lost') && Boolean(s.gpu.report?.isSoftware);
