// LayerNormalization (ONNX opset 17, GPT-2) with the rule of vjp.md "LayerNorm", which reuses the Mean and
// InvStdDev the forward already computes; and RMSNorm (Llama), composed of primitives so that autodiff derives
// vjp.md's "RMSNorm" rule from theirs.
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { Dim, normaliseAxis } from '../shapes';
import { add, div, mul, sub, sumToShape } from './arithmetic';
import { cast } from './cast';
import { sqrt } from './elementwise';
import { requireFloat } from './operands';
import { reduceMean } from './reduce';

const FILE = 'src/qrpo/graph/ops/normalization.ts';

interface LayerNormParams {
  axis: number;
}

// x̂ = (x − μ)·r; ĝ = G ⊙ γ; ∂x = r·(ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)); ∂γ = Σ G ⊙ x̂; ∂β = Σ G.
const layerNormRule: OpRule<LayerNormParams> = {
  onnxOp: 'LayerNormalization',
  file: FILE,
  optionalOutputs: true,
  vjp: ({ inputs: [x, scale, bias], outputs: [, mean, invStdDev], params: { axis }, grads: [g, gMean, gInvStdDev], needs }) => {
    if (gMean || gInvStdDev) throw new GraphError('LayerNormalization: no gradient through its Mean or InvStdDev outputs; use them as data only');
    const axes = Array.from({ length: x.rank - axis }, (_, i) => axis + i);
    const r = cast(invStdDev, x.dtype);
    const xHat = mul(sub(x, cast(mean, x.dtype)), r);
    let dx: Tensor | undefined;
    if (needs[0]) {
      const gHat = mul(g!, scale);
      dx = mul(r, sub(sub(gHat, reduceMean(gHat, axes, true)), mul(xHat, reduceMean(mul(gHat, xHat), axes, true))));
    }
    return [dx, needs[1] ? sumToShape(mul(g!, xHat), scale.shape) : undefined, bias && needs[2] ? sumToShape(g!, bias.shape) : undefined];
  },
};

/**
 * y = (x − μ)/√(σ² + ε) ⊙ scale + bias over the axes from `axis` on. Returns y with the saved mean and inverse
 * standard deviation (shaped like x with 1 on the normalised axes) that the VJP reuses.
 */
export function layerNormalization(x: Tensor, scale: Tensor, bias?: Tensor, epsilon = 1e-5, axis = -1): { y: Tensor; mean: Tensor; invStdDev: Tensor } {
  requireFloat('LayerNormalization', x);
  const a = normaliseAxis(axis, x.rank, 'LayerNormalization');
  const statsShape: Dim[] = x.shape.map((d, i) => (i < a ? d : 1));
  const inputs = bias ? [x, scale, bias] : [x, scale];
  // stash_type 1: statistics in float32. onnxruntime's CPU kernel has no float64-statistics variant, so a float64
  // LayerNorm still saves float32 Mean/InvStdDev, and its VJP casts them up (a ~1e-7 relative error in float64).
  const attributes = { axis: { int: a }, epsilon: { float: epsilon }, stash_type: { int: 1 } };
  const [y, mean, invStdDev] = x.graph.apply(
    layerNormRule,
    inputs,
    [
      { dtype: x.dtype, shape: x.shape },
      { dtype: 'float32', shape: statsShape },
      { dtype: 'float32', shape: statsShape },
    ],
    attributes,
    { axis: a },
  );
  return { y, mean, invStdDev };
}

/** LayerNorm's output alone (the usual use in a model). */
export function layerNorm(x: Tensor, scale: Tensor, bias?: Tensor, epsilon = 1e-5): Tensor {
  return layerNormalization(x, scale, bias, epsilon).y;
}

/** Llama's RMSNorm over the last axis: y = weight ⊙ x / √(mean(x²) + ε). */
export function rmsNorm(x: Tensor, weight: Tensor, epsilon = 1e-6): Tensor {
  const meanSquare = reduceMean(mul(x, x), [-1], true);
  return mul(div(x, sqrt(add(meanSquare, epsilon))), weight);
}
