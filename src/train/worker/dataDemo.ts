/**
 * Generates the built-in demo dataset for the studio worker.
 *
 * Generation is ~5–12 s of synchronous CPU work, so where the runtime has workers (browsers, including inside this
 * worker) it runs in its own nested demo worker (src/data/demo/demoData.worker.ts): the studio worker stays free to
 * answer the GPU probe, previews and the Model section meanwhile, and the files come back as transferred buffers.
 * Where there is no Worker (Node, tests) or a nested module worker cannot be created, it runs inline with the same
 * progress callbacks.
 * Invariants: resolves with every file or rejects with a plain message; the nested worker is terminated either way.
 * Reference: src/data/demo/demoWorkerProtocol.ts (messages), docs/readme-demo.md (what is generated).
 */
import { generateDemoDataset, type DemoFile } from '../../data/demo/generateDemoDataset';
import type { DemoGenerateRequest, DemoWorkerMessage } from '../../data/demo/demoWorkerProtocol';

export type DemoProgress = (done: number, total: number, name: string) => void;

/** The demo files, generated off this thread when possible. */
export async function generateDemoFiles(onProgress: DemoProgress, signal?: AbortSignal): Promise<DemoFile[]> {
  if (typeof Worker === 'undefined') return generateDemoDataset({ onProgress });
  let worker: Worker;
  try {
    worker = new Worker(new URL('../../data/demo/demoData.worker.ts', import.meta.url), { type: 'module', name: 'eo-mae-demo-data' });
  } catch {
    // Runtimes without nested module workers: generate here (this worker is busy meanwhile, the page is not).
    return generateDemoDataset({ onProgress });
  }
  try {
    return await new Promise<DemoFile[]>((resolve, reject) => {
      const abort = () => reject(new Error('generating the demo dataset was cancelled'));
      signal?.addEventListener('abort', abort, { once: true });
      worker.onmessage = (ev: MessageEvent<DemoWorkerMessage>) => {
        const m = ev.data;
        if (m.type === 'progress') onProgress(m.done, m.total, m.name);
        else if (m.type === 'done') resolve(m.files);
        else reject(new Error(`generating the demo dataset failed: ${m.message}`));
      };
      worker.onerror = (ev) => reject(new Error(`the demo-data worker stopped: ${ev.message || 'unknown error'}`));
      worker.postMessage({ type: 'generate', id: 1, options: {} } satisfies DemoGenerateRequest);
    });
  } finally {
    worker.terminate();
  }
}
