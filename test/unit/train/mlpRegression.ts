// A real GradientSource for trainer tests: a two-layer tanh MLP regression built with the graph IR, differentiated by
// autodiff and run by onnxruntime (one thread). Examples are drawn once from a seed; each micro-batch gathers its
// rows, and the micro-batch generator adds label noise so that its state matters for an exact resume.
import { Graph, add, gradients, matmul, mul, reduceMean, sub, tanh } from '../../../src/qrpo/graph';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { Random } from '../../../src/qrpo/train/random';
import type { GradientSource, GradientResult, MicroBatch } from '../../../src/qrpo/train/trainer';

const INPUTS = 3;
const HIDDEN = 8;

export const MLP_SHAPES = new Map<string, readonly number[]>([
  ['fc1.weight', [INPUTS, HIDDEN]],
  ['fc1.bias', [HIDDEN]],
  ['fc2.weight', [HIDDEN, 1]],
  ['fc2.bias', [1]],
]);

/** HF-style names for the checkpoint test: `mlp.` prefix, as a base-model prefix would be. */
export const mlpTensorName = (name: string) => `mlp.${name}`;

function buildGraph(): Graph {
  const g = new Graph();
  const x = g.input('x', 'float32', ['batch', INPUTS]);
  const y = g.input('y', 'float32', ['batch', 1]);
  const params = [...MLP_SHAPES].map(([name, shape]) => g.input(name, 'float32', shape));
  const [w1, b1, w2, b2] = params;
  const prediction = add(matmul(tanh(add(matmul(x, w1), b1)), w2), b2);
  const error = sub(prediction, y);
  const loss = reduceMean(mul(error, error));
  g.output('loss', loss);
  gradients(loss, params).forEach((grad, i) => g.output(`grad:${[...MLP_SHAPES.keys()][i]}`, grad));
  return g;
}

export class MlpRegression implements GradientSource {
  readonly parameters: Map<string, Float32Array>;
  readonly shapes = MLP_SHAPES;
  readonly x: Float32Array;
  readonly y: Float32Array;
  calls = 0;

  private constructor(
    private readonly session: GraphSession,
    readonly numExamples: number,
    seed: number,
    private readonly labelNoise: number,
  ) {
    const rng = Random.fromSeed(seed, 99);
    const uniform = () => rng.nextFloat() * 2 - 1;
    this.parameters = new Map([...MLP_SHAPES].map(([name, shape]) => [name, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 0.5 * uniform())]));
    this.x = Float32Array.from({ length: numExamples * INPUTS }, uniform);
    this.y = Float32Array.from({ length: numExamples }, (_, i) => Math.sin(2 * this.x[3 * i]) + this.x[3 * i + 1] * this.x[3 * i + 2]);
  }

  static async create(options: { numExamples: number; seed?: number; labelNoise?: number }): Promise<MlpRegression> {
    const session = await GraphSession.create(buildGraph(), { threads: 1 });
    return new MlpRegression(session, options.numExamples, options.seed ?? 1, options.labelNoise ?? 0);
  }

  async computeGradients(batch: MicroBatch): Promise<GradientResult> {
    this.calls += 1;
    const n = batch.indices.length;
    const x = new Float32Array(n * INPUTS);
    const y = new Float32Array(n);
    batch.indices.forEach((example, row) => {
      x.set(this.x.subarray(example * INPUTS, (example + 1) * INPUTS), row * INPUTS);
      y[row] = this.y[example] + this.labelNoise * (batch.rng.nextFloat() - 0.5);
    });
    const out = await this.session.run({
      x: { data: x, dims: [n, INPUTS] },
      y: { data: y, dims: [n, 1] },
      ...Object.fromEntries(this.parameters),
    });
    const grads = new Map([...MLP_SHAPES.keys()].map((name) => [name, out[`grad:${name}`].data as Float32Array]));
    const loss = (out.loss.data as Float32Array)[0];
    return { loss, grads, numTokens: n, metrics: { 'rewards/chosen': -loss, 'examples/first': batch.indices[0] } };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
