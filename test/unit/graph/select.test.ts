import { describe } from 'node:test';
import { softmax, where } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

const causal = [1, 0, 0, 1, 1, 0, 1, 1, 1];

describe('Where VJP matches central differences (float64)', () => {
  gradTest('a constant causal mask before Softmax: masked scores get no gradient', {
    dtype: 'float64',
    inputs: [{ name: 'scores', shape: [2, 3, 3] }, { name: 'mask', shape: [3, 3], dtype: 'bool', values: causal }],
    build: (scores, mask) => softmax(where(mask, scores, -1e9)),
  });
  gradTest('both branches, one broadcast', {
    dtype: 'float64',
    inputs: [
      { name: 'mask', shape: [2, 3], dtype: 'bool', values: [1, 0, 1, 0, 0, 1] },
      { name: 'a', shape: [2, 3] },
      { name: 'b', shape: [3] },
    ],
    build: (mask, a, b) => where(mask, a, b),
  });
});
