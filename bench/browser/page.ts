/**
 * The bench page's script. It acquires a device exactly as the studio does (src/gpu/device.ts on navigator.gpu) and
 * exposes `window.__eoMaeBench.run(request)`, which runs one suite from the registry and resolves to its output plus
 * the adapter report; Playwright (bench/browser/host.ts) calls it and relays `__eoMaeBenchLog` progress lines.
 * The peer (TF.js) is loaded by the suite itself, in this same page.
 */
import { acquireDevice } from '../../src/gpu/device';
import type { AdapterReport } from '../../src/gpu/capabilities';
import { findSuite } from '../suites/index';
import { httpSharedData } from './sharedData';
import type { SuiteEnv, SuiteOutput } from '../suites/types';

export interface PageRequest {
  suite: string;
  options: SuiteEnv['options'];
  versions: SuiteEnv['versions'];
}

export interface PageResult {
  output: SuiteOutput;
  adapter: AdapterReport;
  userAgent: string;
}

declare global {
  interface Window {
    __eoMaeBench?: { run(req: PageRequest): Promise<PageResult> };
    /** Installed by Playwright's exposeFunction. */
    __eoMaeBenchLog?: (line: string) => Promise<void>;
  }
}

const logEl = document.getElementById('log')!;

function log(line: string): void {
  logEl.textContent += `\n${line}`;
  void window.__eoMaeBenchLog?.(line);
}

window.__eoMaeBench = {
  async run(req: PageRequest): Promise<PageResult> {
    const suite = findSuite(req.suite);
    if (!suite) throw new Error(`unknown suite "${req.suite}"`);
    const ctx = await acquireDevice(navigator.gpu, { runtime: 'browser', label: 'bench' });
    ctx.device.addEventListener('uncapturederror', (e) => log(`uncaptured WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`));
    try {
      const output = await suite.run({
        runtime: 'browser',
        ctx,
        options: req.options,
        log,
        cores: navigator.hardwareConcurrency || 1,
        sharedData: await httpSharedData(location.origin),
        versions: req.versions,
      });
      return { output, adapter: ctx.report, userAgent: navigator.userAgent };
    } finally {
      ctx.destroy();
    }
  },
};
logEl.textContent = 'ready';
