/**
 * The demo-dataset worker: generates the built-in demo GeoTIFFs off the main thread. Start it with
 * `new Worker(new URL('../data/demo/demoData.worker.ts', import.meta.url), { type: 'module' })`, post a
 * DemoGenerateRequest, and receive 'progress' messages then one 'done' (files transferred) or 'error'.
 */
/// <reference lib="webworker" />
import { handleDemoRequest, type DemoGenerateRequest } from './demoWorkerProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (ev: MessageEvent<DemoGenerateRequest>) => {
  if (ev.data?.type === 'generate') handleDemoRequest(ev.data, (msg, transfer) => scope.postMessage(msg, transfer));
};
