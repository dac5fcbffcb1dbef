/** Inspect requests, handled in the worker. */
import type { InspectRequest } from '../protocol/inspect';
import type { WorkerState } from './context';

export async function handleInspectRequest(_state: WorkerState, req: InspectRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  throw new Error(`unknown request ${req.kind}`);
}
