/**
 * Node side of the shared real GeoTIFFs (../shared/data, never copied into the repository) for the bench:
 * - `nodeSharedData()`: the SharedData a Node run hands to suites (files opened with fs.openAsBlob, read lazily);
 * - `serveSharedData()`: the read-only HTTP route the bench page fetches them from (bench/browser/host.ts), so the
 *   page reads the same bytes; it is the benchmark server, not the app's.
 *
 * Invariants: nothing outside the shared root is ever listed or served (`insideRoot` rejects `..`, absolute paths
 * and NUL bytes); only GET/HEAD; listings hold .tif files only, as paths relative to the root with '/' separators.
 * Node-only: imported by bench/run.ts and bench/browser/host.ts, never by a suite (suites run in the page too).
 */
import { existsSync, openAsBlob, readdirSync, statSync, createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { blobSource } from '../src/data/source';
import type { SharedData } from './suites/types';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The shared data root: `../shared/data` resolved from the repository root. */
export const SHARED_DATA_ROOT = path.resolve(REPO_ROOT, '../shared/data');

/** URL prefix of the page's route: `<prefix>list?dir=<dir>` (JSON) and `<prefix>file/<path>` (bytes). */
export const SHARED_DATA_ROUTE = '/__shared-data/';

/** The absolute path of `rel` when it lies inside `root`, else null. */
export function insideRoot(root: string, rel: string): string | null {
  if (rel.includes('\0') || path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel)) return null;
  const abs = path.resolve(root, rel);
  const base = path.resolve(root);
  return abs === base || abs.startsWith(base + path.sep) ? abs : null;
}

/** Every .tif file under `dir` of `root` (relative to root, sorted, '/' separators); [] for a missing folder. */
export function listTiffs(root: string, dir: string): string[] {
  const start = insideRoot(root, dir);
  if (!start || !existsSync(start)) return [];
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const e of readdirSync(abs).sort()) {
      const child = path.join(abs, e);
      if (statSync(child).isDirectory()) walk(child);
      else if (/\.tiff?$/i.test(e)) out.push(path.relative(root, child).split(path.sep).join('/'));
    }
  };
  walk(start);
  return out;
}

export function sharedDataPresent(root = SHARED_DATA_ROOT): boolean {
  return existsSync(root) && statSync(root).isDirectory();
}

/** SharedData for suites running in this Node process, or null without the folder. */
export function nodeSharedData(root = SHARED_DATA_ROOT): SharedData | null {
  if (!sharedDataPresent(root)) return null;
  return {
    origin: `${root} (fs.openAsBlob: file-backed Blobs read lazily)`,
    list: async (dir) => listTiffs(root, dir),
    async open(rel) {
      const abs = insideRoot(root, rel);
      if (!abs) throw new Error(`${rel} is outside the shared data folder`);
      return blobSource(await openAsBlob(abs), rel);
    },
  };
}

/** Handles the shared-data route; returns false (untouched) for any other URL so the next middleware runs. */
export function serveSharedData(req: IncomingMessage, res: ServerResponse, root = SHARED_DATA_ROOT): boolean {
  const url = new URL(req.url ?? '/', 'http://bench.invalid');
  if (!url.pathname.startsWith(SHARED_DATA_ROUTE)) return false;
  const fail = (status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    fail(405, 'read-only');
    return true;
  }
  const rest = decodeURIComponent(url.pathname.slice(SHARED_DATA_ROUTE.length));
  if (rest === 'list') {
    const body = JSON.stringify(listTiffs(root, url.searchParams.get('dir') ?? ''));
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
  const abs = rest.startsWith('file/') ? insideRoot(root, rest.slice('file/'.length)) : null;
  if (!abs || !existsSync(abs) || !statSync(abs).isFile()) {
    fail(404, 'not found');
    return true;
  }
  res.writeHead(200, { 'content-type': 'image/tiff', 'content-length': statSync(abs).size, 'cache-control': 'no-store' });
  if (req.method === 'HEAD') res.end();
  else createReadStream(abs).pipe(res);
  return true;
}
