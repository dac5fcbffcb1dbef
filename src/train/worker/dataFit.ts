/**
 * Will a configuration fit this GPU? The check the Model section shows next to the estimate, before anything is
 * allocated.
 *
 * Two limits matter in WebGPU (the browser exposes no "GPU memory size"):
 * - one activation tensor must fit maxStorageBufferBindingSize, because a kernel binds it whole; the candidates are
 *   the largest tensors of the graph as estimate.ts counts them: per fusion group, qkv (B·K, 3E) and the MLP hidden
 *   layer (B·K, M) of the encoder, the same for the decoder over all N tokens (B·N, 3Dd) and (B·N, Mdec), the shared
 *   encoder over all visible tokens, and per modality the patch matrix (B·T·L, P²·Cg);
 * - the total (parameters, gradients, AdamW moments and saved activations) is compared with a budget of twice
 *   maxBufferSize. This is a heuristic, not a measured capacity: WebGPU reports no memory size, and the largest
 *   buffer a browser allows is the only number that scales with the device. Above half the budget (more than one
 *   maximal buffer in total) the verdict is 'tight', above the budget 'no-fit'.
 * On a software adapter the step time at its measured speed (SwiftShader ≈ 0.4, llvmpipe ≈ 2 GFLOP/s) is shown too,
 * and a step over a minute makes the verdict at best 'tight'.
 * Invariants: messages are plain sentences with numbers in MiB/GiB and say what to change.
 * Reference: /work/shared/docs/webgpu.md §5 (buffer limits, memory ceilings); src/model/estimate.ts.
 */
import type { AdapterReport } from '../../gpu/capabilities';
import { formatBytes } from '../../gpu/errors';
import { groupTokenCounts, gridSize, type MaeConfig } from '../../model/config';
import type { ModelEstimate } from '../../model/estimate';
import type { FitReport } from '../protocol/data';

const F32 = 4;

/** The largest single activation tensor of one training step at batch size B. */
export function largestActivation(config: MaeConfig, B: number): { what: string; bytes: number } {
  let best = { what: 'none', bytes: 0 };
  const consider = (what: string, values: number) => {
    if (values * F32 > best.bytes) best = { what, bytes: values * F32 };
  };
  const E = config.encoder.width;
  const M = E * config.encoder.mlpRatio;
  const Dd = config.decoder.width;
  const counts = groupTokenCounts(config);
  for (const m of config.modalities) {
    const R = B * m.dates * gridSize(m) ** 2;
    for (const Cg of m.tokenGroups) consider(`the ${m.name} patch matrix (${R.toLocaleString('en')} patches × ${m.patchSize ** 2 * Cg} values)`, R * m.patchSize ** 2 * Cg);
  }
  counts.forEach(({ N, K }, gi) => {
    const g = config.groups[gi].name;
    if (config.encoder.groupDepth > 0) {
      consider(`the "${g}" encoder's attention input (${(B * K).toLocaleString('en')} tokens × 3·${E})`, B * K * 3 * E);
      consider(`the "${g}" encoder's MLP (${(B * K).toLocaleString('en')} tokens × ${M})`, B * K * M);
    }
    consider(`the "${g}" decoder's attention input (${(B * N).toLocaleString('en')} tokens × 3·${Dd})`, B * N * 3 * Dd);
    consider(`the "${g}" decoder's MLP (${(B * N).toLocaleString('en')} tokens × ${config.decoder.mlpHidden})`, B * N * config.decoder.mlpHidden);
  });
  if (config.encoder.interDepth > 0) {
    const Ktot = counts.reduce((s, c) => s + c.K, 0);
    consider(`the shared encoder's MLP (${(B * Ktot).toLocaleString('en')} tokens × ${M})`, B * Ktot * M);
    consider(`the shared encoder's attention input (${(B * Ktot).toLocaleString('en')} tokens × 3·${E})`, B * Ktot * 3 * E);
  }
  return best;
}

/** Measured speed of the software adapters (GFLOP/s), by adapter name. */
function softwareSpeed(report: AdapterReport): number {
  return /llvmpipe|lavapipe/i.test(report.name) ? 2e9 : 0.4e9;
}

export function checkFit(config: MaeConfig, estimate: ModelEstimate, B: number, report: AdapterReport): FitReport {
  const { maxBufferSize, maxStorageBufferBindingSize } = report.limits;
  const largest = largestActivation(config, B);
  const total = estimate.bytes.total;
  const budget = 2 * maxBufferSize;
  const messages: string[] = [];
  let verdict: FitReport['verdict'] = 'fits';
  if (largest.bytes > maxStorageBufferBindingSize) {
    verdict = 'no-fit';
    messages.push(
      `Will not fit: ${largest.what} needs ${formatBytes(largest.bytes)} in one buffer, more than this GPU's limit of ${formatBytes(maxStorageBufferBindingSize)} per storage binding. ` +
        'Lower the batch size or the number of dates, or use larger patches.',
    );
  }
  if (total > budget) {
    verdict = 'no-fit';
    messages.push(
      `Will not fit: training needs at least ${formatBytes(total)} of GPU memory, more than twice the largest buffer this GPU allows (${formatBytes(maxBufferSize)}). ` +
        'Use a smaller preset, a smaller batch or fewer dates.',
    );
  } else if (total > budget / 2) {
    if (verdict === 'fits') verdict = 'tight';
    messages.push(`Tight: at least ${formatBytes(total)} of GPU memory, more than the largest single buffer (${formatBytes(maxBufferSize)}); it may run out of memory on this GPU.`);
  }
  let softwareStepSeconds: number | null = null;
  if (report.isSoftware) {
    softwareStepSeconds = estimate.flops.total / softwareSpeed(report);
    // A step of minutes cannot be called a fit, even when it fits in memory.
    if (softwareStepSeconds > 60 && verdict === 'fits') verdict = 'tight';
    if (softwareStepSeconds > 10) {
      messages.push(`This is a software GPU: one step takes roughly ${softwareStepSeconds < 120 ? `${Math.round(softwareStepSeconds)} s` : `${(softwareStepSeconds / 60).toFixed(0)} min`}. Use the tiny preset, a small batch and few dates.`);
    }
  }
  if (verdict === 'fits' && messages.length === 0) messages.push(`Fits: ${formatBytes(total)} in total, largest tensor ${formatBytes(largest.bytes)} (limit ${formatBytes(maxStorageBufferBindingSize)}).`);
  return {
    verdict,
    adapter: report.name,
    software: report.isSoftware,
    limits: { maxBufferSize, maxStorageBufferBindingSize },
    largestTensor: largest,
    totalBytes: total,
    budgetBytes: budget,
    softwareStepSeconds,
    messages,
  };
}
