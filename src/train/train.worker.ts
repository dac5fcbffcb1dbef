/**
 * The studio worker: owns the GPU device, the loaded data and the model, so decoding, training and inference never
 * block the page. Requests are routed by the prefix of their `kind` to the feature handlers in ./worker/.
 */
/// <reference lib="webworker" />
import type { FromWorker, Request, ToWorker, WorkerEvent } from './protocol';
import { createWorkerState } from './worker/context';
import { handleDataRequest } from './worker/dataHandlers';
import { handleEncoderRequest } from './worker/encoderHandlers';
import { handleInspectRequest } from './worker/inspectHandlers';
import { handleProbeRequest } from './worker/probeHandlers';
import { handleTrainRequest } from './worker/trainHandlers';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (msg: FromWorker, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);
const state = createWorkerState((event: WorkerEvent, transfer?: Transferable[]) => post({ type: 'event', event }, transfer));

async function handle(req: Request): Promise<{ value: unknown; transfer?: Transferable[] }> {
  if (req.kind === 'gpu.probe') {
    const ctx = await state.device();
    return { value: ctx.report };
  }
  if (req.kind.startsWith('data.')) return handleDataRequest(state, req as Extract<Request, { kind: `data.${string}` }>);
  if (req.kind.startsWith('train.')) return handleTrainRequest(state, req as Extract<Request, { kind: `train.${string}` }>);
  if (req.kind.startsWith('inspect.')) return handleInspectRequest(state, req as Extract<Request, { kind: `inspect.${string}` }>);
  if (req.kind.startsWith('probe.')) return handleProbeRequest(state, req as Extract<Request, { kind: `probe.${string}` }>);
  if (req.kind.startsWith('encoder.')) return handleEncoderRequest(state, req as Extract<Request, { kind: `encoder.${string}` }>);
  throw new Error(`unknown request ${(req as { kind: string }).kind}`);
}

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const { id, request } = ev.data;
  handle(request).then(
    ({ value, transfer }) => post({ type: 'reply', id, ok: true, value }, transfer),
    (e: unknown) => post({ type: 'reply', id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
};
