/**
 * Compute pipelines, created once per (device, shader, entry, override constants) and cached in a WeakMap keyed by
 * the device, so a lost or destroyed device takes its pipelines with it. Compilation errors are turned into a
 * GpuError that names the shader and quotes the compiler's messages with line numbers.
 */
import { GpuError, withErrorScopes } from './errors';

export interface PipelineSpec {
  /** `<op>_<pass>`, also the shader file name without extension. */
  label: string;
  code: string;
  entryPoint?: string;
  /** WGSL `override` constants (workgroup size, tile sizes). */
  constants?: Record<string, number>;
}

const cache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

function keyOf(spec: PipelineSpec): string {
  const c = spec.constants ? Object.entries(spec.constants).sort(([a], [b]) => a.localeCompare(b)) : [];
  return `${spec.label}|${spec.entryPoint ?? 'main'}|${JSON.stringify(c)}|${spec.code.length}|${hash(spec.code)}`;
}

/** FNV-1a over the source: two shaders with the same label but different code never share a pipeline. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function getPipeline(device: GPUDevice, spec: PipelineSpec): Promise<GPUComputePipeline> {
  let perDevice = cache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const key = keyOf(spec);
  let p = perDevice.get(key);
  if (!p) {
    p = buildPipeline(device, spec);
    perDevice.set(key, p);
    p.catch(() => perDevice!.delete(key));
  }
  return p;
}

async function buildPipeline(device: GPUDevice, spec: PipelineSpec): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ label: spec.label, code: spec.code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    const text = errors.map((m) => `  ${spec.label}.wgsl:${m.lineNum}:${m.linePos} ${m.message}`).join('\n');
    throw new GpuError('validation', `Shader ${spec.label}.wgsl failed to compile:\n${text}`);
  }
  return withErrorScopes(device, `creating pipeline ${spec.label}`, () =>
    device.createComputePipelineAsync({
      label: spec.label,
      layout: 'auto',
      compute: { module, entryPoint: spec.entryPoint ?? 'main', constants: spec.constants },
    }),
  );
}

/** Binds buffers (or buffer ranges) to @group(0) in binding order: read inputs, read_write outputs, then params. */
export function bindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  label: string,
  resources: (GPUBuffer | GPUBufferBinding)[],
): GPUBindGroup {
  return device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: resources.map((r, i) => ({ binding: i, resource: 'buffer' in r ? r : { buffer: r } })),
  });
}

export { GpuError };
