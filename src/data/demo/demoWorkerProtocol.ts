/**
 * Messages between the page and the demo-dataset worker (demoData.worker.ts), and the request handler the worker runs.
 * Generating the default dataset takes a few seconds of CPU, so the studio does it off the main thread on first
 * visit; the files come back as transferred ArrayBuffers (no copy of the ~32 MB).
 *
 * Invariants: every request gets exactly one final message ('done' or 'error') with its id, preceded by one
 * 'progress' message per file; the handler never throws (errors become 'error' messages naming the problem).
 */
import { generateDemoDataset, type DemoDatasetOptions, type DemoFile } from './generateDemoDataset';

export interface DemoGenerateRequest {
  type: 'generate';
  id: number;
  options: Omit<DemoDatasetOptions, 'onProgress'>;
}

export type DemoWorkerMessage =
  | { type: 'progress'; id: number; done: number; total: number; name: string }
  | { type: 'done'; id: number; files: DemoFile[]; ms: number }
  | { type: 'error'; id: number; message: string };

/** Posts a message, transferring the listed buffers. */
export type PostDemoMessage = (msg: DemoWorkerMessage, transfer: Transferable[]) => void;

export function handleDemoRequest(req: DemoGenerateRequest, post: PostDemoMessage): void {
  const t0 = performance.now();
  try {
    const files = generateDemoDataset({ ...req.options, onProgress: (done, total, name) => post({ type: 'progress', id: req.id, done, total, name }, []) });
    post({ type: 'done', id: req.id, files, ms: performance.now() - t0 }, files.map((f) => f.bytes));
  } catch (e) {
    post({ type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) }, []);
  }
}
