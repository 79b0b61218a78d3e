// Seeded randomness for training: xoshiro128** (src/qrpo/random) for draws, seeded through splitmix64 as its authors
// recommend. The whole state is four uint32s, so it goes into trainer_state.json and a resumed run draws exactly
// what an uninterrupted one would have drawn. The data order of each epoch is a Fisher–Yates shuffle from its own
// stream, so resuming mid-epoch needs only (seed, epoch, position).
import { ArgumentError } from '../errors';
import { Xoshiro128, type RandomState } from '../random/xoshiro128';

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

export type { RandomState };

/** Training's generator: seeded through splitmix64 as xoshiro's authors recommend, one stream per use. */
export class Random extends Xoshiro128 {
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
}
