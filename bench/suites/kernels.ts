/**
 * `npm run bench -- kernels`: our WGSL kernels against the adapter's own ceiling and against TensorFlow.js.
 *
 * Sections (ids for --only):
 *   peak       measured f32 FMA throughput of the adapter (bench/shaders/fma_peak.wgsl): the ceiling for matmul.
 *   matmul     GFLOP/s at the presets' MLP shapes and squares 256…2048, as a fraction of the FMA peak, vs tf.matMul.
 *   attention  forward and forward+backward of the attention core vs TF.js matMul + softmax + matMul (and tf.grads).
 *   layernorm  effective GB/s of LayerNorm forward/backward vs TF.js moments/sub/mul composition (and tf.grads).
 *   gelu       effective GB/s of exact-erf GELU forward/backward vs TF.js erf composition (and tf.grad).
 * In the browser runtime the TF.js webgpu backend runs in the same page, right after our kernel on the same shape, so
 * both see the same machine state; in Node there is no peer (the TF.js webgpu backend does not run in Node).
 * Every figure follows bench/measure.ts (warm-up, median of repetitions, time budget, honest skips).
 */
import { ResourceScope } from '../../src/gpu/scope';
import { withErrorScopes } from '../../src/gpu/errors';
import type { Dispatch } from '../../src/kernels/dispatch';
import { fmaFlops, gigaPerSecond } from '../flops';
import { dispatchRunner, timingMethod, type DispatchRunner } from '../gpuTimer';
import { budgetSkip, measureInterleaved, RateTracker, type MeasureConfig, type Outcome, type TimingMethod } from '../measure';
import type { PeerCase, TfjsPeer } from '../peers/tfjs';
import { deriveRow, type PeerInfo, type Row, type Section } from '../report';
import { attentionOp, fmaPeakOp, geluOp, layernormOp, matmulOp } from '../ops/ours';
import {
  ATTENTION_CASES,
  attentionWork,
  GELU_CASES,
  geluWork,
  LAYERNORM_CASES,
  layernormWork,
  LN_EPS,
  MATMUL_CASES,
  matmulWork,
} from './kernelCases';
import type { Suite, SuiteEnv, SuiteOutput } from './types';

const SECTION_IDS = ['peak', 'matmul', 'attention', 'layernorm', 'gelu'] as const;

const GFLOPS = { name: 'GFLOP/s', scale: 1e-9 };
const GBS = { name: 'GB/s', scale: 1e-9 };
const GFLOP = { name: 'GFLOP', scale: 1e-9 };
const MB = { name: 'MB', scale: 1e-6 };

const NODE_NO_PEER = "TF.js's webgpu backend needs navigator.gpu in a page and does not run in Node, so the Node tables have no peer column";

/** Shared state of one suite run: the device's timing method, the budget settings, and the per-series rates that
 * predict the next figure's cost. */
class KernelBench {
  private readonly tracker = new RateTracker();
  private readonly method: TimingMethod;
  private readonly base: Omit<MeasureConfig, 'estimateMs'>;

  constructor(
    private readonly env: SuiteEnv,
    private readonly peer: TfjsPeer | null,
  ) {
    const { device, report } = env.ctx;
    this.method = timingMethod(device, env.options.timing);
    this.base = {
      budgetMs: env.options.budgetS * 1000,
      minReps: 3,
      maxReps: env.options.quick ? 5 : 10,
      minRepMs: env.options.quick ? 10 : 25,
      maxInner: 1000,
      isSoftware: report.isSoftware,
    };
  }

  get ourMethod(): TimingMethod {
    return this.method;
  }

