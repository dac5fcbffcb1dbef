/**
 * Test access to the real GeoTIFFs in ../shared/data (never copied into the repository): locating the folder,
 * listing every file, and opening files as ByteSources the way the CLI does (`fs.openAsBlob`, read lazily).
 *
 * Node-only (node:fs); imported by unit tests and the bench, never by code that runs in the browser.
 * Invariants: paths handed out are relative to the shared data root ("rasterio/byte.tif"), which is also the
 * ByteSource name, so recognition sees the same folder names a user's dropped folder would have.
 * Reference: /work/shared/data/README.md.
 */
import { existsSync, openAsBlob, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { blobSource, bufferSource, type ByteSource } from '../source';

export const SHARED_DATA = path.resolve(process.cwd(), '../shared/data');

export function sharedDataAvailable(): boolean {
  return existsSync(path.join(SHARED_DATA, 'README.md'));
}

/** Every file under the shared data root (relative paths, sorted), optionally only under `sub`. */
export function listSharedFiles(sub = '', filter: RegExp = /\.tif$/i): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(SHARED_DATA, dir)).sort()) {
      const rel = dir ? `${dir}/${e}` : e;
      if (statSync(path.join(SHARED_DATA, rel)).isDirectory()) walk(rel);
      else if (filter.test(e)) out.push(rel);
    }
  };
  walk(sub);
  return out;
}

export async function sharedSource(rel: string): Promise<ByteSource> {
  return blobSource(await openAsBlob(path.join(SHARED_DATA, rel)), rel);
}

export function sharedBytes(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(SHARED_DATA, rel)));
}

export function sharedBufferSource(rel: string): ByteSource {
  return bufferSource(sharedBytes(rel), rel);
}
