import { describe } from 'node:test';
import { layerNorm, rmsNorm } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('normalisation VJPs match central differences', () => {
  const inputs = [{ name: 'x', shape: [2, 3, 5], range: [-2, 2] as [number, number] }, { name: 'scale', shape: [5] }, { name: 'bias', shape: [5] }];
  // onnxruntime saves LayerNormalization's Mean/InvStdDev in float32 even for float64 inputs (see normalization.ts).
  gradTest('LayerNormalization with saved Mean/InvStdDev (float64 data, float32 statistics)', {
    dtype: 'float64',
    inputs,
    build: (x, scale, bias) => layerNorm(x, scale, bias),
    tolerance: 1e-6,
  });
  gradTest('LayerNormalization (float32)', { dtype: 'float32', inputs, build: (x, scale, bias) => layerNorm(x, scale, bias), tolerance: 1e-2 });
  gradTest('RMSNorm composed of primitives (float64)', {
    dtype: 'float64',
    inputs: [{ name: 'x', shape: [2, 3, 5], range: [-2, 2] }, { name: 'weight', shape: [5] }],
    build: (x, weight) => rmsNorm(x, weight),
  });
});
