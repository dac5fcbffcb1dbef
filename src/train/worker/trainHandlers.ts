/** Train requests, handled in the worker. */
import type { TrainRequest } from '../protocol/train';
import type { WorkerState } from './context';

export async function handleTrainRequest(_state: WorkerState, req: TrainRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  throw new Error(`unknown request ${req.kind}`);
}
