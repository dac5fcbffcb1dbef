/**
 * The page side of the shared real GeoTIFFs: lists and fetches them from the bench server's read-only route
 * (bench/sharedFiles.ts serveSharedData, mounted by bench/browser/host.ts) and wraps each file as a Blob, the way a
 * file dropped on the studio arrives (src/data/source.ts blobSource).
 * Invariant: a file is fetched whole once, when opened, so decoding is timed on in-memory Blobs, not on HTTP.
 */
import { blobSource } from '../../src/data/source';
import type { SharedData } from '../suites/types';

/** Same value as SHARED_DATA_ROUTE in bench/sharedFiles.ts (that module is Node-only, so it is not imported here). */
const ROUTE = '/__shared-data/';

/** The shared data served by `origin`, or null when the server has none (an empty root listing). */
export async function httpSharedData(origin: string): Promise<SharedData | null> {
  const list = async (dir: string): Promise<string[]> => {
    const r = await fetch(`${origin}${ROUTE}list?dir=${encodeURIComponent(dir)}`);
    if (!r.ok) throw new Error(`listing ${dir || '/'} of the shared data failed: HTTP ${r.status}`);
    return (await r.json()) as string[];
  };
  if ((await list('')).length === 0) return null;
  return {
    origin: `${origin}${ROUTE} (fetched whole, wrapped as Blobs)`,
    list,
    async open(path) {
      const r = await fetch(`${origin}${ROUTE}file/${path.split('/').map(encodeURIComponent).join('/')}`);
      if (!r.ok) throw new Error(`fetching ${path} from the bench server failed: HTTP ${r.status}`);
      return blobSource(await r.blob(), path);
    },
  };
}
