// The worker's request handler: one progress message per file, then one 'done' whose files are transferred, or one
// 'error' naming the problem — it never throws into the worker.
import { describe, expect, it } from 'vitest';
import { handleDemoRequest, type DemoWorkerMessage } from './demoWorkerProtocol';

describe('handleDemoRequest', () => {
  it('posts progress per file, then the files with their buffers in the transfer list', () => {
    const msgs: Array<[DemoWorkerMessage, Transferable[]]> = [];
    handleDemoRequest({ type: 'generate', id: 3, options: { size: 32, aerialGsd: 10 } }, (m, t) => msgs.push([m, t]));
    const last = msgs[msgs.length - 1];
    expect(last[0].type).toBe('done');
    if (last[0].type !== 'done') return;
    const files = last[0].files;
    expect(files).toHaveLength(41);
    expect(last[1]).toEqual(files.map((f) => f.bytes));
    const progress = msgs.slice(0, -1).map(([m]) => m);
    expect(progress).toEqual(files.map((f, i) => ({ type: 'progress', id: 3, done: i + 1, total: 41, name: f.name })));
    expect(last[0].id).toBe(3);
    expect(last[0].ms).toBeGreaterThan(0);
  });

  it('answers invalid options with an error message instead of throwing', () => {
    const msgs: DemoWorkerMessage[] = [];
    handleDemoRequest({ type: 'generate', id: 4, options: { size: 8 } }, (m) => msgs.push(m));
    expect(msgs).toEqual([{ type: 'error', id: 4, message: expect.stringMatching(/size must be an integer/) }]);
  });
});
