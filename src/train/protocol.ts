/**
 * Typed messages between the main thread (src/train/client.ts) and the training worker (src/train/train.worker.ts).
 * Every message has a `type` field (the webgpu-samples worker convention). Large arrays travel as transferables,
 * never through the store.
 */
import type { AdapterReport } from '../gpu/capabilities';

export type GpuStatus =
  | { state: 'probing' }
  | { state: 'ready'; report: AdapterReport }
  | { state: 'unavailable'; reason: string }
  | { state: 'lost'; reason: string; report?: AdapterReport };

/** Main thread → worker. */
export type ToWorker = { type: 'probe'; id: number };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'gpu-status'; id?: number; status: GpuStatus }
  | { type: 'error'; id?: number; message: string };

export type { AdapterReport };
