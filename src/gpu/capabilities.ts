/**
 * Adapter capability report: what the studio shows in its badge and what the training engine uses to refuse
 * configurations that cannot fit. Software adapters (SwiftShader, llvmpipe/lavapipe, WARP) are flagged so the UI can
 * tell users plainly that they are running on a CPU emulation, 10–1000× slower than a GPU.
 */

/** Optional features the studio can use when present; none is required. */
export const OPTIONAL_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;
export type OptionalFeature = (typeof OPTIONAL_FEATURES)[number];

/** Limits the kernels and the memory planner read. */
export const LIMIT_NAMES = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'minStorageBufferOffsetAlignment',
  'minUniformBufferOffsetAlignment',
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU emulations (SwiftShader, llvmpipe, WARP) or adapters that declare themselves fallback. */
  isSoftware: boolean;
  /** A short human-readable name, e.g. "nvidia ampere (NVIDIA RTX 3080)" or "SwiftShader (software)". */
  name: string;
  features: string[];
  limits: Record<LimitName, number>;
  /** Where the device lives: 'browser' or 'node (Dawn)'. */
  runtime: string;
}

const SOFTWARE_PATTERN = /swiftshader|llvmpipe|lavapipe|software|warp|microsoft basic render/i;

export function isSoftwareAdapter(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>, isFallback = false): boolean {
  if (isFallback) return true;
  return SOFTWARE_PATTERN.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}

export function describeAdapter(adapter: GPUAdapter, device: GPUDevice, runtime: string): AdapterReport {
  const info = adapter.info;
  const fallback = Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const isSoftware = isSoftwareAdapter(info, fallback);
  const limits = {} as Record<LimitName, number>;
  for (const name of LIMIT_NAMES) limits[name] = Number(device.limits[name]);
  const core = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const detail = info.description || info.device;
  const name = `${core}${detail ? ` (${detail})` : ''}${isSoftware ? ' — software' : ''}`;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isSoftware,
    name,
    features: [...device.features].sort(),
    limits,
    runtime,
  };
}
