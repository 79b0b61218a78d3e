import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { Graph, add, encodeModel, gradients, layerNorm, mul, reduceSum, toModelProto } from '../../../src/qrpo/graph';
import { encodeModelWithExternalData } from '../../../src/qrpo/graph/onnxEmit';
import { GraphSession } from '../../../src/qrpo/runtime/session';

function trainingGraph(): Graph {
  const g = new Graph();
  const x = g.input('x', 'float32', ['batch', 'seq', 4]);
  const scale = g.input('scale', 'float32', [4]);
  const loss = reduceSum(mul(layerNorm(x, scale), 0.5));
  const [dScale] = gradients(loss, [scale]);
  g.output('loss', loss);
  g.output('dScale', dScale);
  return g;
}

describe('ONNX emission', () => {
  test('writes IR version 8, opset 18 and symbolic dims as dim_param', () => {
    const model = onnx.ModelProto.decode(encodeModel(trainingGraph()));
    assert.equal(Number(model.irVersion), 8);
    assert.deepEqual(model.opsetImport.map((o) => [o.domain, Number(o.version)]), [['', 18]]);
    const x = model.graph!.input!.find((i) => i.name === 'x')!;
    const dims = x.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    assert.deepEqual(dims, ['batch', 'seq', 4]);
  });

  test('a forward-only model leaves out the backward nodes (scoring graphs skip the backward)', () => {
    const g = trainingGraph();
    const forward = toModelProto(g, { outputs: ['loss'] }).graph!.node!.map((n) => n.opType);
    assert.deepEqual(forward, ['LayerNormalization', 'Mul', 'ReduceSum']);
    assert.ok(toModelProto(g).graph!.node!.length > forward.length + 3);
  });

  test("LayerNormalization's statistics are unnamed where nothing uses them", () => {
    const ln = toModelProto(trainingGraph(), { outputs: ['loss'] }).graph!.node![0];
    assert.deepEqual(ln.output!.slice(1), ['', '']);
  });

  test('identical small constants become one initializer', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    g.output('y', add(mul(x, 0.5), mul(x, 0.5)));
    const initializers = toModelProto(g).graph!.initializer;
    assert.equal(initializers!.length, 1);
  });

  test('an input returned as an output goes through Identity', async () => {
    const g = new Graph();
    const x = g.input('x', 'float64', [2]);
    g.output('same', x);
    g.output('doubled', add(x, x));
    const out = await (await GraphSession.create(g)).run({ x: Float64Array.from([1, 2]) });
    assert.deepEqual([...out.same.data], [1, 2]);
    assert.deepEqual([...out.doubled.data], [2, 4]);
  });

  test('external data: large constants point at views of their own arrays, small ones stay inline', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [256]);
    const weight = new Float32Array(256).fill(0.25);
    g.output('y', add(mul(x, g.constant(weight, [256])), 1));
    const { model, externalData } = encodeModelWithExternalData(g);
    assert.equal(externalData.length, 1);
    assert.equal(externalData[0].data.buffer, weight.buffer, 'a view, not a copy');
    assert.ok(model.byteLength < weight.byteLength);
    const initializers = onnx.ModelProto.decode(model).graph!.initializer!;
    const external = initializers.find((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)!;
    assert.deepEqual(
      external.externalData!.map((e) => [e.key, e.value]),
      [['location', externalData[0].path], ['offset', '0'], ['length', String(weight.byteLength)]],
    );
    assert.equal(initializers.length, 2, 'the scalar 1 stays inline');
  });
});
