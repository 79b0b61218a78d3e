// A bandit as the engine sees a language model: one prompt, completions that are a single token y ∈ {0..K−1}, and a
// policy with free logits θ, so that log πθ(y) = log softmax(θ)[y]. The label's log-prob is picked by the helper the
// model graphs use (completionLogps.ts labelLogps), the loss is the training graph's own (trainingLosses.ts), its
// gradient comes from autodiff, and the trainer (train/trainer.ts, with AdamW) updates θ: everything but the decoder
// is the code a model run trains with.
import { Graph, expand, filledLike, gradients, reduceSum, squeeze, unsqueeze } from '../../../src/qrpo/graph';
import { labelLogps, trainingLoss, type TrainingLoss } from '../../../src/qrpo/model/graphs';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import type { GradientResult, GradientSource, MicroBatch } from '../../../src/qrpo/train/trainer';

/** One training completion of the bandit and what the QRPO loss reads beside it (as a TrainingSample carries). */
export interface BanditSample {
  readonly completion: number;
  readonly target: number;
  readonly refLogp: number;
}

/**
 * Inputs theta [K], completion [rows] int64, targets and ref_logps [rows], beta []. Every micro-batch has the same
 * number of rows (the trainer is run full-batch), so all shapes are concrete.
 */
function banditTrainingGraph(k: number, rows: number, loss: TrainingLoss): Graph {
  const graph = new Graph();
  const theta = graph.input('theta', 'float32', [k]);
  const completion = graph.input('completion', 'int64', [rows]);
  // [rows, 1 position, K] logits against [rows, 1, 1] labels, the shapes of a one-token completion.
  const logits = expand(unsqueeze(theta, [0, 1]), [rows, 1, k]);
  const tokenLogps = squeeze(labelLogps(logits, unsqueeze(completion, [1, 2])).picked, [2]);
  // Every completion is one scored token.
  const weights = filledLike(tokenLogps, 1);
  const numTokens = filledLike(completion, 1);
  const logp = reduceSum(tokenLogps, [1]);
  const value = trainingLoss(graph, loss, { tokenLogps, weights, logp, numTokens });
  graph.output('loss', value);
  graph.output('logp', logp);
  graph.output('grad.theta', gradients(value, [theta])[0]);
  return graph;
}

/** The trainer's GradientSource for the bandit: θ starts at the reference logits (πθ = π_ref, as a run starts). */
export class BanditPolicy implements GradientSource {
  readonly parameters: Map<string, Float32Array>;
  readonly shapes: Map<string, readonly number[]>;

  private constructor(
    private readonly session: GraphSession,
    private readonly samples: readonly BanditSample[],
    private readonly beta: number,
    refLogits: Float32Array,
  ) {
    this.parameters = new Map([['theta', refLogits.slice()]]);
    this.shapes = new Map([['theta', [refLogits.length]]]);
  }

  static async create(options: { refLogits: Float32Array; samples: readonly BanditSample[]; beta: number; loss?: TrainingLoss }): Promise<BanditPolicy> {
    const graph = banditTrainingGraph(options.refLogits.length, options.samples.length, options.loss ?? { kind: 'qrpo' });
    const session = await GraphSession.create(graph, { threads: 1 });
    return new BanditPolicy(session, options.samples, options.beta, options.refLogits);
  }

  async computeGradients(batch: MicroBatch): Promise<GradientResult> {
    const rows = batch.indices.map((i) => this.samples[i]);
    const out = await this.session.run({
      theta: this.parameters.get('theta')!,
      completion: BigInt64Array.from(rows, (r) => BigInt(r.completion)),
      targets: { data: Float32Array.from(rows, (r) => r.target), dims: [rows.length] },
      ref_logps: { data: Float32Array.from(rows, (r) => r.refLogp), dims: [rows.length] },
      beta: { data: Float32Array.of(this.beta), dims: [] },
    });
    return { loss: Number(out.loss.data[0]), grads: new Map([['theta', out['grad.theta'].data as Float32Array]]), numTokens: rows.length };
  }

  /** log πθ over the K completions, in float64. */
  logProbabilities(): Float64Array {
    const theta = this.parameters.get('theta')!;
    const max = Math.max(...theta);
    const logNormaliser = max + Math.log(theta.reduce((sum, t) => sum + Math.exp(t - max), 0));
    return Float64Array.from(theta, (t) => t - logNormaliser);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
