/** Inspect section state (small facts only). */
import type { StateCreator } from 'zustand';
import type { StudioState } from './index';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InspectSlice {}

export const createInspectSlice: StateCreator<StudioState, [], [], InspectSlice> = () => ({});
