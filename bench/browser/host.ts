/**
 * Node side of the browser runtime: serves the bench page with Vite and drives it with Playwright + the system
 * Chromium (scripts/chromium.mjs: same binary and flags as the browser test tier and e2e).
 *
 * - Vite runs in middleware mode behind our own http server on a free 127.0.0.1 port, rooted at bench/browser with
 *   `configFile: false` (the app's vite.config.ts is never loaded, the app build is untouched) and its own cache
 *   directory (node_modules/.vite-bench) so its dependency pre-bundle never collides with the app's.
 * - Chromium gets --enable-webgpu-developer-features on top of the shared flags so GPU timestamps are not rounded
 *   to 100 µs.
 * - The page's progress lines, console errors and page errors are relayed to `log` (stderr).
 * - The shared real GeoTIFFs (../shared/data) are served read-only under SHARED_DATA_ROUTE (bench/sharedFiles.ts)
 *   for the data suite; this is the benchmark server, the app never gets that route.
 * - Every dependency a suite may import lazily (TF.js, onnxruntime-web, geotiff, proj4) is pre-bundled up front: a
 *   dependency discovered mid-run makes Vite re-optimise and reload the page under Playwright's feet.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { serveSharedData } from '../sharedFiles';
import type { PageRequest, PageResult } from './page';

const PAGE_DIR = fileURLToPath(new URL('.', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const BENCH_CHROMIUM_FLAGS = ['--enable-webgpu-developer-features'];

export interface BrowserRun extends PageResult {
  /** e.g. "Chromium 156.0.8078.79 (headless)". */
  browser: string;
}

export async function runInBrowser(req: PageRequest, log: (line: string) => void): Promise<BrowserRun> {
  // The http server exists first so Vite's HMR websocket can share its port (the injected Vite client connects to
  // it; without a websocket the page logs connection errors).
  const http = createHttpServer();
  const vite = await createServer({
    configFile: false,
    root: PAGE_DIR,
    cacheDir: join(REPO_ROOT, 'node_modules/.vite-bench'),
    logLevel: 'warn',
    clearScreen: false,
    appType: 'spa',
    server: { middlewareMode: true, hmr: { server: http }, watch: null, fs: { allow: [REPO_ROOT] } },
    optimizeDeps: {
      include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-core/dist/register_all_gradients', 'onnxruntime-web/webgpu', 'geotiff', 'proj4'],
    },
  });
  http.on('request', (req, res) => {
    if (!serveSharedData(req, res)) vite.middlewares(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...chromiumArgs(), ...BENCH_CHROMIUM_FLAGS], headless: true });
  try {
    const page = await browser.newPage();
    await page.exposeFunction('__eoMaeBenchLog', (line: string) => log(line));
    page.on('pageerror', (e) => log(`[browser] page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log(`[browser] console ${m.type()}: ${m.text()}`);
    });
    log(`[browser] ${url} in Chromium ${browser.version()}`);
    await page.goto(url, { timeout: 300_000 });
    await page.waitForFunction(() => window.__eoMaeBench !== undefined, undefined, { timeout: 300_000 });
    const result = await page.evaluate((r) => window.__eoMaeBench!.run(r), req);
    return { ...result, browser: `Chromium ${browser.version()} (headless)` };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await vite.close();
  }
}
