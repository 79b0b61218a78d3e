// Conversions between float32 and the two 16-bit float formats found in checkpoints: IEEE binary16 (F16) and
// bfloat16 (BF16, the top half of a float32). Reads go through lookup tables; writes round to nearest, ties to even,
// the rounding PyTorch's `.half()` and `.bfloat16()` use, so a round trip through our writer matches theirs bit for bit.

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

let f16Table: Float32Array | undefined;

/** Float32 value of every binary16 bit pattern, built once (256 KiB) so decoding a tensor is one lookup per element. */
function f16ToF32Table(): Float32Array {
  if (f16Table) return f16Table;
  f16Table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) f16Table[bits] = f16BitsToNumber(bits);
  return f16Table;
}

function f16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // subnormal (or zero)
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** binary16 bits for a float32 value, rounded to nearest even; overflow gives ±Infinity, NaN stays NaN. */
export function numberToF16Bits(value: number): number {
  scratch[0] = value;
  const x = scratchBits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00;
  if (unbiased >= -14) {
    // Normal half: keep 10 of the 23 mantissa bits; a carry out of the mantissa correctly bumps the exponent,
    // and a carry out of the largest exponent correctly lands on Infinity (0x7c00).
    const half = ((unbiased + 15) << 10) | (mantissa >> 13);
    return sign | (half + roundingIncrement(mantissa, 13));
  }
  if (unbiased < -25) return sign; // below half the smallest subnormal: rounds to zero
  // Subnormal half: the implicit leading 1 becomes explicit and the value shifts right by the missing exponent.
  const full = mantissa | 0x800000;
  const shift = -unbiased - 1; // 14..24 bits dropped
  return sign | ((full >> shift) + roundingIncrement(full, shift));
}

/** 1 when dropping the low `shift` bits of `bits` must round up (above half, or exactly half and odd). */
function roundingIncrement(bits: number, shift: number): number {
  const dropped = bits & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (dropped > halfway) return 1;
  if (dropped < halfway) return 0;
  return (bits >> shift) & 1;
}

/** bfloat16 bits for a float32 value, rounded to nearest even; NaN becomes a quiet NaN of the same sign. */
export function numberToBf16Bits(value: number): number {
  scratch[0] = value;
  const x = scratchBits[0];
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) & 0x8000) | 0x7fc0;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function f16ToFloat32(bits: Uint16Array): Float32Array {
  const table = f16ToF32Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

export function bf16ToFloat32(bits: Uint16Array): Float32Array {
  // bfloat16 is the high half of a float32, so widening is a shift with no rounding.
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

export function float32ToF16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = numberToF16Bits(values[i]);
  return out;
}

/** `numberToBf16Bits` over a whole tensor, inlined on the raw bits: this loop runs over every parameter at save time. */
export function float32ToBf16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i];
    out[i] = (x & 0x7fffffff) > 0x7f800000 ? ((x >>> 16) & 0x8000) | 0x7fc0 : ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}
