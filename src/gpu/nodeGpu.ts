/**
 * WebGPU in Node through Dawn (npm `webgpu`). Imported only by Node entry points (CLIs, the gpu-node test setup,
 * benchmarks): never by code that ships to the browser, which uses `navigator.gpu`.
 *
 * Without a GPU, Dawn needs a Vulkan driver it accepts: Mesa lavapipe ≥ 23 (Debian `bookworm-backports`) or the
 * SwiftShader ICD shipped with Debian's `chromium`. `scripts/setup-system.sh` installs both; `pickSoftwareIcd` finds
 * them. A real GPU's driver is used whenever the Vulkan loader finds one, unless `EO_MAE_ICD` says otherwise.
 */
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

const SOFTWARE_ICDS = [
  '/usr/share/vulkan/icd.d/lvp_icd.json',
  '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json',
  '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json',
  '/usr/lib/chromium/vk_swiftshader_icd.json',
];

/** The first software Vulkan driver present, or undefined. */
export function pickSoftwareIcd(): string | undefined {
  return SOFTWARE_ICDS.find((p) => existsSync(p));
}

let cached: GPU | undefined;

/**
 * Returns Dawn's `GPU` object (created once per process) and installs the WebGPU globals (GPUBufferUsage, …).
 * `EO_MAE_ICD=<path|swiftshader|lavapipe>` forces a Vulkan driver; otherwise the Vulkan loader's default search is used
 * (it finds lavapipe and any hardware driver installed under /usr/share/vulkan/icd.d).
 */
export function nodeGpu(): GPU {
  if (cached) return cached;
  const forced = process.env.EO_MAE_ICD;
  if (forced) {
    const path =
      forced === 'swiftshader'
        ? '/usr/lib/chromium/vk_swiftshader_icd.json'
        : forced === 'lavapipe'
          ? SOFTWARE_ICDS.slice(0, 3).find((p) => existsSync(p))
          : forced;
    if (path) process.env.VK_ICD_FILENAMES = path;
  } else if (!process.env.VK_ICD_FILENAMES && !SOFTWARE_ICDS.slice(0, 3).some((p) => existsSync(p))) {
    // No lavapipe: the loader would find only hardware drivers (if any). Keep SwiftShader as the last resort so a
    // machine without a GPU still gets an adapter; a machine with a GPU uses its driver, found first by the loader.
    const icd = pickSoftwareIcd();
    if (icd && !existsSync('/usr/share/vulkan/icd.d/nvidia_icd.json')) process.env.VK_ICD_FILENAMES = icd;
  }
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  Object.assign(globalThis, globals);
  cached = create([]) as GPU;
  return cached;
}
