/**
 * Seeded pseudo-random numbers (PCG32, O'Neill 2014): deterministic across browsers and Node, with a state that
 * serialises to two 64-bit integers (as a string pair) so checkpoints can resume the exact same stream.
 */
const MASK64 = (1n << 64n) - 1n;
const MULT = 6364136223846793005n;

export interface RngState {
  state: string;
  inc: string;
}

export class Rng {
  private state: bigint;
  private inc: bigint;
  private spare: number | null = null;

  constructor(seed: number | bigint = 0, stream: number | bigint = 54) {
    this.state = 0n;
    this.inc = ((BigInt(stream) << 1n) | 1n) & MASK64;
    this.nextU32();
    this.state = (this.state + BigInt(seed)) & MASK64;
    this.nextU32();
  }

  static fromState(s: RngState): Rng {
    const r = new Rng(0);
    r.state = BigInt(s.state);
    r.inc = BigInt(s.inc);
    return r;
  }

  getState(): RngState {
    return { state: this.state.toString(), inc: this.inc.toString() };
  }

  nextU32(): number {
    const old = this.state;
    this.state = (old * MULT + this.inc) & MASK64;
    const xorshifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorshifted >>> rot) | (xorshifted << ((-rot) & 31))) >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills a new Float32Array/Float64Array with N(0, std²) values. */
  normalArray(n: number, std = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }

  uniformArray(n: number, lo = -1, hi = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** Fisher–Yates shuffle of [0, n). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
