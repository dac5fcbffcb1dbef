/**
 * Exposes the store on `window.__studio` (getState/subscribe) so e2e tests can wait on real state
 * (`expect.poll(() => window.__studio.getState().gpu.state)`) instead of sleeping. Read-only use by tests; the app
 * never reads it.
 */
import type { StoreApi } from 'zustand';

export function installTestHook<T>(store: Pick<StoreApi<T>, 'getState' | 'subscribe'>): void {
  if (typeof window === 'undefined') return;
  (window as unknown as { __studio?: unknown }).__studio = { getState: store.getState, subscribe: store.subscribe };
}
