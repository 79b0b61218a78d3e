import { describe } from 'node:test';
import { add, div, mul, neg, sub } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('arithmetic VJPs match central differences (float64)', () => {
  gradTest('Add sums a bias gradient over batch and time', {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [2, 3, 4] }, { name: 'bias', shape: [4] }],
    build: (x, bias) => add(x, bias),
  });
  gradTest('Add reduces size-1 axes kept in the middle', {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [2, 3, 4] }, { name: 'b', shape: [2, 1, 4] }],
    build: (x, b) => add(x, b),
  });
  gradTest('Sub broadcasts a column against a row', {
    dtype: 'float64',
    inputs: [{ name: 'a', shape: [3, 1] }, { name: 'b', shape: [1, 4] }],
    build: (a, b) => sub(a, b),
  });
  gradTest('Mul broadcasts a scale vector', {
    dtype: 'float64',
    inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3] }],
    build: (a, b) => mul(a, b),
  });
  gradTest('Mul by a number scales the gradient', {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [5] }],
    build: (x) => mul(x, 3),
  });
  gradTest('Div differentiates numerator and broadcast denominator', {
    dtype: 'float64',
    inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [2, 1], range: [0.5, 2] }],
    build: (a, b) => div(a, b),
  });
  gradTest('Neg flips the gradient', { dtype: 'float64', inputs: [{ name: 'x', shape: [4] }], build: (x) => neg(x) });
  gradTest('a tensor used twice accumulates both cotangents (x ⊙ x − x)', {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [2, 3] }],
    build: (x) => sub(mul(x, x), x),
  });
});
