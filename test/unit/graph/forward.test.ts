// Forward values against plain JavaScript: gradient checks prove VJPs consistent with the forward, these prove the
// forward means what a model author expects (axes, attributes, broadcasting).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, gatherElements, layerNorm, logSoftmax, rmsNorm, squeeze } from '../../../src/qrpo/graph';
import { GraphSession } from '../../../src/qrpo/runtime/session';

async function evaluate(g: Graph, feeds: Record<string, Float64Array | BigInt64Array>): Promise<number[]> {
  const out = await (await GraphSession.create(g)).run(feeds);
  return Array.from(out.y.data as Float64Array);
}

function assertAllClose(actual: number[], expected: number[], tolerance: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tolerance, `[${i}]: ${a} vs ${expected[i]}`));
}

describe('forward values match plain JavaScript', () => {
  test('label log-probs: z[y] − logsumexp(z) per row', async () => {
    const g = new Graph();
    const z = g.input('z', 'float64', [2, 3]);
    const labels = g.input('labels', 'int64', [2, 1]);
    g.output('y', squeeze(gatherElements(logSoftmax(z), labels, -1), [-1]));
    const zs = [1, 2, 3, -1, 0, 4];
    const expected = [0, 1].map((r) => {
      const row = zs.slice(3 * r, 3 * r + 3);
      return row[[2, 0][r]] - Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    });
    assertAllClose(await evaluate(g, { z: Float64Array.from(zs), labels: BigInt64Array.from([2n, 0n]) }), expected, 1e-12);
  });

  test('LayerNormalization normalises the last axis, then scales and shifts', async () => {
    const g = new Graph();
    const x = g.input('x', 'float64', [2, 4]);
    g.output('y', layerNorm(x, g.constant([1, 2, 3, 4], [4], 'float64'), g.constant([0, 1, 0, -1], [4], 'float64')));
    const xs = [1, 2, 3, 5, -2, 0, 2, 8];
    const expected = [0, 1].flatMap((r) => {
      const row = xs.slice(4 * r, 4 * r + 4);
      const mean = row.reduce((a, b) => a + b) / 4;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
      return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * [1, 2, 3, 4][i] + [0, 1, 0, -1][i]);
    });
    assertAllClose(await evaluate(g, { x: Float64Array.from(xs) }), expected, 1e-6);
  });

  test('RMSNorm divides by the root mean square of the last axis (HF Llama)', async () => {
    const g = new Graph();
    const x = g.input('x', 'float64', [1, 3]);
    g.output('y', rmsNorm(x, g.constant([1, 0.5, 2], [3], 'float64'), 1e-6));
    const rms = Math.sqrt((1 + 4 + 9) / 3 + 1e-6);
    assertAllClose(await evaluate(g, { x: Float64Array.from([1, -2, 3]) }), [1 / rms, (-2 * 0.5) / rms, (3 * 2) / rms], 1e-12);
  });
});
