import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph, and, cumSum, dimSize, equal, lessOrEqual, not, range, reduceMax, unsqueeze } from '../../../src/qrpo/graph';
import { GraphSession } from '../../../src/qrpo/runtime/session';

// Forward-only index ops: no gradient rule to check, so their values are checked against hand-computed ones.
test('cumSum, range, dimSize, reduceMax and comparisons compute a causal-and-padding mask', async () => {
  const g = new Graph();
  const mask = g.input('mask', 'int64', ['batch', 'seq']);
  const length = dimSize(mask, 1);
  const positions = range(g.constant([0], [], 'int64'), length, g.constant([1], [], 'int64'), 'seq');
  const causal = lessOrEqual(unsqueeze(positions, [0]), unsqueeze(positions, [1]));
  g.output('cumsum', cumSum(mask, 1));
  g.output('allowed', and(causal, unsqueeze(equal(mask, 1), [1])));
  g.output('padded', not(equal(mask, 1)));
  g.output('last', reduceMax(mask, [1]));
  const s = await GraphSession.create(g);
  const out = await s.run({ mask: { data: BigInt64Array.from([0n, 1n, 1n, 1n, 1n, 0n]), dims: [2, 3] } });
  assert.deepEqual(Array.from(out.cumsum.data as BigInt64Array, Number), [0, 1, 2, 1, 2, 2]);
  assert.deepEqual(Array.from(out.padded.data as Uint8Array), [1, 0, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(out.last.data as BigInt64Array, Number), [1, 1]);
  // Row b, query i, key j: j ≤ i and mask[b, j] = 1.
  assert.deepEqual(Array.from(out.allowed.data as Uint8Array), [0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0]);
  await s.release();
});
