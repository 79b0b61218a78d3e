import { describe } from 'node:test';
import { erf, exp, log, pow, sigmoid, sqrt, tanh } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('elementwise VJPs match central differences', () => {
  const x = [{ name: 'x', shape: [2, 3] }];
  const positive = [{ name: 'x', shape: [2, 3], range: [0.3, 2] as [number, number] }];
  gradTest('Exp (float64)', { dtype: 'float64', inputs: x, build: exp });
  gradTest('Log (float64)', { dtype: 'float64', inputs: positive, build: log });
  gradTest('Sqrt (float64)', { dtype: 'float64', inputs: positive, build: sqrt });
  gradTest('Tanh (float64)', { dtype: 'float64', inputs: x, build: tanh });
  gradTest('Sigmoid (float64)', { dtype: 'float64', inputs: x, build: sigmoid });
  gradTest('Pow with exponent 3 (float64)', { dtype: 'float64', inputs: x, build: (t) => pow(t, 3) });
  gradTest('Pow with exponent 2 (float64)', { dtype: 'float64', inputs: x, build: (t) => pow(t, 2) });
  gradTest('Pow with exponent −0.5 (float64)', { dtype: 'float64', inputs: positive, build: (t) => pow(t, -0.5) });
  // onnxruntime's CPU provider has no float64 Erf kernel.
  gradTest('Erf (float32)', { dtype: 'float32', inputs: x, build: erf, tolerance: 5e-3 });
});
