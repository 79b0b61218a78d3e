// Gradient accumulation over micro-batches and global-norm clipping with torch.nn.utils.clip_grad_norm_'s semantics.
// The trainer hands the clip coefficient to AdamW (gradScale) so clipping costs no extra pass over the gradients;
// `clipGradNorm` applies it in place for callers that want torch's in-place behaviour.
import { ArgumentError } from '../errors';

export type Gradients = ReadonlyMap<string, Float32Array>;

/**
 * How micro-batch gradients combine: `mean` (sum, then scale by 1/N: a mean loss over N equal micro-batches gives
 * the gradient of the mean over the whole batch, as HF Trainer's loss / gradient_accumulation_steps does) or `sum`
 * (the source already scaled each micro-batch, e.g. by its share of the batch's tokens).
 */
export type AccumulationMode = 'mean' | 'sum';

/**
 * Sums gradients from micro-batches. The first micro-batch's arrays are adopted, not copied (the source hands its
 * gradient arrays over and must not reuse them); later ones are added into them.
 */
export class GradientAccumulator {
  private sums: Map<string, Float32Array> | undefined;
  private added = 0;

  get count(): number {
    return this.added;
  }

  add(grads: Gradients): void {
    if (!this.sums) {
      this.sums = new Map(grads);
    } else {
      const sums = this.sums;
      if (grads.size !== sums.size) throw new ArgumentError(`micro-batch ${this.added + 1} has ${grads.size} gradients, the first had ${sums.size}`);
      for (const [name, grad] of grads) {
        const sum = sums.get(name);
        if (!sum) throw new ArgumentError(`micro-batch ${this.added + 1} has a gradient for "${name}", which the first did not`);
        if (sum.length !== grad.length) throw new ArgumentError(`gradient of "${name}" changed length from ${sum.length} to ${grad.length} between micro-batches`);
        for (let i = 0; i < sum.length; i++) sum[i] += grad[i];
      }
    }
    this.added += 1;
  }

  /** The combined gradients; the accumulator starts over empty. */
  finish(mode: AccumulationMode = 'mean'): Map<string, Float32Array> {
    const sums = this.sums;
    if (!sums) throw new ArgumentError('no micro-batch gradients were accumulated');
    if (mode === 'mean' && this.added > 1) {
      const scale = Math.fround(1 / this.added);
      for (const sum of sums.values()) for (let i = 0; i < sum.length; i++) sum[i] *= scale;
    }
    this.sums = undefined;
    this.added = 0;
    return sums;
  }
}

/** The 2-norm of all gradients together (float64 accumulation), as clip_grad_norm_ returns it and HF logs grad_norm. */
export function globalGradNorm(grads: Gradients): number {
  let sumOfSquares = 0;
  for (const grad of grads.values()) {
    let partial = 0;
    for (let i = 0; i < grad.length; i++) partial += grad[i] * grad[i];
    sumOfSquares += partial;
  }
  return Math.sqrt(sumOfSquares);
}

/** clip_grad_norm_'s factor: max_norm / (total_norm + 1e-6), clamped to at most 1. Non-finite norms give NaN. */
export function clipCoefficient(totalNorm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new ArgumentError(`max_grad_norm must be > 0 to clip, got ${maxNorm}`);
  return Math.min(1, maxNorm / (totalNorm + 1e-6));
}

export interface ClipResult {
  /** The norm before clipping (what HF logs as grad_norm). */
  readonly gradNorm: number;
  /** The factor the gradients were multiplied by (1 when within max_norm). */
  readonly clipCoef: number;
}

/** torch.nn.utils.clip_grad_norm_: scales every gradient in place by the clip coefficient; returns the pre-clip norm. */
export function clipGradNorm(grads: Gradients, maxNorm: number): ClipResult {
  const gradNorm = globalGradNorm(grads);
  const clipCoef = clipCoefficient(gradNorm, maxNorm);
  if (clipCoef !== 1) {
    const scale = Math.fround(clipCoef);
    for (const grad of grads.values()) for (let i = 0; i < grad.length; i++) grad[i] *= scale;
  }
  return { gradNorm, clipCoef };
}
