/** Which studio section is showing. Sections are addressable by URL hash (#data, #model, …) so reload keeps the view. */
import type { StateCreator } from 'zustand';
import type { StudioState } from './index';

export const SECTIONS = ['data', 'model', 'train', 'inspect', 'evaluate', 'export', 'system'] as const;

/** The section shown when the URL names none. */
export const DEFAULT_SECTION: Section = 'data';
export type Section = (typeof SECTIONS)[number];

export interface ViewSlice {
  section: Section;
  setSection: (s: Section) => void;
}

export function sectionFromHash(hash: string): Section {
  const h = hash.replace(/^#/, '');
  return (SECTIONS as readonly string[]).includes(h) ? (h as Section) : DEFAULT_SECTION;
}

export const createViewSlice: StateCreator<StudioState, [], [], ViewSlice> = (set) => ({
  section: typeof location === 'undefined' ? DEFAULT_SECTION : sectionFromHash(location.hash),
  setSection: (section) => {
    if (typeof history !== 'undefined') history.replaceState(null, '', `#${section}`);
    set({ section });
  },
});
