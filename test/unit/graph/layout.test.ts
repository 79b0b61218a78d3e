import { describe } from 'node:test';
import { expand, reshape, squeeze, transpose, unsqueeze } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('layout VJPs match central differences (float64)', () => {
  const x = { name: 'x', shape: [2, 3, 4] };
  gradTest('Reshape merges batch and time', { dtype: 'float64', inputs: [x], build: (t) => reshape(t, [-1, 4]) });
  gradTest('Reshape splits the width into heads with copied dims', { dtype: 'float64', inputs: [x], build: (t) => reshape(t, [0, 0, 2, 2]) });
  gradTest('Transpose with a permutation', { dtype: 'float64', inputs: [x], build: (t) => transpose(t, [1, 2, 0]) });
  gradTest('Unsqueeze', { dtype: 'float64', inputs: [x], build: (t) => unsqueeze(t, [0, -1]) });
  gradTest('Squeeze', { dtype: 'float64', inputs: [{ name: 'x', shape: [2, 1, 3] }], build: (t) => squeeze(t, [1]) });
  gradTest('Expand adds leading axes', { dtype: 'float64', inputs: [{ name: 'x', shape: [3] }], build: (t) => expand(t, [2, 4, 3]) });
  gradTest('Expand grows a size-1 axis', { dtype: 'float64', inputs: [{ name: 'x', shape: [2, 1, 3] }], build: (t) => expand(t, [2, 4, 3]) });
});
