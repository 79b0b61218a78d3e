import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Graph, abs, softplus } from '../../../src/qrpo/graph';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { gradTest } from './gradcheck';

describe('Abs and Softplus gradients match central differences', () => {
  // Values away from 0 so that the finite difference never straddles Abs's kink.
  const awayFromZero = [-2.5, -1.2, -0.4, 0.3, 0.9, 2.2];
  gradTest('Abs (float64)', { dtype: 'float64', inputs: [{ name: 'x', shape: [2, 3], values: awayFromZero }], build: abs });
  gradTest('Abs (float32)', { dtype: 'float32', inputs: [{ name: 'x', shape: [2, 3], values: awayFromZero }], build: abs, tolerance: 5e-3 });
  gradTest('Softplus (float32)', { dtype: 'float32', inputs: [{ name: 'x', shape: [3, 4], range: [-6, 6] }], build: softplus, tolerance: 5e-3 });
});

test('Softplus stays finite and exact for large |x| (−log σ(Δ) of a confident DPO pair)', async () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [4]);
  g.output('y', softplus(x));
  g.output('a', abs(x));
  const s = await GraphSession.create(g);
  const { y, a } = await s.run({ x: Float32Array.of(-100, -20, 20, 100) });
  assert.deepEqual(Array.from(a.data as Float32Array), [100, 20, 20, 100]);
  const expected = [Math.log1p(Math.exp(-100)), Math.log1p(Math.exp(-20)), 20 + Math.log1p(Math.exp(-20)), 100];
  Array.from(y.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-6 * Math.max(1, expected[i]), `softplus(${[-100, -20, 20, 100][i]}) = ${v}`));
  await s.release();
});
