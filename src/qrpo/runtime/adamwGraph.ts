// AdamW as an ONNX graph, so that the optimizer step runs where the parameters live (on the GPU with WebGPU, beside
// a TensorStore) instead of in a JavaScript loop. The update is torch.optim.AdamW (decoupled weight decay, bias
// correction, eps added after the square root):
//   p ← p − lr·wd·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − lr·(m / bc1) / (√(v / bc2) + eps)
// with bc1 = 1 − β1^t, bc2 = 1 − β2^t for step t ≥ 1, written op for op as PyTorch 1.13's single-tensor path and as
// the CPU AdamW (src/qrpo/train/adamw.wat) computes it, with the same float32 coefficients rounded from float64:
//   p·(1 − lr·wd);  m·β1 + (1−β1)·g;  v·β2 + ((1−β2)·g)·g;  p + ((−lr/bc1)·m) / (√v / √bc2 + eps)
// so on the cpu provider both give the same bits. The step-dependent coefficients (and the gradient-clipping scale)
// are graph inputs computed by adamwScalars(), so schedules and the step count change nothing in the graph; β1,
// β2 and eps are fixed per run and built in.
import { QrpoError } from '../errors';
import { Graph, Shape, Tensor, add, div, mul, sqrt } from '../graph';

export interface AdamwParameter {
  readonly name: string;
  readonly shape: Shape;
  /** False for parameters excluded from weight decay (biases and norm weights, as HF Trainer does). Default true. */
  readonly decay?: boolean;
}

export interface AdamwConstants {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** float32 (default) for training on any provider; float64 for reference checks on the CPU. */
  dtype?: 'float32' | 'float64';
}

export interface AdamwHyperparameters extends AdamwConstants {
  lr: number;
  weightDecay: number;
  /** Multiplies every gradient first: the clip coefficient of clip_grad_norm_. Default 1. */
  gradScale?: number;
}

/** PyTorch's defaults (torch.optim.AdamW), which TRL and HF Trainer keep. */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** The graph's tensor names for one parameter `p`: inputs p, p.grad, p.exp_avg, p.exp_avg_sq; outputs with `.next`. */
export const adamwNames = {
  grad: (p: string): string => `${p}.grad`,
  expAvg: (p: string): string => `${p}.exp_avg`,
  expAvgSq: (p: string): string => `${p}.exp_avg_sq`,
  next: (name: string): string => `${name}.next`,
};

/** The scalar inputs (shape []): 1 − lr·wd, −lr/bc1, √bc2 and the gradient scale; see adamwScalars(). */
export const ADAMW_SCALAR_INPUTS = ['decay', 'neg_step_size', 'bias_correction2_sqrt', 'grad_scale'] as const;
export type AdamwScalarName = (typeof ADAMW_SCALAR_INPUTS)[number];

/**
 * One AdamW step over `params`. Inputs: for each parameter p, `p`, `p.grad`, `p.exp_avg`, `p.exp_avg_sq`; and the
 * scalars of ADAMW_SCALAR_INPUTS (adamwScalars()). Outputs `p.next`, `p.exp_avg.next`, `p.exp_avg_sq.next`: with a
 * TensorStore, keep them with adamwKeep(params).
 */
export function adamwGraph(params: readonly AdamwParameter[], constants: AdamwConstants = {}): Graph {
  const { beta1, beta2, eps } = { ...ADAMW_DEFAULTS, ...constants };
  checkConstants(beta1, beta2, eps);
  const dtype = constants.dtype ?? 'float32';
  const g = new Graph();
  const [decay, negStepSize, bc2Sqrt, gradScale] = ADAMW_SCALAR_INPUTS.map((name) => g.input(name, dtype, []));
  for (const { name, shape, decay: decays = true } of params) {
    const p = g.input(name, dtype, shape);
    const grad = mul(g.input(adamwNames.grad(name), dtype, shape), gradScale);
    const m = g.input(adamwNames.expAvg(name), dtype, shape);
    const v = g.input(adamwNames.expAvgSq(name), dtype, shape);
    // 1 − β is rounded once from float64, as PyTorch passes (1 − β) as a Python float.
    const mNext = add(mul(m, beta1), mul(grad, 1 - beta1));
    const vNext = add(mul(v, beta2), mul(mul(grad, 1 - beta2), grad));
    const decayed: Tensor = decays ? mul(p, decay) : p;
    const denom = add(div(sqrt(vNext), bc2Sqrt), eps);
    g.output(adamwNames.next(name), add(decayed, div(mul(mNext, negStepSize), denom)));
    g.output(adamwNames.next(adamwNames.expAvg(name)), mNext);
    g.output(adamwNames.next(adamwNames.expAvgSq(name)), vNext);
  }
  return g;
}

/** TensorStore `keep` for the AdamW graph: each `.next` output replaces the tensor it updates. */
export function adamwKeep(params: readonly AdamwParameter[]): Record<string, string> {
  const keep: Record<string, string> = {};
  for (const { name } of params) {
    for (const stored of [name, adamwNames.expAvg(name), adamwNames.expAvgSq(name)]) keep[adamwNames.next(stored)] = stored;
  }
  return keep;
}

/**
 * The scalar feeds for step `step` (1 for the first update): computed in float64 and rounded once, as PyTorch
 * computes them in Python floats and as src/qrpo/train/adamw.ts does.
 */
export function adamwScalars(step: number, hyper: AdamwHyperparameters): Record<AdamwScalarName, Float32Array | Float64Array> {
  if (!Number.isInteger(step) || step < 1) throw new QrpoError(`AdamW step must be an integer ≥ 1, got ${step}`);
  const { beta1, beta2 } = { ...ADAMW_DEFAULTS, ...hyper };
  const array = hyper.dtype === 'float64' ? Float64Array : Float32Array;
  return {
    decay: array.of(1 - hyper.lr * hyper.weightDecay),
    neg_step_size: array.of(-(hyper.lr / (1 - beta1 ** step))),
    bias_correction2_sqrt: array.of(Math.sqrt(1 - beta2 ** step)),
    grad_scale: array.of(hyper.gradScale ?? 1),
  };
}

function checkConstants(beta1: number, beta2: number, eps: number): void {
  for (const [name, beta] of [['beta1', beta1], ['beta2', beta2]] as const) {
    if (!(beta >= 0 && beta < 1)) throw new QrpoError(`AdamW ${name} must be in [0, 1), got ${beta}`);
  }
  if (!(eps > 0)) throw new QrpoError(`AdamW eps must be > 0, got ${eps}`);
}
