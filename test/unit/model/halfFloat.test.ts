import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bf16ToFloat32, f16ToFloat32, float32ToBf16, float32ToF16, numberToBf16Bits, numberToF16Bits } from '../../../src/qrpo/model/halfFloat';

const allBitPatterns = Uint16Array.from({ length: 65536 }, (_, i) => i);

describe('half-precision floats', () => {
  test('F16 encodes known values as IEEE binary16', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest finite half
      [65520, 0x7c00], // halfway to the next step above 65504 rounds (to even) to Infinity
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // exactly half the smallest subnormal: ties to even, down to zero
      [3 * 2 ** -25, 0x0002], // 1.5 subnormal steps: ties to even, up to 2
      [1 + 2 ** -11, 0x3c00], // halfway between 1 and the next half: ties to even (1)
      [1 + 3 * 2 ** -11, 0x3c02], // halfway between 0x3c01 and 0x3c02: ties to even (0x3c02)
      [-0, 0x8000],
      [Infinity, 0x7c00],
      [1e-10, 0x0000],
    ];
    for (const [value, bits] of cases) assert.equal(numberToF16Bits(value), bits, `F16 bits of ${value}`);
    assert.equal(numberToF16Bits(NaN) & 0x7c00, 0x7c00);
    assert.notEqual(numberToF16Bits(NaN) & 0x3ff, 0);
  });

  test('BF16 encodes known values, rounding to nearest even', () => {
    const cases: [number, number][] = [
      [1, 0x3f80],
      [-2, 0xc000],
      [1 + 2 ** -8, 0x3f80], // halfway: ties to even (down)
      [1 + 3 * 2 ** -8, 0x3f82], // halfway: ties to even (up)
      [1 + 2 ** -8 + 2 ** -20, 0x3f81], // just above halfway: up
      [3.3895313892515355e38, 0x7f7f], // largest finite bfloat16
      [Infinity, 0x7f80],
    ];
    for (const [value, bits] of cases) assert.equal(numberToBf16Bits(value), bits, `BF16 bits of ${value}`);
    assert.equal(numberToBf16Bits(NaN), 0x7fc0);
  });

  test('every F16 and BF16 bit pattern survives decode then encode', () => {
    const viaF16 = float32ToF16(f16ToFloat32(allBitPatterns));
    const viaBf16 = float32ToBf16(bf16ToFloat32(allBitPatterns));
    for (let bits = 0; bits < 65536; bits++) {
      const f16IsNaN = (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
      const bf16IsNaN = (bits & 0x7f80) === 0x7f80 && (bits & 0x7f) !== 0;
      if (!f16IsNaN) assert.equal(viaF16[bits], bits, `F16 0x${bits.toString(16)}`);
      else assert.ok(Number.isNaN(f16ToFloat32(Uint16Array.of(viaF16[bits]))[0]));
      if (!bf16IsNaN) assert.equal(viaBf16[bits], bits, `BF16 0x${bits.toString(16)}`);
    }
  });

  test('F16 and BF16 encodings are the nearest representable value', () => {
    const f16Values = f16ToFloat32(allBitPatterns);
    const bf16Values = bf16ToFloat32(allBitPatterns);
    const isNearest = (x: number, bits: number, values: Float32Array, step: number) => {
      const error = Math.abs(values[bits] - x);
      for (const neighbour of [bits - step, bits + step]) {
        if (neighbour < 0 || neighbour > 0xffff || Number.isNaN(values[neighbour])) continue;
        if (Math.sign(values[neighbour]) !== Math.sign(values[bits]) && values[bits] !== 0) continue;
        if (Math.abs(values[neighbour] - x) < error) return false;
      }
      return true;
    };
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -60000, max: 60000 }), (x) => isNearest(x, numberToF16Bits(x), f16Values, 1)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e38), max: Math.fround(1e38) }), (x) =>
        isNearest(x, numberToBf16Bits(x), bf16Values, 1),
      ),
      { numRuns: 2000 },
    );
  });
});
