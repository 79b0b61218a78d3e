import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph, exp, mul } from '../../../src/qrpo/graph';
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
