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
 * Sums gradients from micro-batches into arrays it keeps from step to step. The first micro-batch of the first step
 * is adopted, not copied (the source hands its arrays over and must not reuse them); after that, `target()` names
 * the arrays a source should write the next micro-batch into: the sums themselves for a step's first micro-batch,
 * one scratch set for the others, which add() then sums. A source that writes there allocates nothing per step (at
 * GPT-2 small, 500 MB of fresh pages a micro-batch otherwise). Arrays that are not the target are adopted or added
 * as they come.
 */
export class GradientAccumulator {
  private sums: Map<string, Float32Array> | undefined;
  private scratch: Map<string, Float32Array> | undefined;
  private added = 0;

  get count(): number {
    return this.added;
  }

  /** Where the next micro-batch's gradients belong, once the accumulator knows their names and lengths. */
  target(): Gradients | undefined {
    if (!this.sums) return undefined;
    if (this.added === 0) return this.sums;
    this.scratch ??= new Map([...this.sums].map(([name, sum]) => [name, new Float32Array(sum.length)]));
    return this.scratch;
  }

  add(grads: Gradients): void {
    if (this.added === 0) {
      this.adoptFirst(grads);
    } else {
      const sums = this.sums!;
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

  /**
   * The combined gradients, valid until the next micro-batch is added (they are the arrays the next step sums
   * into); the accumulator starts over at count 0.
   */
  finish(mode: AccumulationMode = 'mean'): Map<string, Float32Array> {
    const sums = this.sums;
    if (!sums || this.added === 0) throw new ArgumentError('no micro-batch gradients were accumulated');
    if (mode === 'mean' && this.added > 1) {
      const scale = Math.fround(1 / this.added);
      for (const sum of sums.values()) for (let i = 0; i < sum.length; i++) sum[i] *= scale;
    }
    this.added = 0;
    return sums;
  }

  private adoptFirst(grads: Gradients): void {
    const sums = this.sums;
    const inPlace = sums !== undefined && grads.size === sums.size && [...grads].every(([name, grad]) => sums.get(name) === grad);
    if (inPlace) return;
    this.sums = new Map(grads);
    // Scratch arrays sized for other gradients would be wrong for these.
    this.scratch = undefined;
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
