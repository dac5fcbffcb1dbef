/**
 * Byte sources: the one abstraction every reader in src/data goes through (a dropped File, a Blob, an ArrayBuffer,
 * or in Node a file opened with `fs.openAsBlob`), plus the adapter that hands it to geotiff.js.
 *
 * Why not `fromBlob`: geotiff's FileReaderSource needs the DOM FileReader, which Node lacks; `Blob.slice().arrayBuffer()`
 * exists in browsers, workers and Node ≥ 20, so one code path serves all three. The adapter also counts the bytes
 * fetched (the windowed-read memory test measures them) and clamps reads at the end of the file the way
 * `ArrayBuffer.slice` does, because geotiff asks for a 1024-byte header even from a 500-byte file.
 * Invariants: `read` never returns more than `length` bytes and never reads past `size`; nothing here decodes.
 * Reference: geotiff.js 3.0.5 `src/source/{basesource,filereader,arraybuffer}.js`; /work/shared/docs/data.md §1.2.
 */
import { GeoTIFF } from 'geotiff';
import { DataError, hexHead, sniffNonTiff, toDataError } from './errors';

export interface ByteSource {
  /** What the user calls the file: a relative path or a file name. Every message about the file uses it. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Bytes [offset, offset+length) clamped to the file; may be shorter than `length` at the end of the file. */
  read(offset: number, length: number, signal?: AbortSignal): Promise<ArrayBuffer>;
}

/** Running totals of what geotiff fetched through a source (for memory/IO accounting and the bench). */
export interface ByteCounter {
  bytes: number;
  requests: number;
}

export function newByteCounter(): ByteCounter {
  return { bytes: 0, requests: 0 };
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const e = new Error('Request aborted');
    e.name = 'AbortError';
    throw e;
  }
}

/** A Blob or File read lazily by slices: a dropped 2 GB file is never loaded whole. */
export function blobSource(blob: Blob, name?: string): ByteSource {
  const fileName = name ?? ((blob as File).name || 'blob');
  return {
    name: fileName,
    size: blob.size,
    async read(offset, length, signal) {
      throwIfAborted(signal);
      const start = Math.max(0, Math.min(offset, blob.size));
      const end = Math.max(start, Math.min(offset + length, blob.size));
      // The whole file needs no slice (a Blob object per read: measurable with many small files).
      const buf = await (start === 0 && end === blob.size ? blob : blob.slice(start, end)).arrayBuffer();
      throwIfAborted(signal);
      return buf;
    },
  };
}

/** An in-memory file (tests, fetched URLs). The buffer is not copied; slices are. */
export function bufferSource(data: ArrayBuffer | Uint8Array, name: string): ByteSource {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return {
    name,
    size: bytes.byteLength,
    async read(offset, length, signal) {
      throwIfAborted(signal);
      const start = Math.max(0, Math.min(offset, bytes.byteLength));
      const end = Math.max(start, Math.min(offset + length, bytes.byteLength));
      return bytes.slice(start, end).buffer;
    },
  };
}

/** Wraps a source so every read adds to `counter` (bytes actually returned, not requested). */
export function countingSource(src: ByteSource, counter: ByteCounter): ByteSource {
  return {
    name: src.name,
    size: src.size,
    async read(offset, length, signal) {
      const buf = await src.read(offset, length, signal);
      counter.bytes += buf.byteLength;
      counter.requests += 1;
      return buf;
    },
  };
}

/** A source whose first bytes are read once and kept (see `readAheadSource`). */
export interface ReadAheadSource extends ByteSource {
  /** Drops the kept bytes; later reads go to the wrapped source. */
  release(): void;
}

/**
 * Serves every read that lies inside the first `headBytes` of `src` (the whole file when it is smaller) from ONE read
 * of that range, made on the first request. Opening a TIFF costs 4–6 small reads (header, directory, offset and
 * byte-count tables, and for a small file its only tile), and each Blob slice read costs far more than its bytes
 * (≈ 0.05 ms per read in Node 20, fs.openAsBlob). Reads are answered with copies, because geotiff hands tile bytes to
 * worker Pools as transferables (a transfer detaches the buffer). Reads outside the head, or after `release()`, go to
 * `src` unchanged; a failed or aborted head read is retried on the next request.
 */