  /**
   * One case: our kernel and (when there is one) the peer on the same shape, each with its own budget check and
   * prediction, measured with interleaved repetitions. Our Dispatches are built in a fresh scope, run inside
   * validation/out-of-memory error scopes, and everything is freed afterwards.
   */
  async figure(
    series: string,
    work: number,
    buildOurs: (scope: ResourceScope) => Promise<Dispatch[]>,
    buildPeer?: (peer: TfjsPeer) => PeerCase,
    overrides: Partial<MeasureConfig> = {},
  ): Promise<{ ours: Outcome; peer?: Outcome }> {
    const { device } = this.env.ctx;
    const ourKey = `ours:${series}`;
    const peerKey = `peer:${series}`;
    const ourCfg = { ...this.base, estimateMs: this.tracker.estimate(ourKey, work), ...overrides };
    const peerCfg = { ...this.base, estimateMs: this.tracker.estimate(peerKey, work), ...overrides };
    const failed = (e: unknown): Outcome => ({ kind: 'failed', error: e instanceof Error ? e.message : String(e) });
    const scope = new ResourceScope(device);
    let runner: DispatchRunner | undefined;
    let peerCase: PeerCase | undefined;
    let ours: Outcome | undefined = budgetSkip(ourCfg) ?? undefined;
    let peer: Outcome | undefined = this.peer && buildPeer ? (budgetSkip(peerCfg) ?? undefined) : undefined;
    try {
      if (!ours) {
        try {
          runner = dispatchRunner(device, await withErrorScopes(device, `building ${series}`, () => buildOurs(scope)), this.method, series);
        } catch (e) {
          ours = failed(e);
        }
      }
      if (this.peer && buildPeer && !peer) {
        try {
          peerCase = buildPeer(this.peer);
        } catch (e) {
          peer = failed(e);
        }
      }
      const items = [...(runner ? [{ runner, cfg: ourCfg }] : []), ...(peerCase ? [{ runner: peerCase.runner, cfg: peerCfg }] : [])];
      let results: Outcome[] = [];
      try {
        await withErrorScopes(device, `benchmarking ${series}`, async () => {
          results = await measureInterleaved(items);
        });
      } catch (e) {
        // A WebGPU error on our device invalidates our figure only.
        if (runner) results[0] = failed(e);
      }
      if (runner) ours = results[0] ?? failed(new Error('no result'));
      if (peerCase) peer = results[runner ? 1 : 0] ?? failed(new Error('no result'));
    } finally {
      runner?.dispose();
      peerCase?.dispose();
      scope.dispose();
    }
    this.tracker.record(ourKey, work, ours!);
    if (peer) this.tracker.record(peerKey, work, peer);
    return { ours: ours!, ...(peer ? { peer } : {}) };
  }

  log(section: string, row: Row): void {
    const show = (o: Outcome | undefined) =>
      !o ? '' : o.kind === 'measured' ? `${o.ms.toFixed(3)} ms` : o.kind === 'skipped' ? o.reason : `FAILED ${o.error}`;
    this.env.log(`[${this.env.runtime}] ${section} ${row.id}: ours ${show(row.ours)}${row.peer ? `; ${this.peer?.info.name} ${show(row.peer)}` : ''}`);
  }
}

async function peakSection(b: KernelBench, env: SuiteEnv): Promise<{ section: Section; gflops?: number }> {
  const sw = env.ctx.report.isSoftware;
  // Enough invocations to fill a large GPU (≈1M); far fewer on a CPU emulation, where the work only needs to
  // outlast the timer and thread start-up.
  const workgroups = sw ? 256 : 4096;
  const iterations = sw ? 16 : 64;
  let flops = 0;
  let shapeText = '';
  // Longer repetitions than the other figures: the peak is the yardstick of every fraction, so it gets the most
  // stable measurement (≥ 100 ms per repetition, several dispatches back to back).
  const { ours } = await b.figure(
    'peak',
    0,
    async (scope) => {
      const op = await fmaPeakOp(scope, workgroups, iterations);
      flops = fmaFlops(op.shape);
      shapeText = `${op.shape.threads} invocations × ${op.shape.iterations} trips × ${op.shape.chains}×${op.shape.unroll} vec4 fma`;
      return op.dispatches;
    },
    undefined,
    { minRepMs: 100, minReps: 5 },
  );
  const section: Section = {
    id: 'peak',
    title: 'Measured FMA peak (f32)',
    rate: GFLOPS,
    work: GFLOP,
    vsPeak: false,
    rows: [],
    notes: ['Independent vec4 fma chains per invocation (bench/shaders/fma_peak.wgsl); the ceiling the matmul fractions refer to.'],
  };
  const row = deriveRow({ id: 'peak/fma', label: 'FMA micro-kernel', shape: shapeText || '–', params: { workgroups, iterations }, work: flops, ours }, section);
  section.rows.push(row);
  b.log('peak', row);
  return { section, gflops: ours.kind === 'measured' ? gigaPerSecond(flops, ours.ms) : undefined };
}

