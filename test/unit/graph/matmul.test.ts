import { describe } from 'node:test';
import { matmul, mul, reduceSum, transpose } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('MatMul VJP matches central differences (float64)', () => {
  gradTest('2-D by 2-D', {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [3, 4] }, { name: 'w', shape: [4, 2] }],
    build: matmul,
  });
  gradTest('a 2-D weight broadcast over a batch sums its gradient over the batch', {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [2, 3, 4] }, { name: 'w', shape: [4, 5] }],
    build: matmul,
  });
  gradTest('a weight over symbolic batch and sequence dims gets its gradient with them folded into rows', {
    dtype: 'float64',
    inputs: [
      { name: 'x', shape: [2, 3, 4], declaredShape: ['batch', 'seq', 4] },
      { name: 'w', shape: [4, 5] },
    ],
    build: (x, w) => {
      const y = matmul(x, w);
      return reduceSum(mul(y, y));
    },
    scalar: true,
  });
  gradTest("a transposed weight x·Wᵀ (Llama's Linear layout, the tied LM head) gets its gradient in W's layout", {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [2, 3, 4] }, { name: 'w', shape: [5, 4] }],
    build: (x, w) => matmul(x, transpose(w)),
  });
  gradTest('per-head attention scores Q·Kᵀ in 4-D', {
    dtype: 'float64',
    inputs: [{ name: 'q', shape: [2, 2, 3, 4] }, { name: 'kT', shape: [2, 2, 4, 3] }],
    build: matmul,
  });
  gradTest('batch dims broadcast on both sides', {
    dtype: 'float64',
    inputs: [{ name: 'a', shape: [1, 3, 2, 4] }, { name: 'b', shape: [2, 1, 4, 2] }],
    build: matmul,
  });
});
