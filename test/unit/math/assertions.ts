// Assertions shared by the math tests: an ArgumentError with exactly this message, and numeric closeness.
import assert from 'node:assert/strict';
import { ArgumentError } from '../../../src/qrpo/errors';

export function assertArgumentError(call: () => unknown, message: string): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof ArgumentError, `expected an ArgumentError, got ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

/** |actual − expected| ≤ tolerance·max(1, |expected|): relative for large values, absolute near 0. */
export function assertClose(actual: number, expected: number, tolerance: number, what = 'value'): void {
  const error = Math.abs(actual - expected);
  const bound = tolerance * Math.max(1, Math.abs(expected));
  assert.ok(error <= bound, `${what}: got ${actual}, expected ${expected} (error ${error.toExponential(2)} > ${bound.toExponential(2)})`);
}

/** |actual − expected| ≤ tolerance·|expected|. */
export function assertRelative(actual: number, expected: number, tolerance: number, what = 'value'): void {
  const error = Math.abs(actual - expected);
  assert.ok(
    error <= tolerance * Math.abs(expected),
    `${what}: got ${actual}, expected ${expected} (relative error ${(error / Math.abs(expected)).toExponential(2)} > ${tolerance})`,
  );
}