export function readAheadSource(src: ByteSource, headBytes = 64 * 1024): ReadAheadSource {
  const want = Math.min(src.size, Math.max(0, headBytes));
  let head: Promise<ArrayBuffer> | null = null;
  let released = want === 0;
  return {
    name: src.name,
    size: src.size,
    async read(offset, length, signal) {
      const start = Math.max(0, Math.min(offset, src.size));
      const end = Math.max(start, Math.min(offset + length, src.size));
      if (released || end > want) return src.read(offset, length, signal);
      if (!head) {
        const p = src.read(0, want, signal);
        head = p;
        p.catch(() => {
          if (head === p) head = null;
        });
      }
      const buf = await head;
      throwIfAborted(signal);
      // A short head (a source returning fewer bytes than asked) serves only what it holds.
      if (end > buf.byteLength) return src.read(offset, length, signal);
      return buf.slice(start, end);
    },
    release() {
      released = true;
      head = null;
    },
  };
}

type GeotiffSource = Parameters<typeof GeoTIFF.fromSource>[0];

/** The object geotiff's `GeoTIFF.fromSource` expects (BaseSource duck type: fetch, fileSize, close). */
export function toGeotiffSource(src: ByteSource): GeotiffSource {
  const adapter = {
    async fetch(slices: { offset: number; length: number }[], signal?: AbortSignal): Promise<ArrayBuffer[]> {
      return Promise.all(slices.map((s) => src.read(s.offset, s.length, signal)));
    },
    async fetchSlice(slice: { offset: number; length: number }, signal?: AbortSignal) {
      return { offset: slice.offset, length: slice.length, data: await src.read(slice.offset, slice.length, signal) };
    },
    get fileSize(): number {
      return src.size;
    },
    async close(): Promise<void> {},
  };
  return adapter as unknown as GeotiffSource;
}

/**
 * Opens `src` as a GeoTIFF. Fails with 'empty', 'not-tiff' (naming PNG, JPEG 2000, HDF5 … when recognised) or
 * 'truncated' before geotiff sees the bytes, so its terse TypeErrors never reach the user.
 */
export async function openGeoTiff(src: ByteSource, signal?: AbortSignal): Promise<GeoTIFF> {
  if (src.size === 0) throw new DataError(src.name, 'empty', 'is empty (0 bytes)');
  const head = new Uint8Array(await src.read(0, 16, signal));
  const le = head[0] === 0x49 && head[1] === 0x49;
  const be = head[0] === 0x4d && head[1] === 0x4d;
  if (!le && !be) {
    const what = sniffNonTiff(head);
    throw new DataError(src.name, 'not-tiff', what ? `is not a TIFF: it is ${what}` : `is not a TIFF file (it starts with bytes ${hexHead(head)})`);
  }
  if (src.size < 8) throw new DataError(src.name, 'truncated', `is truncated: ${src.size} bytes is shorter than a TIFF header`);
  const magic = le ? head[2] | (head[3] << 8) : (head[2] << 8) | head[3];
  if (magic !== 42 && magic !== 43) {
    throw new DataError(src.name, 'not-tiff', `is not a TIFF file (byte-order mark present but magic number ${magic} is neither 42 nor 43 for BigTIFF)`);
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const firstIfd = magic === 42 ? view.getUint32(4, le) : Number(view.getBigUint64(8, le));
  if (firstIfd < 8 || firstIfd >= src.size) {
    throw new DataError(src.name, firstIfd >= src.size ? 'truncated' : 'corrupt', `is ${firstIfd >= src.size ? 'truncated' : 'damaged'}: its first image directory is at byte ${firstIfd} but the file has ${src.size} bytes`);
  }
  try {
    return await GeoTIFF.fromSource(toGeotiffSource(src), {}, signal);
  } catch (e) {
    throw toDataError(src.name, e, 'opening');
  }
}
