/**
 * A StudioClient stand-in for store unit tests: requests are answered by per-kind handlers (or rejected when none is
 * registered), every request is logged, and tests push worker events with `emit`. Plus small builders of the plain
 * records the data and model slices receive (summaries, config reports, updates).
 * Invariants: handlers run asynchronously (a resolved promise), like real worker replies; nothing here touches a
 * Worker or the GPU.
 */
import type { StudioClient } from '../../train/client';
import type { Request, WorkerEvent } from '../../train/protocol';
import type { ConfigReport, DataSummary, DataUpdate, FileRow, MaeConfig } from '../../train/protocol/data';

type Handler = (req: Request) => unknown;

export interface FakeClient extends StudioClient {
  requests: Request[];
  handle(kind: Request['kind'], fn: Handler): void;
  emit(e: WorkerEvent): void;
  reset(): void;
}

export function createFakeClient(): FakeClient {
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, Set<(e: WorkerEvent) => void>>();
  const requests: Request[] = [];
  return {
    requests,
    handle(kind, fn) {
      handlers.set(kind, fn);
    },
    emit(e) {
      listeners.get(e.kind)?.forEach((l) => l(e));
    },
    reset() {
      handlers.clear();
      listeners.clear();
      requests.length = 0;
    },
    async request<T>(req: Request): Promise<T> {
      requests.push(req);
      await Promise.resolve();
      const h = handlers.get(req.kind);
      if (!h) throw new Error(`no fake handler for ${req.kind}`);
      return (await h(req)) as T;
    },
    on(kind, listener) {
      let set = listeners.get(kind);
      if (!set) listeners.set(kind, (set = new Set()));
      set.add(listener as (e: WorkerEvent) => void);
      return () => set!.delete(listener as (e: WorkerEvent) => void);
    },
    terminate() {},
  };
}

export function fakeRow(path: string, ok = true): FileRow {
  if (!ok) return { ok: false, path, sizeBytes: 300, origin: 'user', reason: 'truncated', error: `${path}: is truncated` };
  return {
    ok: true,
    path,
    sizeBytes: 1000,
    origin: 'user',
    sensor: 'landsat',
    platform: 'Landsat 7 ETM+',
    level: null,
    modality: 'landsat',
    role: 'image',
    maskKind: null,
    confidence: 1,
    reasons: ['scene id'],
    bands: ['B3'],
    bandSource: 'file-name',
    dtype: 'int16',
    width: 61,
    height: 61,
    gsd: 30,
    crs: 'EPSG:32613 WGS 84 / UTM zone 13N',
    dateText: '2008-04-27',
    dateSource: 'file-name',
    nodata: -9999,
    validFraction: 1,
    scaling: 'DN / 10000',
    unit: 'reflectance',
    warnings: [],
    corrected: [],
    use: { kind: 'acquisition', id: 'loc0/landsat/2008-04-27' },
  };
}

export function fakeSummary(rows: FileRow[], acquisitions: string[] = ['loc0/landsat/2008-04-27']): DataSummary {
  const fp = [
    { lon: 0, lat: 1 },
    { lon: 1, lat: 1 },
    { lon: 1, lat: 0 },
    { lon: 0, lat: 0 },
  ] as const;
  const ok = rows.filter((r) => r.ok).length;
  return {
    files: rows,
    locations: [
      {
        id: 'loc0',
        centre: { lon: 0.5, lat: 0.5 },
        footprint: fp,
        modalities: [
          {
            name: 'landsat',
            sensor: 'landsat',
            bands: ['B3', 'B4', 'B5'],
            gsd: 30,
            composites: [],
            acquisitions: acquisitions.map((id) => ({ id, dateText: '2008-04-27', date: { year: 2008, doy: 118, hour: 0 }, footprint: fp, gsd: 30, files: [], maskPath: null, cloudFraction: null, validFraction: 1 })),
          },
        ],
      },
    ],
    catalogModalities: [{ name: 'landsat', sensor: 'landsat', bands: ['B3', 'B4', 'B5'], locations: 1, minDates: 1, maxDates: 1 }],
    unused: [],
    dataset: rows.length ? { ready: true, problem: null, modalities: [], sampleMeters: 960, locations: ['loc0'], validationTiles: 1, warnings: [], errors: [] } : null,
    options: { modalities: null, numDates: {}, sampleMeters: null },
    counts: { files: rows.length, ok, failed: rows.length - ok, demo: 0, user: rows.length, bytes: rows.length * 1000 },
    decoderWorkers: 1,
  };
}

