// Seeded randomness for training: xoshiro128** (Blackman & Vigna) for draws, seeded through splitmix64 as its authors
// recommend. The whole state is four uint32s, so it goes into trainer_state.json and a resumed run draws exactly
// what an uninterrupted one would have drawn. The data order of each epoch is a Fisher–Yates shuffle from its own
// stream, so resuming mid-epoch needs only (seed, epoch, position).
import { ArgumentError } from '../errors';

const MASK64 = (1n << 64n) - 1n;

/** splitmix64: a 64-bit state stepped by the golden gamma and mixed; each call returns the next 64-bit output. */
export function splitmix64(seed: bigint): () => bigint {
  let state = BigInt.asUintN(64, seed);
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  };
}

export type RandomState = readonly [number, number, number, number];

export class Random {
  private readonly s: Uint32Array;

  private constructor(state: RandomState) {
    if (state.length !== 4 || state.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) {
      throw new ArgumentError(`a random state is four uint32 values, got ${JSON.stringify(state)}`);
    }
    if (state.every((x) => x === 0)) throw new ArgumentError('the all-zero state is not a valid xoshiro128** state');
    this.s = Uint32Array.from(state);
  }

  /** A generator for `seed`; `stream` picks an independent sequence from the same seed (e.g. one per epoch). */
  static fromSeed(seed: number, stream = 0): Random {
    if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(stream)) throw new ArgumentError(`seed ${seed} and stream ${stream} must be integers`);
    const next = splitmix64(BigInt(seed) ^ (BigInt(stream) * 0xd1b54a32d192ed03n));
    const a = next();
    const b = next();
    const words = [a & 0xffffffffn, a >> 32n, b & 0xffffffffn, b >> 32n].map(Number);
    return new Random(words.every((w) => w === 0) ? [1, 0, 0, 0] : (words as unknown as RandomState));
  }

  static fromState(state: RandomState): Random {
    return new Random(state);
  }

  /** The four state words, for trainer_state.json. */
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

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
