/**
 * Forward-only MAE graphs for inspection, on the current weights.
 *
 * The graph's shapes depend on the visible counts K (hence on the masking ratio), so graphs are built per K and kept
 * in a small LRU cache (pipelines are cached per device, so a rebuild only allocates activations and bind groups).
 * All graphs of one configuration read ONE parameter buffer owned here: before each pass the trainer's parameters
 * are copied into it inside the same command buffer (so a concurrently training trainer is seen at a step boundary,
 * and a trainer that is later destroyed leaves no dangling reference); without a trainer it holds the seeded
 * initialisation (src/model/params.ts initParams), so inspection works before any training.
 * One pass = upload inputs (queue writes) → one submit with [param copy, forward, copies into one staging buffer] →
 * one mapAsync. Because everything after the upload is a single submit, concurrent passes (slider, sweep, training)
 * never read each other's activations.
 * Invariants: B = 1; no backward is recorded (buildMaeGraph backward: false); a shared gradient buffer satisfies the
 * graph builder but is never written.
 */
import { COPY_DST, createBufferUnchecked, MAP_READ } from '../../gpu/buffers';
import { withErrorScopes } from '../../gpu/errors';
import { ResourceScope } from '../../gpu/scope';
import { wholeTensor, type GpuTensor } from '../../gpu/tensor';
import { encodeDispatches } from '../../kernels/dispatch';
import type { Batch } from '../../data/sample';
import type { MaeConfig } from '../../model/config';
import { buildMaeGraph, type MaeGraph } from '../../model/mae';
import type { GroupMask } from '../../model/masking';
import { buildParamLayout, initParams, type ParamLayout } from '../../model/params';
import type { SegmentOutputs } from './inspectAssemble';

/** Graphs kept per configuration (one per distinct K vector, i.e. per masking ratio recently used): a slider that
 * returns to a recent ratio reuses its graph. Bounded by count and by their activation memory. */
const MAX_GRAPHS = 12;
const MAX_GRAPH_BYTES = 256 * 1024 * 1024;

export interface ForwardResult {
  /** (2·segments) per-segment masked loss and masked row count (MaeGraph.stats). */
  stats: Float32Array;
  /** Per segment, when requested: prediction and normalised target, (T·L, V) each. */
  outputs: SegmentOutputs[] | null;
  /** Wall time of upload + forward + read-back. */
  ms: number;
}

/** Where the weights of a pass come from: a trainer's parameter tensor, or the seeded initialisation. */
export type WeightsSource = { kind: 'tensor'; params: GpuTensor } | { kind: 'init'; seed: number };

interface CachedGraph {
  graph: MaeGraph;
  scope: ResourceScope;
}

export class InspectEngine {
  private configKey: string | null = null;
  private layout: ParamLayout | null = null;
  private scope: ResourceScope | null = null;
  private params: GpuTensor | null = null;
  private grads: GpuTensor | null = null;
  /** Seed of the initialisation currently in `params`, or null when it holds copied trainer weights. */
  private initSeed: number | null = null;
  private readonly graphs = new Map<string, CachedGraph>();

  /** `maxGraphs` bounds the graph cache (tests make it small to exercise eviction). */
  constructor(
    readonly device: GPUDevice,
    private readonly maxGraphs = MAX_GRAPHS,
  ) {}