export function fakeConfig(ratio = 0.75): MaeConfig {
  return {
    version: 1,
    preset: 'tiny',
    modalities: [
      { name: 'landsat', bands: ['B3', 'B4', 'B5'], normGroups: [3], tokenGroups: [3], patchSize: 4, imageSize: 32, gsd: 30, dates: 2, scaling: { kind: 'divide', divisor: 1, log: false } },
    ],
    groups: [{ name: 'landsat', modalities: ['landsat'] }],
    encoder: { width: 128, heads: 4, groupDepth: 3, interDepth: 1, mlpRatio: 2 },
    decoder: { width: 128, depth: 1, heads: 4, mlpHidden: 512 },
    targetNorm: 'patch-group',
    loss: 'l1',
    masking: { ratio, strategy: 'structured', dropDate: 0.25, dropLocation: 0.25, dropModality: 0.25 },
    dateEncoding: { enabled: true, reference: { kind: 'modality', modality: 'landsat' } },
    posGrid: 8,
    lnEps: 1e-5,
    groupNormEps: 1e-5,
  };
}

export function fakeReport(config: MaeConfig | null, problems: string[] = []): ConfigReport {
  return {
    config,
    problems,
    estimate: config && problems.length === 0 ? { params: 1000, flatLength: 1024, tokens: [{ group: 'landsat', N: 128, K: 32 }], bytes: { params: 4096, grads: 4096, adam: 8192, activations: 1000, total: 17384 }, flops: { forward: 1e6, backward: 2e6, total: 3e6 } } : null,
    fit: null,
    notes: [],
    presets: {
      tiny: { encoder: config?.encoder ?? fakeConfig().encoder, decoder: config?.decoder ?? fakeConfig().decoder },
      small: { encoder: { width: 384, heads: 6, groupDepth: 9, interDepth: 3, mlpRatio: 2 }, decoder: { width: 512, depth: 2, heads: 16, mlpHidden: 1536 } },
      base: { encoder: { width: 768, heads: 12, groupDepth: 9, interDepth: 3, mlpRatio: 4 }, decoder: { width: 512, depth: 3, heads: 16, mlpHidden: 3072 } },
    },
  };
}

export function fakeUpdate(rows: FileRow[], config: MaeConfig | null = fakeConfig(), messages: string[] = []): DataUpdate {
  return { summary: fakeSummary(rows), model: fakeReport(config), messages };
}

/** A request the test answers by hand (resolve / reject), in the order the slice sent it. */
export interface PendingCall {
  req: Request;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * A StudioClient whose requests stay open until the test settles them, for slices whose behaviour depends on reply
 * order (only the newest reply counts, coalesced runs, cancellation). `calls` may be reassigned or emptied by tests;
 * the client always pushes into the current array.
 */
export interface ManualClient {
  client: StudioClient;
  calls: PendingCall[];
  listeners: Map<string, Set<(e: WorkerEvent) => void>>;
  emit(e: WorkerEvent): void;
  /** Open calls of one request kind. */
  pending(kind: string): PendingCall[];
  /** The one open call of `kind` (throws when there are none or several). */
  only(kind: string): PendingCall;
  /** Removes and returns the first open call of `kind` (throws when there is none). */
  take(kind: string): PendingCall;
}

export function createManualClient(): ManualClient {
  const m: ManualClient = {
    calls: [],
    listeners: new Map(),
    emit(e) {
      m.listeners.get(e.kind)?.forEach((l) => l(e));
    },
    pending: (kind) => m.calls.filter((c) => c.req.kind === kind),
    only(kind) {
      const c = m.pending(kind);
      if (c.length !== 1) throw new Error(`expected one ${kind} call, got ${c.length}`);
      return c[0];
    },
    take(kind) {
      const c = m.calls.find((x) => x.req.kind === kind);
      if (!c) throw new Error(`no pending ${kind} (pending: ${m.calls.map((x) => x.req.kind).join(', ')})`);
      m.calls = m.calls.filter((x) => x !== c);
      return c;
    },
    client: {
      request<T>(req: Request) {
        return new Promise<T>((resolve, reject) => m.calls.push({ req, resolve: resolve as (v: unknown) => void, reject }));
      },
      on(kind, listener) {
        let s = m.listeners.get(kind);
        if (!s) m.listeners.set(kind, (s = new Set()));
        s.add(listener as (e: WorkerEvent) => void);
        return () => s.delete(listener as (e: WorkerEvent) => void);
      },
      terminate() {},
    },
  };
  return m;
}