async function matmulSection(b: KernelBench, peakGflops: number | undefined, peer: PeerInfo | null): Promise<Section> {
  const section: Section = {
    id: 'matmul',
    title: 'Matmul C = A·B (f32)',
    rate: GFLOPS,
    work: GFLOP,
    vsPeak: true,
    rows: [],
    notes: [
      'ours: src/kernels/matmul.ts (64×64 tile, 4×4 per thread); FLOPs = 2·M·N·K.',
      ...(peer ? [`${peer.name}: tf.matMul on the same shape in the same page; speed-up = ${peer.name} time / our time (> 1: ours faster).`] : []),
    ],
  };
  for (const c of MATMUL_CASES) {
    const work = matmulWork(c);
    const { ours, peer: peerOutcome } = await b.figure(
      'matmul',
      work,
      (scope) => matmulOp(scope, c.M, c.N, c.K),
      (p) => p.matmul(c.M, c.N, c.K),
    );
    const row = deriveRow(
      { id: `matmul/${c.id}`, label: c.label, shape: `(${c.M}×${c.K})·(${c.K}×${c.N})`, params: { M: c.M, N: c.N, K: c.K }, work, ours, peer: peerOutcome },
      section,
      peakGflops,
    );
    section.rows.push(row);
    b.log('matmul', row);
  }
  return section;
}

async function attentionSection(b: KernelBench, peakGflops: number | undefined, peer: PeerInfo | null): Promise<Section> {
  const section: Section = {
    id: 'attention',
    title: 'Attention core softmax(q·kᵀ/√HS)·v (f32)',
    rate: GFLOPS,
    work: GFLOP,
    vsPeak: true,
    rows: [],
    notes: [
      'ours: src/kernels/attention.ts (tiled online softmax; backward recomputes from the saved log-sum-exp), input qkv (B, N, 3·NH·HS).',
      'FLOPs: forward 4·B·NH·N²·HS, forward+backward 3.5× that (matmul-like products only, FlashAttention-2 convention); % of FMA peak is on that count.',
      ...(peer
        ? [`${peer.name}: q, k, v given pre-split as (B·NH, N, HS); matMul → mul(scale) → softmax → matMul; forward+backward = tf.grads w.r.t. q, k, v with dOut.`]
        : []),
    ],
  };
  for (const c of ATTENTION_CASES) {
    const work = attentionWork(c);
    const series = `attention:${c.pass}`;
    const { ours, peer: peerOutcome } = await b.figure(
      series,
      work,
      (scope) => attentionOp(scope, c, c.pass),
      (p) => p.attention(c, c.pass),
    );
    const row = deriveRow(
      {
        id: `attention/${c.id}`,
        label: c.label,
        shape: `B=${c.B} NH=${c.NH} N=${c.N} HS=${c.HS}`,
        params: { B: c.B, NH: c.NH, N: c.N, HS: c.HS, pass: c.pass },
        work,
        ours,
        peer: peerOutcome,
      },
      section,
      peakGflops,
    );
    section.rows.push(row);
    b.log('attention', row);
  }
  return section;
}

async function layernormSection(b: KernelBench, peer: PeerInfo | null): Promise<Section> {
  const section: Section = {
    id: 'layernorm',
    title: `LayerNorm over rows (eps ${LN_EPS.toExponential()}, f32)`,
    rate: GBS,
    work: MB,
    vsPeak: false,
    rows: [],
    notes: [
      'ours: src/kernels/layernorm.ts. Bytes: forward reads x, γ, β and writes y, mean, rstd; backward reads x, dOut, γ, mean, rstd and writes dx, dγ, dβ.',
      ...(peer ? [`${peer.name}: tf.moments → sub → mul(rsqrt(var + eps)) → mul γ → add β; backward = tf.grads w.r.t. x, γ, β. Same byte count for both.`] : []),
    ],
  };
  for (const c of LAYERNORM_CASES) {
    const work = layernormWork(c);
    const series = `layernorm:${c.pass}`;
    const { ours, peer: peerOutcome } = await b.figure(
      series,
      work,
      (scope) => layernormOp(scope, c.R, c.D, LN_EPS, c.pass),
      (p) => p.layernorm(c.R, c.D, LN_EPS, c.pass),
    );
    const row = deriveRow({ id: `layernorm/${c.id}`, label: c.label, shape: `(${c.R}, ${c.D})`, params: { R: c.R, D: c.D, pass: c.pass }, work, ours, peer: peerOutcome }, section);
    section.rows.push(row);
    b.log('layernorm', row);
  }
  return section;
}

