// Seeded pseudo-random numbers for sampling: the same seed draws the same completions on every machine, Node
// version and run. Each generated sequence draws from its own stream, keyed by (seed, prompt, sample), so a
// sequence's tokens do not depend on which other sequences shared its batch.

/** splitmix32's finaliser (a 32-bit avalanche mix), used to spread seeds and stream keys over the state. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** xoshiro128** (Blackman & Vigna 2018): 128-bit state, period 2^128 − 1, 32-bit outputs from Math.imul only. */
export class SeededRandom {
  private readonly state = new Uint32Array(4);

  /**
   * `seed` is any safe integer (both 32-bit halves are used); `stream` keys an independent stream, e.g.
   * [promptIndex, sampleIndex].
   */
  constructor(seed: number, ...stream: readonly number[]) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    let key = mix32((seed >>> 0) ^ 0x9e3779b9) ^ mix32(Math.floor(seed / 2 ** 32) + 0x7f4a7c15);
    for (const part of stream) key = mix32(key ^ mix32((part >>> 0) + 0x6a09e667));
    // splitmix32 stepping fills the state; a zero state is impossible because mix32 is a bijection of distinct inputs.
    for (let i = 0; i < 4; i++) {
      key = (key + 0x9e3779b9) >>> 0;
      this.state[i] = mix32(key);
    }
  }

  nextUint32(): number {
    const s = this.state;
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

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
