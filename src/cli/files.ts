/**
 * Node helpers shared by the CLIs: expand files and folders into raster paths (recursively, sorted, hidden entries
 * skipped) and open them as lazily-read byte sources (fs.openAsBlob: a 2 GB file is never read whole).
 */
import { openAsBlob } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { blobSource, type ByteSource } from '../data/source';

export const RASTER_EXT = /\.(tiff?|gtiff?|jp2|j2k)$/i;

export interface CollectedFiles {
  files: string[];
  /** Files inside folders that are not rasters by extension. */
  skipped: string[];
  /** Paths that do not exist. */
  missing: string[];
}

/** Files named explicitly are always kept; inside folders only raster extensions are. */
export async function collectFiles(inputs: readonly string[]): Promise<CollectedFiles> {
  const out: CollectedFiles = { files: [], skipped: [], missing: [] };
  const walk = async (p: string, explicit: boolean): Promise<void> => {
    let st;
    try {
      st = await stat(p);
    } catch {
      out.missing.push(p);
      return;
    }
    if (st.isDirectory()) {
      const entries = (await readdir(p)).filter((e) => !e.startsWith('.')).sort();
      for (const e of entries) await walk(path.join(p, e), false);
    } else if (explicit || RASTER_EXT.test(p)) out.files.push(p);
    else out.skipped.push(p);
  };
  for (const i of inputs) await walk(i, true);
  return out;
}

export async function fileSources(files: readonly string[]): Promise<ByteSource[]> {
  return Promise.all(files.map(async (f) => blobSource(await openAsBlob(f), f)));
}
