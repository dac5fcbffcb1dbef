/** Inspection requests and events (owned by the Inspect section work; see train/worker/inspectHandlers.ts). */
export type InspectRequest = { kind: 'inspect.none' };
export type InspectEvent = { kind: 'inspect.none' };
