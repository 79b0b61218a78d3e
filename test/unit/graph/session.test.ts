import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph, encodeModel, exp, gradients, matmul, mul, reduceSum } from '../../../src/qrpo/graph';
import { ExecutionProviderError, GraphSession } from '../../../src/qrpo/runtime/session';

function expGraph(): Graph {
  const g = new Graph();
  const x = g.input('x', 'float32', ['n']);
  const unused = g.input('scale', 'float32', [1]);
  g.output('y', exp(x));
  g.output('scaled', mul(x, unused));
  return g;
}

describe('GraphSession', () => {
  test('runs a graph on the CPU with symbolic dims given at run time', async () => {
    const session = await GraphSession.create(expGraph(), { outputs: ['y'], threads: 1 });
    const out = await session.run({ x: { data: Float32Array.from([0, 1]), dims: [2] }, scale: Float32Array.from([3]) });
    assert.deepEqual(out.y.dims, [2]);
    assert.ok(Math.abs(out.y.data[1] as number - Math.E) < 1e-6);
    await session.release();
  });

  test('outputs named in `into` are written into those arrays and returned as them, run after run', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3, 2]);
    const w = g.input('w', 'float32', [2, 2]);
    const loss = reduceSum(mul(matmul(x, w), matmul(x, w)));
    g.output('loss', loss);
    g.output('grad.w', gradients(loss, [w])[0]);
    const session = await GraphSession.create(g, { memoryArena: false, memoryPattern: false });
    const xs = Float32Array.from({ length: 12 }, (_, i) => i / 10 - 0.5);
    const gradW = new Float32Array(4);
    for (const scale of [1, 2]) {
      const ws = Float32Array.from([1, -1, 0.5, 2].map((v) => v * scale));
      const out = await session.run({ x: xs, w: ws }, { 'grad.w': gradW });
      assert.equal(out['grad.w'].data, gradW);
      assert.deepEqual(out['grad.w'].dims, [2, 2]);
      const fresh = await session.run({ x: xs, w: ws });
      assert.deepEqual([...gradW], [...(fresh['grad.w'].data as Float32Array)]);
      assert.equal(out.loss.data[0], fresh.loss.data[0]);
    }
    await assert.rejects(session.run({ x: xs, w: xs.subarray(0, 4) }, { typo: gradW }), /'typo' is not an output of this session\. Outputs are loss, grad\.w/);
  });

  test('large constants reach onnxruntime as external data, small ones inline, with the same results', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [1, 300]);
    const big = Float32Array.from({ length: 300 * 2 }, (_, i) => Math.sin(i));
    g.output('y', matmul(x, g.constant(big, [300, 2])));
    g.output('z', mul(x, g.constant(Float32Array.from([3]), [1])));
    assert.ok(encodeModel(g).byteLength > big.byteLength, 'encodeModel keeps the weights inline');
    const session = await GraphSession.create(g);
    const xs = Float32Array.from({ length: 300 }, (_, i) => i % 7);
    const out = await session.run({ x: xs });
    const expected = [0, 1].map((j) => xs.reduce((sum, v, i) => sum + v * big[i * 2 + j], 0));
    expected.forEach((e, j) => assert.ok(Math.abs((out.y.data[j] as number) - e) < 1e-3 * Math.abs(e) + 1e-4));
    assert.equal(out.z.data[1], 3);
  });

  const cudaUsable = ort.listSupportedBackends().some((b) => b.name === 'cuda' && b.bundled);
  test('an unavailable execution provider is named, with the ones that are available', { skip: cudaUsable && 'CUDA is bundled here' }, async () => {
    await assert.rejects(GraphSession.create(expGraph(), { executionProvider: 'cuda' }), (e: unknown) => {
      assert.ok(e instanceof ExecutionProviderError);
      assert.match(e.message, /^onnxruntime-node cannot use the cuda execution provider here: .+\. Available: cpu(, \w+)*\./);
      return true;
    });
  });

  test('an unknown input name lists the graph inputs', async () => {
    const session = await GraphSession.create(expGraph());
    await assert.rejects(session.run({ x: { data: new Float32Array(1), dims: [1] }, scale: new Float32Array(1), typo: new Float32Array(1) }), /graph has no input named 'typo'\. Inputs are x, scale/);
  });

  test('a symbolic input fed without dims asks for them', async () => {
    const session = await GraphSession.create(expGraph());
    await assert.rejects(session.run({ x: new Float32Array(2), scale: new Float32Array(1) }), /input 'x' has symbolic dims \[n\]; pass \{ data, dims \}/);
  });
});
