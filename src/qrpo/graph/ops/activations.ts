// Activation functions composed of primitives: GPT-2's tanh GELU (`gelu_new`, with its gradient in closed form),
// the exact erf GELU and SiLU (Llama's SwiGLU gate), whose gradients come from the primitives' rules. vjp.md lists
// their closed forms, which the gradient checks confirm.
import { Tensor } from '../ir';
import { withCustomGradient } from '../customGradient';
import { add, div, mul, neg, sub } from './arithmetic';
import { erf, exp, sigmoid } from './elementwise';

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * ½x(1 + tanh(√(2/π)(x + 0.044715x³))): HF `gelu_new` / `gelu_pytorch_tanh`, computed as x·σ(z) with
 * z = x·(2c + 2ac·x²) (½(1 + tanh u) = σ(2u)): six elementwise passes instead of eight. Its gradient is the closed
 * form σ + x·σ(1 − σ)·(2c + 6ac·x²), eight passes that reuse x² and σ, where autodiff through the primitives takes
 * thirteen (customGradient.ts).
 */
export function geluTanh(x: Tensor): Tensor {
  const xSquared = mul(x, x);
  const s = sigmoid(mul(x, add(mul(xSquared, 2 * GELU_A * GELU_C), 2 * GELU_C)));
  return withCustomGradient(mul(x, s), [x], (g) => {
    const slope = add(mul(xSquared, 6 * GELU_A * GELU_C), 2 * GELU_C);
    return [mul(g, add(mul(mul(mul(s, sub(1, s)), slope), x), s))];
  });
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
