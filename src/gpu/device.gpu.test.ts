// The GPU tier's first check: an adapter exists (no adapter fails the tier), its capability report is complete,
// default limits can be requested, and allocation errors are turned into clear messages naming the buffer.
import { describe, expect, it } from 'vitest';
import { createBuffer } from './buffers';
import { GpuError } from './errors';
import { testContext } from './testing/harness';

describe('GPU device', () => {
  it('acquires an adapter and reports it', async () => {
    const ctx = await testContext();
    const r = ctx.report;
    expect(r.name.length).toBeGreaterThan(0);
    expect(r.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(r.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
    console.log(`[gpu ${r.runtime}] report: ${JSON.stringify({ ...r, limits: undefined })}`);
  });

  it('can run with WebGPU default limits', async () => {
    const ctx = await testContext('default');
    expect(ctx.device.limits.maxStorageBufferBindingSize).toBe(128 * 1024 * 1024);
  });

  it('refuses an oversize buffer with a message naming it, its size and the limit', async () => {
    const { device } = await testContext('default');
    const size = Number(device.limits.maxBufferSize) + 1024;
    const err = await createBuffer(device, { label: 'activations.huge', size }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuError);
    expect((err as GpuError).kind).toBe('limit');
    expect((err as GpuError).message).toMatch(/activations\.huge.*maxBufferSize/);
  });
});