  /** Builds (or reuses) the graph for `config` and the visible counts K. */
  private async graphFor(config: MaeConfig, K: readonly number[]): Promise<MaeGraph> {
    const key = JSON.stringify(config);
    if (key !== this.configKey) {
      this.destroy();
      this.configKey = key;
      this.layout = buildParamLayout(config);
      this.scope = new ResourceScope(this.device);
      const flat = (label: string) => wholeTensor(this.scope!.track(createBufferUnchecked(this.device, { label, size: this.layout!.size * 4 })), [this.layout!.size], label);
      this.params = flat('inspect.params');
      this.grads = flat('inspect.grads');
    }
    const kKey = K.join(',');
    const hit = this.graphs.get(kKey);
    if (hit) {
      // Refresh its LRU position.
      this.graphs.delete(kKey);
      this.graphs.set(kKey, hit);
      return hit.graph;
    }
    const scope = new ResourceScope(this.device);
    const graph = await buildMaeGraph(scope, config, { B: 1, K: [...K], params: this.params!, grads: this.grads!, backward: false });
    this.graphs.set(kKey, { graph, scope });
    const bytes = () => [...this.graphs.values()].reduce((a, c) => a + c.graph.activationBytes, 0);
    while (this.graphs.size > 1 && (this.graphs.size > this.maxGraphs || bytes() > MAX_GRAPH_BYTES)) {
      const [oldKey, old] = this.graphs.entries().next().value as [string, CachedGraph];
      this.graphs.delete(oldKey);
      old.graph.destroy();
      old.scope.dispose();
    }
    return graph;
  }

  /**
   * One forward pass of `batch` (B = 1) with `masks` on `weights`. `withOutputs` also reads back every segment's
   * prediction and target (for the grid); without it only the loss statistics come back (the ratio sweep).
   * `weights` is resolved synchronously right before the submit, so a trainer replaced meanwhile is never read.
   */
  async forward(config: MaeConfig, batch: Batch, masks: readonly GroupMask[], weights: () => WeightsSource, withOutputs: boolean): Promise<ForwardResult> {
    const t0 = performance.now();
    const graph = await this.graphFor(
      config,
      masks.map((m) => m.K),
    );
    const params = this.params!;
    const copies: GpuTensor[] = [graph.stats];
    if (withOutputs) for (const s of graph.segments) copies.push(s.pred, s.target);
    const offsets: number[] = [];
    let bytes = 0;
    for (const t of copies) {
      offsets.push(bytes);
      bytes += t.size * 4;
    }
    const staging = createBufferUnchecked(this.device, { label: 'inspect.readback', size: bytes, usage: MAP_READ | COPY_DST });
    try {
      await withErrorScopes(this.device, 'running the inspection forward pass', () => {
        const w = weights();
        if (w.kind === 'init') {
          if (this.initSeed !== w.seed) {
            const init = initParams(this.layout!, w.seed);
            this.device.queue.writeBuffer(params.buffer, 0, init.buffer, init.byteOffset, init.byteLength);
            this.initSeed = w.seed;
          }
        }
        graph.upload(batch, masks);
        const enc = this.device.createCommandEncoder({ label: 'inspect forward' });
        if (w.kind === 'tensor') {
          if (w.params.size !== params.size) throw new Error(`the trainer's parameters have ${w.params.size} values, this model needs ${params.size}`);
          enc.copyBufferToBuffer(w.params.buffer, w.params.offset * 4, params.buffer, 0, params.size * 4);
          this.initSeed = null;
        }
        encodeDispatches(enc, graph.forward, 'inspect forward');
        copies.forEach((t, i) => enc.copyBufferToBuffer(t.buffer, t.offset * 4, staging, offsets[i], t.size * 4));
        this.device.queue.submit([enc.finish()]);
      });
      await staging.mapAsync(MAP_READ);
      const all = new Float32Array(staging.getMappedRange().slice(0));
      const view = (i: number) => all.slice(offsets[i] / 4, offsets[i] / 4 + copies[i].size);
      const outputs = withOutputs ? graph.segments.map((_, i) => ({ pred: view(1 + 2 * i), target: view(2 + 2 * i) })) : null;
      return { stats: view(0), outputs, ms: performance.now() - t0 };
    } finally {
      staging.destroy();
    }
  }

  /** Frees every graph and the parameter buffers (a new configuration, or device loss). */
  destroy(): void {
    for (const { graph, scope } of this.graphs.values()) {
      graph.destroy();
      scope.dispose();
    }
    this.graphs.clear();
    this.scope?.dispose();
    this.scope = null;
    this.params = null;
    this.grads = null;
    this.layout = null;
    this.configKey = null;
    this.initSeed = null;
  }
}
