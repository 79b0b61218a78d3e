// Seeded pseudo-random numbers for sampling: the same seed draws the same completions on every machine, Node
// version and run. Each generated sequence draws from its own stream, keyed by (seed, prompt, sample), so a
// sequence's tokens do not depend on which other sequences shared its batch.
import { Xoshiro128, type RandomState } from '../random/xoshiro128';

/** splitmix32's finaliser (a 32-bit avalanche mix), used to spread seeds and stream keys over the state. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** Sampling's generator: xoshiro128** seeded from (seed, ...stream) through splitmix32 mixing. */
export class SeededRandom extends Xoshiro128 {
  /**
   * `seed` is any safe integer (both 32-bit halves are used); `stream` keys an independent stream, e.g.
   * [promptIndex, sampleIndex].
   */
  constructor(seed: number, ...stream: readonly number[]) {
    super(seededState(seed, stream));
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    return this.nextFloat();
  }
}

function seededState(seed: number, stream: readonly number[]): RandomState {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  let key = mix32((seed >>> 0) ^ 0x9e3779b9) ^ mix32(Math.floor(seed / 2 ** 32) + 0x7f4a7c15);
  for (const part of stream) key = mix32(key ^ mix32((part >>> 0) + 0x6a09e667));
  // splitmix32 stepping fills the state; a zero state is impossible because mix32 is a bijection of distinct inputs.
  const state: number[] = [];
  for (let i = 0; i < 4; i++) {
    key = (key + 0x9e3779b9) >>> 0;
    state.push(mix32(key));
  }
  return state as unknown as RandomState;
}
