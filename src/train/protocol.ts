/**
 * Typed messages between the main thread (src/train/client.ts) and the studio worker (src/train/train.worker.ts).
 *
 * Requests carry an `id` and get exactly one reply: `{ type: 'reply', id, ok: true, value }` or
 * `{ type: 'reply', id, ok: false, error }`. The worker also pushes events (`{ type: 'event', event }`) — progress,
 * metrics, device loss — which the store subscribes to. Each feature defines its requests and events in its own file
 * under protocol/ (data, train, inspect, probe); this file only assembles the unions.
 * Large arrays (image tiles, checkpoints) travel as transferables and never enter the store.
 */
import type { AdapterReport } from '../gpu/capabilities';
import type { DataEvent, DataRequest } from './protocol/data';
import type { EncoderEvent, EncoderRequest } from './protocol/encoder';
import type { InspectEvent, InspectRequest } from './protocol/inspect';
import type { ProbeEvent, ProbeRequest } from './protocol/probe';
import type { TrainEvent, TrainRequest } from './protocol/train';

export type GpuStatus =
  | { state: 'probing' }
  | { state: 'ready'; report: AdapterReport }
  | { state: 'unavailable'; reason: string }
  | { state: 'lost'; reason: string; report?: AdapterReport };

/** Requests: a discriminated union on `kind`, each with its reply type in `Replies`. */
export type Request = { kind: 'gpu.probe' } | DataRequest | TrainRequest | InspectRequest | EncoderRequest | ProbeRequest;

export type WorkerEvent = { kind: 'gpu.status'; status: GpuStatus } | DataEvent | TrainEvent | InspectEvent | EncoderEvent | ProbeEvent;

export type ToWorker = { type: 'request'; id: number; request: Request };

export type FromWorker =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'event'; event: WorkerEvent };

export type { AdapterReport };
