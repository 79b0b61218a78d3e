import { describe } from 'node:test';
import { reduceMean, reduceSum } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('reduction VJPs match central differences (float64)', () => {
  const x = { name: 'x', shape: [2, 3, 4] };
  gradTest('ReduceSum over one axis', { dtype: 'float64', inputs: [x], build: (t) => reduceSum(t, [1]) });
  gradTest('ReduceSum over two axes keeping dims', { dtype: 'float64', inputs: [x], build: (t) => reduceSum(t, [0, 2], true) });
  gradTest('ReduceMean over the last axis keeping dims', { dtype: 'float64', inputs: [x], build: (t) => reduceMean(t, [-1], true) });
  gradTest('ReduceMean over all axes', { dtype: 'float64', inputs: [x], build: (t) => reduceMean(t) });
});
