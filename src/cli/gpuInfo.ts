/**
 * `npm run gpu-info [-- --json]`: which WebGPU adapter Node (Dawn) finds on this machine, its limits and features,
 * and a smoke test that runs the tiled matmul on it against the float64 reference. The quickest way to check that
 * headless training will work here.
 */
import { acquireDevice } from '../gpu/device';
import { nodeGpu } from '../gpu/nodeGpu';
import { ResourceScope } from '../gpu/scope';
import { createBufferFrom } from '../gpu/buffers';
import { readF32 } from '../gpu/readback';
import { wholeTensor } from '../gpu/tensor';
import { submitDispatches } from '../kernels/dispatch';
import { matmulForward } from '../kernels/matmul';
import { matmulRef } from '../kernels/matmul.ref';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';

async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  if (process.argv.includes('--help')) {
    console.log('Usage: npm run gpu-info [-- --json]\nPrints the WebGPU adapter Dawn finds in Node and runs a matmul smoke test.\nEO_MAE_ICD=swiftshader|lavapipe|<icd.json> forces a Vulkan driver.');
    return 0;
  }
  const ctx = await acquireDevice(nodeGpu(), { runtime: 'node (Dawn)' });
  const { device } = ctx;
  const scope = new ResourceScope(device);
  const [M, N, K] = [67, 129, 45];
  const rng = new Rng(7);
  const a = rng.normalArray(M * K);
  const b = rng.normalArray(K * N);
  const tA = wholeTensor(scope.track(await createBufferFrom(device, 'A', Float32Array.from(a))), [M, K]);
  const tB = wholeTensor(scope.track(await createBufferFrom(device, 'B', Float32Array.from(b))), [K, N]);
  const tC = wholeTensor(scope.track(await createBufferFrom(device, 'C', new Float32Array(M * N))), [M, N]);
  const t0 = performance.now();
  submitDispatches(device, await matmulForward(scope, { a: tA, b: tB, out: tC }, { M, N, K }));
  const got = await readF32(device, tC.buffer);
  const ms = performance.now() - t0;
  const check = allClose(got, matmulRef(a, b, { M, N, K }), 1e-4, 1e-3);
  scope.dispose();
  const summary = { adapter: ctx.report, smokeTest: { ok: check.ok, message: check.message, ms: Math.round(ms) } };
  if (json) console.log(JSON.stringify(summary));
  else {
    const r = ctx.report;
    console.log(`adapter   ${r.name}${r.isSoftware ? ' (CPU emulation: slow)' : ''}`);
    console.log(`features  ${r.features.join(', ') || 'none'}`);
    for (const [k, v] of Object.entries(r.limits)) console.log(`limit     ${k.padEnd(36)} ${v}`);
    console.log(`matmul    ${M}×${K}·${K}×${N} vs float64 reference: ${check.ok ? 'ok' : 'MISMATCH'} (${check.message}), ${ms.toFixed(0)} ms incl. compile`);
  }
  ctx.destroy();
  return check.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`gpu-info: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