async function geluSection(b: KernelBench, peer: PeerInfo | null): Promise<Section> {
  const section: Section = {
    id: 'gelu',
    title: 'GELU, exact erf (f32)',
    rate: GBS,
    work: MB,
    vsPeak: false,
    rows: [],
    notes: [
      'ours: src/kernels/gelu.ts over the MLP hidden activations (tokens, hidden). Bytes: forward 4·2n, backward 4·3n.',
      ...(peer ? [`${peer.name}: 0.5·x·(1 + erf(x/√2)) from tf.mul/tf.add/tf.erf; backward = tf.grad with dOut. Same byte count for both.`] : []),
    ],
  };
  for (const c of GELU_CASES) {
    const work = geluWork(c);
    const series = `gelu:${c.pass}`;
    const n = c.R * c.D;
    const { ours, peer: peerOutcome } = await b.figure(
      series,
      work,
      (scope) => geluOp(scope, n, c.pass),
      (p) => p.gelu(n, c.pass),
    );
    const row = deriveRow({ id: `gelu/${c.id}`, label: c.label, shape: `(${c.R}, ${c.D})`, params: { R: c.R, D: c.D, pass: c.pass }, work, ours, peer: peerOutcome }, section);
    section.rows.push(row);
    b.log('gelu', row);
  }
  return section;
}

async function startPeer(env: SuiteEnv): Promise<{ peer: TfjsPeer | null; absent?: string }> {
  if (env.runtime !== 'browser') return { peer: null, absent: NODE_NO_PEER };
  try {
    const { createTfjsPeer } = await import('../peers/tfjs');
    return { peer: await createTfjsPeer(env.options.timing) };
  } catch (e) {
    return { peer: null, absent: `TF.js webgpu backend failed to start: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function run(env: SuiteEnv): Promise<SuiteOutput> {
  const wanted = (id: string) => env.options.only.length === 0 || env.options.only.includes(id);
  const needsPeer = SECTION_IDS.some((id) => id !== 'peak' && wanted(id));
  const { peer, absent } = needsPeer ? await startPeer(env) : { peer: null, absent: 'no section with a peer was selected' };
  const b = new KernelBench(env, peer);
  const info = peer?.info ?? null;
  const sections: Section[] = [];
  let fmaPeakGflops: number | undefined;
  try {
    // The peak runs whenever matmul or attention does: their fractions of peak need it.
    if (wanted('peak') || wanted('matmul') || wanted('attention')) {
      const p = await peakSection(b, env);
      fmaPeakGflops = p.gflops;
      if (wanted('peak')) sections.push(p.section);
    }
    if (wanted('matmul')) sections.push(await matmulSection(b, fmaPeakGflops, info));
    if (wanted('attention')) sections.push(await attentionSection(b, fmaPeakGflops, info));
    if (wanted('layernorm')) sections.push(await layernormSection(b, info));
    if (wanted('gelu')) sections.push(await geluSection(b, info));
  } finally {
    peer?.dispose();
  }
  const how = (m: string) => (m === 'timestamp' ? 'GPU timestamp queries' : 'wall clock (submit → onSubmittedWorkDone)');
  const timing = peer ? `ours: ${how(b.ourMethod)}; ${peer.info.name}: ${peer.method === 'timestamp' ? 'GPU timestamps via tf.time() kernelMs' : how('wall')}` : `ours: ${how(b.ourMethod)}`;
  return { sections, peer: info, peerAbsent: peer ? undefined : absent, fmaPeakGflops, timing };
}

export const kernelsSuite: Suite = {
  name: 'kernels',
  description: 'matmul / attention / LayerNorm / GELU kernels vs the FMA peak and TensorFlow.js (webgpu) in the same page',
  runtimes: ['node', 'browser'],
  sectionIds: SECTION_IDS,
  run,
};
