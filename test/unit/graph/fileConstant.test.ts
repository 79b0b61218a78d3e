// File-backed constants: a graph constant that names a byte range of a file instead of holding values. Emitted as
// external data pointing into that file, read by onnxruntime itself; the session finds the file by its real path.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { Graph, GraphError, add, encodeModel, matmul } from '../../../src/qrpo/graph';
import { encodeModelWithExternalData } from '../../../src/qrpo/graph/onnxEmit';
import { ModelFormatError } from '../../../src/qrpo/errors';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

const root = temporaryFolder('qrpo-file-constant-');
const weights = Float32Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i * 0.37));
const bias = Float32Array.from({ length: 64 }, (_, i) => i / 8 - 4);

/** Writes `prefix` filler bytes, then the weights, then the bias; returns the regions of both. */
function writeDataFile(path: string, prefix: number) {
  const bytes = Buffer.alloc(prefix + weights.byteLength + bias.byteLength, 0x5a);
  Buffer.from(weights.buffer).copy(bytes, prefix);
  Buffer.from(bias.buffer).copy(bytes, prefix + weights.byteLength);
  writeFileSync(path, bytes);
  return {
    weights: { path, offset: prefix, length: weights.byteLength },
    bias: { path, offset: prefix + weights.byteLength, length: bias.byteLength },
  };
}

/** y = x·W + b with W and b from the file, or (fileBacked false) from the arrays. */
function affine(regions: ReturnType<typeof writeDataFile>, fileBacked: boolean): Graph {
  const g = new Graph();
  const x = g.input('x', 'float32', [3, 64]);
  const w = fileBacked ? g.fileConstant('float32', [64, 64], regions.weights) : g.constant(weights, [64, 64]);
  const b = fileBacked ? g.fileConstant('float32', [64], regions.bias) : g.constant(bias, [64]);
  g.output('y', add(matmul(x, w), b));
  return g;
}

const x = Float32Array.from({ length: 3 * 64 }, (_, i) => Math.cos(i));

async function run(graph: Graph): Promise<Float32Array> {
  const session = await GraphSession.create(graph);
  try {
    return (await session.run({ x })).y.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('file-backed constants', () => {
  test('compute bitwise what the same values in memory give, at an offset that is not a multiple of 4', async () => {
    const folder = join(root, 'plain');
    mkdirSync(folder);
    const regions = writeDataFile(join(folder, 'weights.bin'), 13);
    assert.deepEqual(await run(affine(regions, true)), await run(affine(regions, false)));
  });

  test('are external data at their offset in their file; the other constants then travel inline', () => {
    const regions = writeDataFile(join(root, 'emitted.bin'), 24);
    const g = affine(regions, true);
    const extra = g.constant(new Float32Array(1024).fill(2), [1024]);
    g.output('extra', extra);
    const { model, externalData } = encodeModelWithExternalData(g, { fileLocation: (path) => `at/${path.length}` });
    // onnxruntime reads external data from files or from an in-memory table, never both.
    assert.equal(externalData.length, 0);
    const initializers = onnx.ModelProto.decode(model).graph!.initializer!;
    const external = initializers.filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
    const entries = external.map((t) => Object.fromEntries(t.externalData!.map((e) => [e.key, e.value])));
    const location = `at/${regions.weights.path.length}`;
    assert.deepEqual(entries, [
      { location, offset: '24', length: String(weights.byteLength) },
      { location, offset: String(24 + weights.byteLength), length: String(bias.byteLength) },
    ]);
    assert.equal(initializers.find((t) => t.dims!.map(Number).join() === '1024')!.rawData!.byteLength, 4096);
  });

  test('need a file location to be emitted, and a byte length that matches their shape', () => {
    const regions = writeDataFile(join(root, 'checked.bin'), 0);
    assert.throws(() => encodeModel(affine(regions, true)), (e: unknown) => e instanceof GraphError && /checked\.bin: emitting a graph with file-backed constants needs a fileLocation/.test(e.message));
    assert.throws(() => new Graph().fileConstant('float32', [64, 63], regions.weights), /float32\[64, 63\] constant needs 16128 bytes, but was given 16384 at offset 0 of .*checked\.bin/);
  });

  test('are found through a link into another folder (a Hugging Face cache) and across folders', async () => {
    const cache = join(root, 'hub');
    mkdirSync(join(cache, 'blobs'), { recursive: true });
    mkdirSync(join(cache, 'snapshots', 'main'), { recursive: true });
    const blob = writeDataFile(join(cache, 'blobs', 'f00d'), 8);
    const linked = join(cache, 'snapshots', 'main', 'model.safetensors');
    symlinkSync(join('..', '..', 'blobs', 'f00d'), linked);
    const regions = { weights: { ...blob.weights, path: linked }, bias: { ...blob.bias, path: linked } };
    const expected = await run(affine(regions, false));
    assert.deepEqual(await run(affine(regions, true)), expected);
    // Weights and bias in two sibling folders: onnxruntime is pointed at the folder that holds both.
    const other = join(root, 'other');
    mkdirSync(other);
    const second = writeDataFile(join(other, 'bias.bin'), 4);
    assert.deepEqual(await run(affine({ weights: regions.weights, bias: second.bias }, true)), expected);
  });

  test('a file cut short after the graph was built fails naming the file', async () => {
    const folder = join(root, 'cut');
    mkdirSync(folder);
    const path = join(folder, 'weights.bin');
    const regions = writeDataFile(path, 16);
    const graph = affine(regions, true);
    writeFileSync(path, Buffer.alloc(100));
    await assert.rejects(GraphSession.create(graph), (e: unknown) => e instanceof ModelFormatError && e.message.includes(`${path} holds 100 bytes but its tensors end at byte ${16 + weights.byteLength + bias.byteLength}`));
  });
});
