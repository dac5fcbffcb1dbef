// Where the system Chromium lives and the flags that give it a WebGPU adapter without a display or GPU.
// Shared by vite.config.ts (browser test tier), playwright.config.ts (e2e) and bench/ so all three agree.
// Measured on Debian 12 + Chromium 156: only `--enable-unsafe-webgpu` is needed for compute (SwiftShader adapter);
// the background-networking flags stop Chromium from calling home (the app must make no request but to its origin).
import { existsSync } from 'node:fs';

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p) => p && existsSync(p)) ?? '/usr/bin/chromium';
}

export function chromiumArgs() {
  return [
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
}
