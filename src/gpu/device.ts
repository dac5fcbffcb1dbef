/**
 * The one way to get a WebGPU device, in the browser and in Node.
 *
 * The caller passes the `GPU` entry point (`navigator.gpu` in a page or worker, `nodeGpu()` from `./nodeGpu` in Node);
 * everything else is identical. We request every optional feature the adapter has and, by default, the adapter's own
 * limits for buffer sizes and workgroup storage (real GPUs offer far more than the 128 MiB default binding size).
 * `limits: 'default'` keeps WebGPU's defaults so tests can prove the kernels split work to fit them.
 * Device loss is surfaced as an event with its reason; nothing here reads back or blocks.
 */
import { describeAdapter, LIMIT_NAMES, OPTIONAL_FEATURES, type AdapterReport } from './capabilities';
import { GpuError } from './errors';

export interface AcquireOptions {
  /** 'adapter' (default): request the adapter's maxima; 'default': WebGPU's default limits. */
  limits?: 'adapter' | 'default';
  powerPreference?: GPUPowerPreference;
  /** Disable optional features, e.g. to test the scalar fallbacks of subgroup kernels. */
  disableFeatures?: string[];
  /** Label for the device (shows in validation messages). */
  label?: string;
  /** 'browser' or 'node (Dawn)', reported in the capability badge. */
  runtime?: string;
}

export interface DeviceLostEvent {
  reason: GPUDeviceLostReason | 'unknown';
  message: string;
}

export interface GpuContext {
  adapter: GPUAdapter;
  device: GPUDevice;
  report: AdapterReport;
  /** Subscribe to device loss; returns an unsubscribe function. Fires at most once. */
  onLost(listener: (e: DeviceLostEvent) => void): () => void;
  /** Resolves when the device is lost (also after `destroy()`, with reason 'destroyed'). */
  lost: Promise<DeviceLostEvent>;
  destroy(): void;
}

/** Limits we raise to the adapter's maximum when `limits: 'adapter'`. Alignments are minima, so we leave them. */
const RAISED_LIMITS = LIMIT_NAMES.filter((n) => !n.startsWith('min'));

export const WEBGPU_HELP =
  'WebGPU is not available. Use Chrome or Edge 113+ (desktop), or Chrome on Android 121+. On Linux, start Chrome with ' +
  '--enable-unsafe-webgpu --enable-features=Vulkan; in Firefox Nightly set dom.webgpu.enabled; Safari 26+ has WebGPU.';

export async function acquireDevice(gpu: GPU | undefined | null, options: AcquireOptions = {}): Promise<GpuContext> {
  if (!gpu) throw new GpuError('no-adapter', WEBGPU_HELP);
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new GpuError(
      'no-adapter',
      'WebGPU is present but no GPU adapter was found. The GPU may be blocklisted or the driver missing; ' +
        'on Linux try --enable-unsafe-webgpu --enable-features=Vulkan, or install a Vulkan driver (Mesa lavapipe works without a GPU).',
    );
  }
  const disabled = new Set(options.disableFeatures ?? []);
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f) && !disabled.has(f)) as GPUFeatureName[];
  const requiredLimits: Record<string, number> = {};
  if ((options.limits ?? 'adapter') === 'adapter') {
    for (const name of RAISED_LIMITS) requiredLimits[name] = Number(adapter.limits[name]);
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: options.label ?? 'eo-mae-studio', requiredFeatures, requiredLimits });
  } catch (e) {
    throw new GpuError('no-adapter', `The GPU adapter refused to create a device: ${e instanceof Error ? e.message : String(e)}`);
  }

  const listeners = new Set<(e: DeviceLostEvent) => void>();
  let lostEvent: DeviceLostEvent | null = null;
  const lost = device.lost.then((info) => {
    lostEvent = { reason: info.reason ?? 'unknown', message: info.message || 'The GPU device was lost.' };
    for (const l of listeners) l(lostEvent);
    listeners.clear();
    return lostEvent;
  });

  const report = describeAdapter(adapter, device, options.runtime ?? 'browser');
  return {
    adapter,
    device,
    report,
    lost,
    onLost(listener) {
      if (lostEvent) {
        listener(lostEvent);
        return () => {};
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      device.destroy();
    },
  };
}
