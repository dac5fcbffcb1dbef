/** Data requests, handled in the worker. */
import type { DataRequest } from '../protocol/data';
import type { WorkerState } from './context';

export async function handleDataRequest(_state: WorkerState, req: DataRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  throw new Error(`unknown request ${req.kind}`);
}
