// xoshiro128** (Blackman & Vigna 2018): 128-bit state, period 2^128 − 1, 32-bit outputs from Math.imul only, so
// the same state draws the same numbers on every machine and Node version. The state is four uint32s, small enough
// to store in a checkpoint. How a generator is seeded is its user's business (training and sampling seed
// differently); the draws are shared here.
import { ArgumentError } from '../errors';

export type RandomState = readonly [number, number, number, number];

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Xoshiro128 {
  private readonly s: Uint32Array;

  constructor(state: RandomState) {
    if (state.length !== 4 || state.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) {
      throw new ArgumentError(`a random state is four uint32 values, got ${JSON.stringify(state)}`);
    }
    if (state.every((x) => x === 0)) throw new ArgumentError('the all-zero state is not a valid xoshiro128** state');
    this.s = Uint32Array.from(state);
  }

  /** The four state words, to store and restore the generator exactly. */
  get state(): RandomState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias (rejection of the short final range). */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new ArgumentError(`nextInt needs an integer bound in [1, 2^32], got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }
}
