/**
 * The peer: TensorFlow.js 4.22 with its `webgpu` backend, in the SAME page as our kernels (browser runtime only —
 * the webgpu backend needs `navigator.gpu` and does not load in Node). Each case builds its inputs once, then the
 * timed operation runs the composed tf ops inside tf.tidy so every intermediate is freed and pooled buffers reused.
 *
 * Operations, chosen as what a TF.js user would write (and given the layout that suits TF.js best):
 * - matmul: tf.matMul(a (M, K), b (K, N)).
 * - attention: q, k, v already split per head as (B·NH, N, HS) — no qkv slicing or head transposes, which our kernel
 *   does internally — forward softmax(q·kᵀ·HS^-0.5)·v with batched tf.matMul + tf.softmax; forward+backward through
 *   tf.grads with dOut as the upstream gradient (tf.grads recomputes the forward, as a training step would run it).
 * - LayerNorm (tfjs-layers is not installed): tf.moments → sub → mul by rsqrt(var + eps) → mul gamma → add beta;
 *   backward: tf.grads w.r.t. x, gamma, beta.
 * - GELU: 0.5·x·(1 + erf(x/√2)) with tf.erf; backward: tf.grads w.r.t. x.
 *
 * Timing: with timestamp-query, tf.time()'s kernelMs — the sum of GPU timestamps around each TF.js program — so both
 * columns are GPU time; otherwise wall clock from the first op to onSubmittedWorkDone after flushing TF.js's queue.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { AttentionPass, AttentionShape, NormPass } from '../flops';
import type { Runner, RunTimes, TimingMethod } from '../measure';
import type { PeerInfo } from '../report';

export interface PeerCase {
  runner: Runner;
  dispose(): void;
}

export interface TfjsPeer {
  info: PeerInfo;
  method: TimingMethod;
  matmul(M: number, N: number, K: number): PeerCase;
  attention(s: AttentionShape, pass: AttentionPass): PeerCase;
  layernorm(R: number, D: number, eps: number, pass: NormPass): PeerCase;
  gelu(n: number, pass: NormPass): PeerCase;
  dispose(): void;
}

/**
 * Makes TF.js's `webgpu` backend current (its own device on the page's adapter) and returns it. Throws if it cannot.
 * Shared by every suite whose peer is TF.js.
 */
export async function startTfjsWebgpu(): Promise<WebGPUBackend> {
  // Never hand small inputs to the CPU: the peer must be measured on the GPU like ours.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new Error('TF.js could not initialise its webgpu backend');
  await tf.ready();
  return tf.backend() as WebGPUBackend;
}

/**
 * Waits until everything TF.js recorded so far has run on the GPU. TF.js batches dispatches and submits every
 * WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE of them: close the open compute pass first, and make sure there is an encoder to
 * submit even if TF.js just flushed on its own.
 */
export async function tfjsFinish(backend: WebGPUBackend): Promise<void> {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  await backend.queue.onSubmittedWorkDone();
}

/** Starts the webgpu backend (its own device on the page's adapter). Throws if it cannot. */
export async function createTfjsPeer(timing: 'auto' | 'wall'): Promise<TfjsPeer> {
  const backend = await startTfjsWebgpu();
  const method: TimingMethod = timing === 'auto' && backend.device.features.has('timestamp-query') ? 'timestamp' : 'wall';

  const runner = (op: () => void): Runner => ({
    method,
    async run(inner: number): Promise<RunTimes> {
      const t0 = performance.now();
      if (method === 'timestamp') {
        const info = await tf.time(() => {
          for (let i = 0; i < inner; i++) tf.tidy(op);
        });
        return { ms: info.kernelMs as number, wallMs: performance.now() - t0 };
      }
      for (let i = 0; i < inner; i++) tf.tidy(op);
      await tfjsFinish(backend);
      const wallMs = performance.now() - t0;
      return { ms: wallMs, wallMs };
    },
  });

  const peerCase = (inputs: tf.Tensor[], op: () => void): PeerCase => ({ runner: runner(op), dispose: () => tf.dispose(inputs) });
  let seed = 1; // a new seed per tensor: q, k and v must differ
  const rand = (shape: number[], scale = 1) => tf.randomUniform(shape, -scale, scale, 'float32', seed++);

  return {
    info: { name: 'TF.js', version: tf.version_core, backend: 'webgpu' },
    method,
    matmul(M, N, K) {
      const a = rand([M, K]); // (M, K)
      const b = rand([K, N]); // (K, N)
      return peerCase([a, b], () => {
        tf.matMul(a, b);
      });
    },
    attention(s, pass) {
      const scale = 1 / Math.sqrt(s.HS);
      const q = rand([s.B * s.NH, s.N, s.HS]); // (B·NH, N, HS)
      const k = rand([s.B * s.NH, s.N, s.HS]); // (B·NH, N, HS)
      const v = rand([s.B * s.NH, s.N, s.HS]); // (B·NH, N, HS)
      const dOut = rand([s.B * s.NH, s.N, s.HS]); // (B·NH, N, HS)
      const attend = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.matMul(tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale)), v);
      if (pass === 'forward') {
        return peerCase([q, k, v, dOut], () => {
          attend(q, k, v);
        });
      }
      const grads = tf.grads((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => attend(q, k, v));
      return peerCase([q, k, v, dOut], () => {
        grads([q, k, v], dOut);
      });
    },
    layernorm(R, D, eps, pass) {
      const x = rand([R, D]); // (R, D)
      const gamma = rand([D]); // (D)
      const beta = rand([D]); // (D)
      const dOut = rand([R, D]); // (R, D)
      const norm = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
      };
      if (pass === 'forward') {
        return peerCase([x, gamma, beta, dOut], () => {
          norm(x, gamma, beta);
        });
      }
      const grads = tf.grads((x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => norm(x, gamma, beta));
      return peerCase([x, gamma, beta, dOut], () => {
        grads([x, gamma, beta], dOut);
      });
    },
    gelu(n, pass) {
      const x = rand([n], 3); // (n)
      const dOut = rand([n]); // (n)
      const gelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
      if (pass === 'forward') {
        return peerCase([x, dOut], () => {
          gelu(x);
        });
      }
      const grad = tf.grad((x: tf.Tensor) => gelu(x));
      return peerCase([x, dOut], () => {
        grad(x, dOut);
      });
    },
    dispose() {
      tf.disposeVariables();
    },
  };
}
