// GPT-2's tanh GELU in a training graph, forward and input gradient together, as the engine built it before
// (½x(1 + tanh(√(2/π)(x + 0.044715x³))) differentiated through its primitives) against now (x·σ(z) with a
// closed-form gradient, graph/ops/activations.ts). Same onnxruntime, one thread, interleaved single runs; the two
// must agree. Shapes: the MLP activations of engineBench's 11M (8×64 tokens × 1536) and 124M (128 × 3072) models.
//   node bench/run.mjs geluForms
import { Graph, type Tensor, add, geluTanh, gradients, mul, pow, reduceSum, tanh } from '../src/qrpo/graph';
import { GraphSession } from '../src/qrpo/runtime/session';
import { median, seconds } from './benchWorkers';

const RUNS = 41;
const SHAPES: readonly [tokens: number, width: number][] = [
  [512, 1536],
  [128, 3072],
];

/** The formulation the engine used before: autodiff derives the gradient from Pow, Mul, Add and Tanh. */
function geluThroughPrimitives(x: Tensor): Tensor {
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

async function session(gelu: (x: Tensor) => Tensor, tokens: number, width: number): Promise<GraphSession> {
  const graph = new Graph();
  const x = graph.input('x', 'float32', [tokens, width]);
  const w = graph.input('w', 'float32', [tokens, width]);
  const y = gelu(x);
  const [dx] = gradients(reduceSum(mul(y, w), [0, 1], true), [x]);
  graph.output('y', y);
  graph.output('dx', dx);
  return GraphSession.create(graph, { threads: 1 });
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function main(): Promise<void> {
  for (const [tokens, width] of SHAPES) {
    const feeds = {
      x: Float32Array.from({ length: tokens * width }, (_, i) => 4 * Math.sin(i * 0.618)),
      w: Float32Array.from({ length: tokens * width }, (_, i) => Math.cos(i * 0.37)),
    };
    const before = await session(geluThroughPrimitives, tokens, width);
    const now = await session(geluTanh, tokens, width);
    const times: [number[], number[]] = [[], []];
    let outputs: Awaited<ReturnType<GraphSession['run']>>[] = [];
    for (let run = 0; run < RUNS + 3; run++) {
      outputs = [];
      for (const [i, s] of [before, now].entries()) {
        const start = process.hrtime.bigint();
        outputs.push(await s.run(feeds));
        if (run >= 3) times[i].push(seconds(start) * 1000);
      }
    }
    const [a, b] = outputs;
    console.log(
      `gelu [${tokens}×${width}] forward + ∂x, threads=1, median of ${RUNS} interleaved: ` +
        `before ${median(times[0]).toFixed(2)} ms, now ${median(times[1]).toFixed(2)} ms, ${(median(times[0]) / median(times[1])).toFixed(2)}× ` +
        `(max |Δy| ${maxAbsDifference(a.y.data as Float32Array, b.y.data as Float32Array).toExponential(1)}, ` +
        `max |Δ∂x| ${maxAbsDifference(a.dx.data as Float32Array, b.dx.data as Float32Array).toExponential(1)})`,
    );
    await before.release();
    await now.release();
  }
}

void main();
