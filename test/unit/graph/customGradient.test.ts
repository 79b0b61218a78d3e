// Closed-form gradients over primitive ops (customGradient.ts): autodiff uses the given rule at the function's
// output instead of the primitives' rules, and intermediates read elsewhere still get their own cotangents.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, add, exp, gradients, mul, reduceSum } from '../../../src/qrpo/graph';
import { withCustomGradient } from '../../../src/qrpo/graph/customGradient';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { gradTest } from './gradcheck';

/** y = e^{2x} written as e^x · e^x, with its derivative 2·y given by hand. */
function doubleExp(x: ReturnType<Graph['input']>, scale = 2) {
  const e = exp(x);
  return { e, y: withCustomGradient(mul(e, e), [x], (g) => [mul(mul(g, mul(e, e)), scale)]) };
}

describe('custom gradients', () => {
  gradTest('a closed form matches central differences (float64)', {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [2, 3], range: [-1, 1] }],
    build: (x) => doubleExp(x).y,
  });

  gradTest('an intermediate also read outside the function gets its cotangent from that reader (float64)', {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [2, 3], range: [-1, 1] }],
    build: (x) => {
      const { e, y } = doubleExp(x);
      return add(y, mul(e, 3));
    },
  });

  test('autodiff applies the given rule, not the primitives\' rules', async () => {
    // A deliberately wrong rule (3·y instead of 2·y) must show in the gradient: proof that it is the one used.
    const graph = new Graph();
    const x = graph.input('x', 'float64', [3]);
    const loss = reduceSum(doubleExp(x, 3).y, [0], true);
    const [dx] = gradients(loss, [x]);
    graph.output('dx', dx);
    const session = await GraphSession.create(graph);
    const values = Float64Array.from([-0.5, 0, 0.5]);
    const out = await session.run({ x: values });
    assert.deepEqual([...(out.dx.data as Float64Array)].map((v) => Number(v.toPrecision(12))), [...values].map((v) => Number((3 * Math.exp(2 * v)).toPrecision(12))));
    await session.release();
  });
});
