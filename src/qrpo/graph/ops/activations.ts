// Activation functions composed of primitives, so their gradients come from the primitives' rules: GPT-2's
// tanh GELU (`gelu_new`), the exact erf GELU, and SiLU (Llama's SwiGLU gate). vjp.md lists their closed forms,
// which the gradient checks confirm.
import { Tensor } from '../ir';
import { add, div, mul, neg } from './arithmetic';
import { erf, exp, pow, sigmoid, tanh } from './elementwise';

/** ½x(1 + tanh(√(2/π)(x + 0.044715x³))): HF `gelu_new` / `gelu_pytorch_tanh`. */
export function geluTanh(x: Tensor): Tensor {
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/** ½x(1 + erf(x/√2)): HF `gelu`. */
export function geluErf(x: Tensor): Tensor {
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** x·σ(x). */
export function silu(x: Tensor): Tensor {
  // onnxruntime's optimizer fuses x·σ(x) into com.microsoft.QuickGelu, which has a float32 kernel only; in float64
  // the same function written as x / (1 + e^−x) escapes the fusion (e^−x = ∞ gives the right limit, −0).
  if (x.dtype === 'float64') return div(x, add(exp(neg(x)), 1));
  return mul(x, sigmoid(x));
}
