/** Training requests and events (owned by the Train section work; see train/worker/trainHandlers.ts). */
export type TrainRequest = { kind: 'train.none' };
export type TrainEvent = { kind: 'train.none' };
