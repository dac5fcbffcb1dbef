/**
 * The contract between the bench runner (bench/run.ts in Node, bench/browser/page.ts in Chromium) and a suite.
 * A suite is one module bench/suites/<name>.ts exporting a `Suite`, listed in bench/suites/index.ts. It receives a
 * device that was acquired exactly as the studio acquires one (src/gpu/device.ts) and returns its sections; the
 * runner adds the adapter, host, dates and prints/serialises. Suites must import nothing Node-only, because the same
 * module runs in the page.
 */
import type { ByteSource } from '../../src/data/source';
import type { GpuContext } from '../../src/gpu/device';
import type { BenchOptions } from '../cli';
import type { PeerInfo, Runtime, Section } from '../report';

export interface SuiteEnv {
  runtime: Runtime;
  ctx: GpuContext;
  options: Pick<BenchOptions, 'quick' | 'budgetS' | 'only' | 'timing'>;
  /** Progress line (stderr in Node; forwarded from the page). */
  log(line: string): void;
  /** Logical cores this runtime reports (os.availableParallelism() in Node, navigator.hardwareConcurrency in the page). */
  cores: number;
  /** The real GeoTIFFs of ../shared/data, read-only; null where the folder is missing. */
  sharedData: SharedData | null;
  /** Installed versions of the peer packages that do not report their own (read by bench/run.ts from node_modules). */
  versions: Record<string, string>;
}

/**
 * Read-only access to the shared real GeoTIFFs: Node opens them from disk (fs.openAsBlob, read lazily), the page
 * fetches them from the bench server (bench/browser/host.ts) and wraps them as Blobs. Paths are relative to the
 * shared data root ("landsat-peru-8dates/1985.tif"), which is also the ByteSource name.
 */
export interface SharedData {
  /** Where the bytes come from, in words (for the report). */
  origin: string;
  /** Every .tif under `dir` (relative path, sorted). */
  list(dir: string): Promise<string[]>;
  open(path: string): Promise<ByteSource>;
}

export interface SuiteOutput {
  sections: Section[];
  peer: PeerInfo | null;
  peerAbsent?: string;
  fmaPeakGflops?: number;
  /** How figures were timed, in words (e.g. "GPU timestamp queries (ours and TF.js)"). */
  timing: string;
}

export interface Suite {
  name: string;
  description: string;
  /** Runtimes the suite can run in. */
  runtimes: readonly Runtime[];
  /** Section ids accepted by --only. */
  sectionIds: readonly string[];
  run(env: SuiteEnv): Promise<SuiteOutput>;
}
