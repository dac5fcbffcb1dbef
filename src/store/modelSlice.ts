/** Model section state (small facts only). */
import type { StateCreator } from 'zustand';
import type { StudioState } from './index';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ModelSlice {}

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = () => ({});
