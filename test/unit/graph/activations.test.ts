import { describe } from 'node:test';
import { geluErf, geluTanh, silu } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('activation gradients match central differences', () => {
  const x = [{ name: 'x', shape: [3, 4], range: [-3, 3] as [number, number] }];
  gradTest('tanh GELU (GPT-2 gelu_new, float64)', { dtype: 'float64', inputs: x, build: geluTanh });
  gradTest('SiLU (float64)', { dtype: 'float64', inputs: x, build: silu });
  gradTest('SiLU (float32, fused by onnxruntime into QuickGelu)', { dtype: 'float32', inputs: x, build: silu, tolerance: 5e-3 });
  gradTest('erf GELU (float32: no float64 Erf kernel)', { dtype: 'float32', inputs: x, build: geluErf, tolerance: 5e-3 });
});
