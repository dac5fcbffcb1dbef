/**
 * Turning what the user dropped or picked into files with the paths they will see: dropped folders are walked
 * recursively (DataTransferItem.webkitGetAsEntry, or getAsFileSystemHandle where only that exists), folder-picker
 * files keep their webkitRelativePath, plain files keep their name.
 *
 * Inside folders only raster files are taken (.tif/.tiff/.gtif/.gtiff, plus .jp2/.j2k so the user is told they must
 * be converted); other files (READMEs, .aux.xml sidecars) are listed as skipped. Files dropped or picked one by one
 * are always taken, so a wrongly named file still gets a message explaining what it is.
 * Invariants: the DataTransfer is read synchronously inside the drop handler (browsers empty it afterwards); paths use
 * '/' and never start with one; nothing here reads file contents.
 */
import type { IncomingFile } from '../../../store/dataSlice';

export const RASTER_EXT = /\.(tiff?|gtiff?|jp2|j2k)$/i;

export interface Collected {
  files: IncomingFile[];
  /** Non-raster files found inside folders, by path. */
  skipped: string[];
}

/** Minimal shapes of the File and Directory Entries API (not in the TS DOM lib as needed here). */
interface FsEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
}
interface FsFileEntry extends FsEntry {
  file(ok: (f: File) => void, err: (e: unknown) => void): void;
}
interface FsDirectoryEntry extends FsEntry {
  createReader(): { readEntries(ok: (entries: FsEntry[]) => void, err: (e: unknown) => void): void };
}
interface FsHandle {
  kind: 'file' | 'directory';
  name: string;
  getFile?: () => Promise<File>;
  values?: () => AsyncIterable<FsHandle>;
}

function clean(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\/+/, '');
}

async function walkEntry(entry: FsEntry, inFolder: boolean, out: Collected): Promise<void> {
  if (entry.isFile) {
    const path = clean(entry.fullPath || entry.name);
    if (inFolder && !RASTER_EXT.test(entry.name)) {
      out.skipped.push(path);
      return;
    }
    const file = await new Promise<File>((ok, err) => (entry as FsFileEntry).file(ok, err));
    out.files.push({ file, path });
    return;
  }
  if (entry.isDirectory) {
    const reader = (entry as FsDirectoryEntry).createReader();
    // readEntries returns at most ~100 entries per call: read until it returns none.
    for (;;) {
      const batch = await new Promise<FsEntry[]>((ok, err) => reader.readEntries(ok, err));
      if (batch.length === 0) break;
      for (const e of batch.sort((a, b) => (a.name < b.name ? -1 : 1))) await walkEntry(e, true, out);
    }
  }
}

async function walkHandle(handle: FsHandle, prefix: string, inFolder: boolean, out: Collected): Promise<void> {
  const path = prefix ? `${prefix}/${handle.name}` : handle.name;
  if (handle.kind === 'file' && handle.getFile) {
    if (inFolder && !RASTER_EXT.test(handle.name)) {
      out.skipped.push(path);
      return;
    }
    out.files.push({ file: await handle.getFile(), path });
    return;
  }
  if (handle.kind === 'directory' && handle.values) {
    const children: FsHandle[] = [];
    for await (const h of handle.values()) children.push(h);
    for (const h of children.sort((a, b) => (a.name < b.name ? -1 : 1))) await walkHandle(h, path, true, out);
  }
}

/**
 * Collects files from a drop. Call it synchronously from the drop handler: it captures the entries before awaiting.
 */
export function collectDrop(dt: DataTransfer): Promise<Collected> {
  const items = Array.from(dt.items ?? []).filter((i) => i.kind === 'file');
  const entries = items.map((i) => (i as DataTransferItem & { webkitGetAsEntry?: () => FsEntry | null }).webkitGetAsEntry?.() ?? null);
  const handles = entries.every((e) => !e)
    ? items.map((i) => (i as DataTransferItem & { getAsFileSystemHandle?: () => Promise<FsHandle | null> }).getAsFileSystemHandle?.() ?? null)
    : [];
  const plain = Array.from(dt.files ?? []);
  return (async () => {
    const out: Collected = { files: [], skipped: [] };
    if (entries.some((e) => e)) {
      for (const e of entries) if (e) await walkEntry(e, false, out);
      return out;
    }
    if (handles.some((h) => h)) {
      // Synthetic DataTransfers resolve to undefined (not null): test truthiness.
      const resolved = await Promise.all(handles.map((h) => h?.catch(() => null) ?? null));
      if (resolved.some((h) => h)) {
        for (const h of resolved) if (h) await walkHandle(h, '', false, out);
        return out;
      }
    }
    // Synthetic drops (and browsers without either API) only offer the flat file list.
    for (const f of plain) out.files.push({ file: f, path: f.name });
    return out;
  })();
}

/** Files from <input type=file> (with or without webkitdirectory). */
export function collectInput(list: FileList | null): Collected {
  const out: Collected = { files: [], skipped: [] };
  for (const f of Array.from(list ?? [])) {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
    if (rel) {
      if (!RASTER_EXT.test(f.name)) out.skipped.push(clean(rel));
      else out.files.push({ file: f, path: clean(rel) });
    } else out.files.push({ file: f, path: f.name });
  }
  return out;
}

/** A one-line note about skipped non-raster files, or none. */
export function skippedNote(skipped: readonly string[]): string[] {
  if (skipped.length === 0) return [];
  const shown = skipped.slice(0, 3).join(', ');
  return [`${skipped.length} non-raster file${skipped.length === 1 ? '' : 's'} in the folder${skipped.length === 1 ? ' was' : 's were'} skipped (${shown}${skipped.length > 3 ? ', …' : ''}).`];
}
