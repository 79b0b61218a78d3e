import { describe } from 'node:test';
import { TO_END, concat, exp, mul, neg, reduceSum, slice } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('Slice and Concat VJPs match central differences (float64)', () => {
  const x = { name: 'x', shape: [2, 3, 6] };
  gradTest('Slice the second half of the last axis', { dtype: 'float64', inputs: [x], build: (t) => slice(t, [-1], [3], [TO_END]) });
  gradTest('Slice drops the last position (shifted logits)', { dtype: 'float64', inputs: [x], build: (t) => slice(t, [1], [0], [-1]) });
  gradTest('Slice on two axes with negative starts', { dtype: 'float64', inputs: [x], build: (t) => slice(t, [0, 2], [-1, -4], [TO_END, -1]) });
  gradTest("Slice drops the last position of a symbolic 'seq' axis", {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [2, 3, 6], declaredShape: [2, 'seq', 6] }],
    build: (t) => {
      const shifted = slice(t, [1], [0], [-1]);
      return reduceSum(mul(shifted, exp(shifted)));
    },
    scalar: true,
  });
  gradTest('Concat of three pieces', {
    dtype: 'float64',
    inputs: [{ name: 'a', shape: [2, 1] }, { name: 'b', shape: [2, 3] }, { name: 'c', shape: [2, 2] }],
    build: (a, b, c) => concat([a, b, c], 1),
  });
  gradTest('rotate_half([a, b]) = [−b, a] from Slice and Concat (RoPE)', {
    dtype: 'float64',
    inputs: [x],
    build: (t) => concat([neg(slice(t, [-1], [3], [TO_END])), slice(t, [-1], [0], [3])], -1),
  });
});
