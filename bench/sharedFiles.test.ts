// Unit tests of the shared-data access of the bench (bench/sharedFiles.ts): nothing outside the root is reachable,
// listings are relative .tif paths, and the HTTP route serves listings and bytes read-only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insideRoot, listTiffs, nodeSharedData, serveSharedData, SHARED_DATA_ROUTE } from './sharedFiles';

let root = '';

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bench-shared-'));
  mkdirSync(path.join(root, 'a/b'), { recursive: true });
  writeFileSync(path.join(root, 'a/one.tif'), 'II*\0one');
  writeFileSync(path.join(root, 'a/b/two.TIF'), 'II*\0two');
  writeFileSync(path.join(root, 'a/notes.md'), 'not a tiff');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Recorded {
  res: ServerResponse;
  status: () => number;
  body: () => string;
  done: Promise<void>;
}

/** A minimal response that records status and body (the route uses only writeHead, end and piping into it). */
function response(): Recorded {
  const chunks: Buffer[] = [];
  let status = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  const end = w.end.bind(w);
  const res = Object.assign(w, {
    writeHead(code: number) {
      status = code;
      return res;
    },
    end(chunk?: unknown) {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
      end();
      finish();
      return res;
    },
  });
  w.on('finish', () => finish());
  return { res: res as unknown as ServerResponse, status: () => status, body: () => Buffer.concat(chunks).toString('utf8'), done };
}

const request = (url: string, method = 'GET') => ({ url, method }) as IncomingMessage;

describe('insideRoot', () => {
  it('accepts paths below the root and rejects escapes, absolute paths and NUL bytes', () => {
    expect(insideRoot('/data', 'a/b.tif')).toBe(path.resolve('/data/a/b.tif'));
    expect(insideRoot('/data', '')).toBe(path.resolve('/data'));
    expect(insideRoot('/data', '../etc/passwd')).toBeNull();
    expect(insideRoot('/data', 'a/../../x')).toBeNull();
    expect(insideRoot('/data', '/etc/passwd')).toBeNull();
    expect(insideRoot('/data', 'a\0b')).toBeNull();
    expect(insideRoot('/data', '../data-other/x')).toBeNull();
  });
});

describe('listing and opening', () => {
  it('lists .tif files recursively as sorted relative paths; a missing or escaping folder lists nothing', async () => {
    expect(listTiffs(root, 'a')).toEqual(['a/b/two.TIF', 'a/one.tif']);
    expect(listTiffs(root, 'missing')).toEqual([]);
    expect(listTiffs(root, '..')).toEqual([]);
    const shared = nodeSharedData(root)!;
    expect(await shared.list('a/b')).toEqual(['a/b/two.TIF']);
    const src = await shared.open('a/one.tif');
    expect(src.name).toBe('a/one.tif');
    expect(new TextDecoder().decode(await src.read(4, 3))).toBe('one');
    await expect(shared.open('../x.tif')).rejects.toThrow(/outside the shared data folder/);
    expect(nodeSharedData(path.join(root, 'nope'))).toBeNull();
  });
});

describe('serveSharedData', () => {
  it('serves a JSON listing and file bytes under its route, and nothing else', async () => {
    const list = response();
    expect(serveSharedData(request(`${SHARED_DATA_ROUTE}list?dir=a`), list.res, root)).toBe(true);
    await list.done;
    expect(list.status()).toBe(200);
    expect(JSON.parse(list.body())).toEqual(['a/b/two.TIF', 'a/one.tif']);

    const file = response();
    expect(serveSharedData(request(`${SHARED_DATA_ROUTE}file/a/b/two.TIF`), file.res, root)).toBe(true);
    await file.done;
    expect(file.status()).toBe(200);
    expect(file.body()).toBe('II*\0two');

    for (const [url, status] of [
      [`${SHARED_DATA_ROUTE}file/..%2F..%2Fetc%2Fpasswd`, 404],
      [`${SHARED_DATA_ROUTE}file/a/notes-missing.tif`, 404],
      [`${SHARED_DATA_ROUTE}file/a`, 404],
    ] as const) {
      const r = response();
      serveSharedData(request(url), r.res, root);
      await r.done;
      expect(r.status(), url).toBe(status);
    }
    const post = response();
    serveSharedData(request(`${SHARED_DATA_ROUTE}list`, 'POST'), post.res, root);
    await post.done;
    expect(post.status()).toBe(405);
    expect(serveSharedData(request('/page.ts'), response().res, root)).toBe(false);
  });
});
