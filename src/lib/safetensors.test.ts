import { describe, expect, it } from 'vitest';
import { f32Tensor, readSafetensors, tensorToF32, writeSafetensors } from './safetensors';

describe('safetensors', () => {
  it('round-trips tensors and metadata with an 8-byte aligned data section', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const b = new Float32Array([-1.5]);
    const bytes = writeSafetensors({ 'enc.w': f32Tensor([2, 3], a), bias: f32Tensor([1], b) }, { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header['enc.w']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    const parsed = readSafetensors(bytes);
    expect([...tensorToF32(parsed.tensors['enc.w'])]).toEqual([...a]);
    expect([...tensorToF32(parsed.tensors.bias)]).toEqual([-1.5]);
    expect(parsed.metadata).toEqual({ format: 'pt' });
  });
  it('rejects truncated and non-safetensors input with a message', () => {
    const bytes = writeSafetensors({ w: f32Tensor([4], new Float32Array(4)) });
    expect(() => readSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(/beyond the end/);
    expect(() => readSafetensors(new Uint8Array([1, 2, 3]))).toThrow(/Not a safetensors/);
    expect(() => readSafetensors(new TextEncoder().encode('GIF89a and some more bytes'))).toThrow(/Not a safetensors/);
  });
});
