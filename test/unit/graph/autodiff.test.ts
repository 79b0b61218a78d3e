import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Graph,
  GraphError,
  add,
  exp,
  gradients,
  matmul,
  mul,
  onnxOp,
  reduceMean,
  reduceSum,
  gather,
  gatherElements,
  logSoftmax,
  stopGradient,
  transpose,
} from '../../../src/qrpo/graph';
import { toModelProto } from '../../../src/qrpo/graph/onnxEmit';
import { GraphSession } from '../../../src/qrpo/runtime/session';

describe('autodiff', () => {
  test('a parameter the loss does not reach gets zeros of its own (symbolic) shape', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3]);
    const unused = g.input('unused', 'float32', ['batch', 2]);
    const [, gradUnused] = gradients(reduceSum(exp(x)), [x, unused]);
    g.output('gradUnused', gradUnused);
    const session = await GraphSession.create(g);
    const out = await session.run({ x: new Float32Array(3), unused: { data: new Float32Array(6).fill(5), dims: [3, 2] } });
    assert.deepEqual(out.gradUnused.dims, [3, 2]);
    assert.deepEqual([...out.gradUnused.data], [0, 0, 0, 0, 0, 0]);
  });

  test('stopGradient treats its input as data: d/dx Σ x ⊙ stop(x) = x, not 2x', async () => {
    const g = new Graph();
    const x = g.input('x', 'float64', [3]);
    const [dx] = gradients(reduceSum(mul(x, stopGradient(x))), [x]);
    g.output('dx', dx);
    const out = await (await GraphSession.create(g)).run({ x: Float64Array.from([1, -2, 3]) });
    assert.deepEqual([...out.dx.data], [1, -2, 3]);
  });

  test('integer tensors carry no gradient, and asking for one is an error', () => {
    const g = new Graph();
    const ids = g.input('ids', 'int64', [2]);
    const x = g.input('x', 'float32', [2]);
    assert.throws(() => gradients(reduceSum(x), [ids]), (e: unknown) => e instanceof GraphError && /input 'ids' int64\[2\] is not a float tensor/.test(e.message));
  });

  test('an op without a VJP rule on the path to a parameter is named in the error', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [4]);
    const [floored] = onnxOp('Floor', [x], [{ dtype: 'float32', shape: [4] }]);
    assert.throws(
      () => gradients(reduceSum(floored), [x]),
      (e: unknown) =>
        e instanceof GraphError &&
        e.message.startsWith("no gradient rule for Floor (node #1, inputs input 'x' float32[4]) on the path from the loss to a parameter") &&
        e.message.includes('src/qrpo/graph/ops/custom.ts') &&
        e.message.includes('stopGradient()'),
    );
  });

  test('the same op is fine off the gradient path', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [4]);
    const [floored] = onnxOp('Floor', [x], [{ dtype: 'float32', shape: [4] }]);
    assert.doesNotThrow(() => gradients(reduceSum(mul(x, stopGradient(floored))), [x]));
  });

  test('a non-scalar loss is refused with a hint', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [4]);
    assert.throws(() => gradients(exp(x), [x]), /needs a scalar float loss, got output 0 of Exp #1 float32\[4\]; reduce it/);
  });

  test("one graph with symbolic 'batch' and 'seq' dims runs at two sizes", async () => {
    // loss = mean((x + bias)·W) over [batch, seq, 3]: ∂bias[k] = Σ_j W[k, j] / 3, ∂W[k, j] = mean_bt (x + bias)[k] / 3.
    const g = new Graph();
    const x = g.input('x', 'float64', ['batch', 'seq', 2]);
    const bias = g.input('bias', 'float64', [2]);
    const w = g.input('w', 'float64', [2, 3]);
    const [dBias, dW] = gradients(reduceMean(matmul(add(x, bias), w)), [bias, w]);
    g.output('dBias', dBias);
    g.output('dW', dW);
    const session = await GraphSession.create(g);
    const weights = Float64Array.from([1, 2, 3, 4, 5, 6]);
    for (const [batch, seq] of [[2, 3], [1, 5]]) {
      const xs = Float64Array.from({ length: batch * seq * 2 }, (_, i) => (i % 2 === 0 ? 1 + i : -i));
      const out = await session.run({ x: { data: xs, dims: [batch, seq, 2] }, bias: Float64Array.from([0.5, -1]), w: weights });
      assertAllClose([...out.dBias.data] as number[], [6 / 3, 15 / 3]);
      const meanX = [0, 1].map((k) => xs.filter((_, i) => i % 2 === k).reduce((a, b) => a + b, 0) / (batch * seq));
      const expectedW = [0, 1].flatMap((k) => [0, 1, 2].map(() => (meanX[k] + [0.5, -1][k]) / 3));
      assertAllClose([...out.dW.data] as number[], expectedW);
    }
  });

  test('a tied head and embedding backward: one product per weight gradient, no batch reduction, transpose or zero fill', () => {
    const g = new Graph();
    const ids = g.input('ids', 'int64', ['batch', 'seq']);
    const labels = g.input('labels', 'int64', ['batch', 'seq', 1]);
    const wte = g.input('wte', 'float32', [11, 4]);
    const w = g.input('w', 'float32', [4, 4]);
    const h = matmul(gather(wte, ids), w);
    const loss = reduceSum(gatherElements(logSoftmax(matmul(h, transpose(wte))), labels, -1));
    const [dWte, dW] = gradients(loss, [wte, w]);
    g.output('dWte', dWte);
    g.output('dW', dW);
    const ops = toModelProto(g).graph!.node!.map((n) => n.opType!);
    const count = (op: string) => ops.filter((o) => o === op).length;
    assert.equal(count('Squeeze'), 0, ops.join(' '));
    assert.equal(count('ConstantOfShape'), 0, 'the scatters go onto the head gradient and onto −softmax·Σg, not into zeros');
    assert.equal(count('Sub'), 0);
    assert.equal(count('Add'), 0, 'the lookup gradient is scattered onto the head gradient');
    assert.equal(count('MatMul'), 6, 'two in the forward; ∂wte (head), ∂h, ∂w and ∂(wte rows) in the backward');
  });
});


function assertAllClose(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 1e-12, `[${i}]: ${a} vs ${expected[i]}`));
}
