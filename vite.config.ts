/**
 * Vite + Vitest configuration.
 *
 * The app is a plain Vite React build. Tests are split into three Vitest projects (tiers), each runnable alone:
 *   unit        — pure TypeScript in Node: lib, data, CPU references, gradient checks, store slices.
 *   gpu-node    — `*.gpu.test.ts` on Dawn (npm `webgpu`) in Node, one fork so only one device exists at a time.
 *   gpu-browser — the same `*.gpu.test.ts` files inside Debian Chromium (headless, `--enable-unsafe-webgpu`).
 * End-to-end tests live in `e2e/` and run through Playwright (playwright.config.ts).
 */
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { playwright } from '@vitest/browser-playwright';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

const gpuTestTimeout = 300_000;

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // Pre-bundled so Vite does not discover them mid-run and reload a browser test (or the page) with a cold cache.
  optimizeDeps: { include: ['geotiff', 'proj4', 'onnxruntime-web', 'onnxruntime-web/webgpu'] },
  server: { fs: { allow: ['.'] } },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 2048 },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: ['src/**/*.gpu.test.ts', 'node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu-node',
          environment: 'node',
          include: ['src/**/*.gpu.test.ts'],
          setupFiles: ['src/gpu/testing/setupNode.ts'],
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: gpuTestTimeout,
          hookTimeout: gpuTestTimeout,
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu-browser',
          include: ['src/**/*.gpu.test.ts'],
          // *.node.gpu.test.ts read real files from ../shared/data with node:fs; they run in the gpu-node tier only.
          // Every kernel's GPU-vs-reference file, the whole-graph parity and the ONNX parity run here too; the
          // compositions listed below (transformer blocks, the A²-MAE graph variant, probe heads, trainer, worker
          // handlers) reuse those same kernels and stay Node-only, because SwiftShader is ~5× slower than lavapipe
          // and the whole suite must fit in 20 minutes on 2 cores.
          exclude: [
            'src/**/*.node.gpu.test.ts',
            'src/model/transformer.gpu.test.ts',
            'src/model/geoGraph.gpu.test.ts',
            'src/probe/heads.gpu.test.ts',
            'src/train/trainer.gpu.test.ts',
            'src/train/worker/*.gpu.test.ts',
            'node_modules/**',
          ],
          fileParallelism: false,
          testTimeout: gpuTestTimeout,
          hookTimeout: gpuTestTimeout,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath(), args: chromiumArgs() },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
