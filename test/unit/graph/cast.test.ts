import { describe } from 'node:test';
import { cast, exp } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('Cast VJP matches central differences', () => {
  gradTest('float32 → float64 → float32 carries the gradient across precisions', {
    dtype: 'float32',
    inputs: [{ name: 'x', shape: [2, 3] }],
    build: (x) => cast(exp(cast(x, 'float64')), 'float32'),
    tolerance: 5e-3,
  });
});
