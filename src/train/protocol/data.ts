/** Data requests and events (owned by the Data section work; see train/worker/dataHandlers.ts). */
export type DataRequest = { kind: 'data.none' };
export type DataEvent = { kind: 'data.none' };
