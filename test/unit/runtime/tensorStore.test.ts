import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph, add, mul } from '../../../src/qrpo/graph';
import { ExecutionProvider } from '../../../src/qrpo/runtime/providers';
import { TensorStore } from '../../../src/qrpo/runtime/tensorStore';
import { webgpuAvailable } from './webgpu';

/** state ← state·2 + x: the smallest loop whose state has to go round. */
function doublingGraph(): Graph {
  const g = new Graph();
  const state = g.input('state', 'float32', [2, 3]);
  const x = g.input('x', 'float32', [2, 3]);
  const next = add(mul(state, 2), x);
  g.output('state.next', next);
  g.output('total', add(next, 0));
  return g;
}

/** Counts getData() calls on gpu-buffer tensors, which would abort the process in Node. */
function watchGpuDownloads(): { count: number; restore: () => void } {
  const original = ort.Tensor.prototype.getData;
  const watch = { count: 0, restore: () => void (ort.Tensor.prototype.getData = original) };
  ort.Tensor.prototype.getData = function (this: ort.Tensor, ...args: Parameters<typeof original>) {
    if (this.location === 'gpu-buffer') {
      watch.count++;
      throw new Error('getData() on a gpu-buffer tensor');
    }
    return original.apply(this, args);
  };
  return watch;
}

async function runDoubling(provider: ExecutionProvider) {
  const store = TensorStore.create({ executionProvider: provider });
  store.set('state', { data: Float32Array.from([1, 2, 3, 4, 5, 6]), dims: [2, 3] });
  const step = await store.session(doublingGraph(), { keep: { 'state.next': 'state' }, read: ['total'] });
  const ones = new Float32Array(6).fill(1);
  const totals: number[][] = [];
  for (let i = 0; i < 3; i++) totals.push([...(await step.run({ x: ones })).total.data as Float32Array]);
  return { store, totals };
}

describe('TensorStore', () => {
  test('on the CPU, kept outputs replace the inputs they update and read outputs come back', async () => {
    const { store, totals } = await runDoubling('cpu');
    assert.deepEqual(totals[2], [15, 23, 31, 39, 47, 55]);
    assert.deepEqual(store.describe('state'), { dtype: 'float32', dims: [2, 3], onDevice: false });
    assert.deepEqual([...(await store.read('state')).data], [15, 23, 31, 39, 47, 55]);
    assert.deepEqual(store.stats, { onDevice: 0, adopted: 0, disposed: 0 });
    await store.dispose();
  });

  test('on WebGPU the state stays on the device, is read back through Identity, and replaced tensors are disposed', async (t) => {
    if (!(await webgpuAvailable(t))) return;
    const downloads = watchGpuDownloads();
    try {
      const { store, totals } = await runDoubling('webgpu');
      assert.deepEqual(totals[2], [15, 23, 31, 39, 47, 55]);
      assert.equal(store.describe('state').onDevice, true);
      assert.deepEqual(await store.read('state'), { data: Float32Array.from([15, 23, 31, 39, 47, 55]), dims: [2, 3] });
      // Three runs kept three device tensors; the first two were disposed when the next replaced them.
      assert.deepEqual(store.stats, { onDevice: 1, adopted: 3, disposed: 2 });
      await store.dispose();
      assert.deepEqual(store.stats, { onDevice: 0, adopted: 3, disposed: 3 });
      assert.equal(downloads.count, 0);
    } finally {
      downloads.restore();
    }
  });

  test('a tensor replaced while a run that reads it is in flight is disposed only after that run', async (t) => {
    if (!(await webgpuAvailable(t))) return;
    const { store } = await runDoubling('webgpu');
    const step = await store.session(doublingGraph(), { keep: { 'state.next': 'state' }, read: ['total'] });
    const running = step.run({ x: new Float32Array(6) });
    store.set('state', { data: new Float32Array(6), dims: [2, 3] });
    assert.deepEqual([...(await running).total.data], [30, 46, 62, 78, 94, 110]);
    assert.deepEqual(store.stats, { onDevice: 1, adopted: 4, disposed: 3 });
    await store.dispose();
  });

  test('toDevice uploads CPU tensors of any dtype and shape; read copies them back', async (t) => {
    if (!(await webgpuAvailable(t))) return;
    const store = TensorStore.create({ executionProvider: 'webgpu' });
    store.set('scalar', { data: Float32Array.of(2.5), dims: [] });
    store.set('ids', { data: BigInt64Array.from([3n, -1n, 7n]), dims: [3] });
    store.set('matrix', { data: Float32Array.from([1, 2, 3, 4]), dims: [2, 2] });
    await store.toDevice();
    assert.ok(store.names().every((n) => store.describe(n).onDevice));
    assert.deepEqual(await store.read('scalar'), { data: Float32Array.of(2.5), dims: [] });
    assert.deepEqual(await store.read('ids'), { data: BigInt64Array.from([3n, -1n, 7n]), dims: [3] });
    assert.deepEqual(await store.read('matrix'), { data: Float32Array.from([1, 2, 3, 4]), dims: [2, 2] });
    store.set('matrix', { data: new Float32Array(4), dims: [2, 2] });
    assert.deepEqual(store.stats, { onDevice: 2, adopted: 3, disposed: 1 });
    await store.dispose();
    assert.equal(store.stats.disposed, 3);
  });

  test('an input neither fed nor stored is named with what the store holds', async () => {
    const store = TensorStore.create();
    store.set('x', { data: new Float32Array(6), dims: [2, 3] });
    const step = await store.session(doublingGraph(), { keep: { 'state.next': 'state' } });
    await assert.rejects(step.run(), /input 'state' is neither fed nor in the tensor store\. The store holds x/);
    await assert.rejects(store.read('nope'), /the tensor store holds no 'nope'\. It holds x/);
    await store.dispose();
  });

  test('two outputs kept under one name are refused', async () => {
    const store = TensorStore.create();
    await assert.rejects(store.session(doublingGraph(), { keep: { 'state.next': 'state', total: 'state' } }), /two outputs are kept as 'state'/);
  });
});
