import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adamwGraph, adamwNames, adamwScalars, AdamwParameter } from '../../../src/qrpo/runtime/adamwGraph';
import { GraphSession, TensorValue } from '../../../src/qrpo/runtime/session';
import { AdamW } from '../../../src/qrpo/train/adamw';

const params: AdamwParameter[] = [
  { name: 'w', shape: [2, 3] },
  { name: 'b', shape: [3], decay: false },
];
const hyper = { lr: 0.01, weightDecay: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

function wave(n: number, phase: number, scale: number): number[] {
  return Array.from({ length: n }, (_, i) => scale * Math.sin(1.7 * i + phase));
}

interface Slots {
  p: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

describe('the AdamW graph', () => {
  for (const kernel of ['wasm', 'js'] as const) {
    test(`three float32 steps on the CPU provider equal src/qrpo/train's AdamW (${kernel} kernel) bit for bit: decay, no decay, a clipped step`, async () => {
      const names = params.map((p) => p.name);
      const sizes = [6, 3];
      const values = new Map(names.map((name, k) => [name, Float32Array.from(wave(sizes[k], k, 1))]));
      const cpu = new AdamW(values, { lr: hyper.lr, weightDecay: hyper.weightDecay, noDecay: (n) => n === 'b', kernel });
      const session = await GraphSession.create(adamwGraph(params, hyper));
      const graphState = new Map<string, Slots>(names.map((name, k) => [name, { p: Float32Array.from(wave(sizes[k], k, 1)), m: new Float32Array(sizes[k]), v: new Float32Array(sizes[k]) }]));
      for (let step = 1; step <= 3; step++) {
        const grads = new Map(names.map((name, k) => [name, Float32Array.from(wave(sizes[k], step + 3 * k, 10 ** (step - 2)))]));
        const gradScale = step === 2 ? 0.37 : 1;
        cpu.step(grads, { gradScale });
        const feeds: Record<string, Float32Array | Float64Array> = { ...adamwScalars(step, { ...hyper, gradScale }) };
        for (const [name, s] of graphState) Object.assign(feeds, { [name]: s.p, [adamwNames.grad(name)]: grads.get(name)!, [adamwNames.expAvg(name)]: s.m, [adamwNames.expAvgSq(name)]: s.v });
        const out = await session.run(feeds);
        for (const name of names) {
          const next = (key: string): Float32Array => out[adamwNames.next(key)].data as Float32Array;
          graphState.set(name, { p: next(name), m: next(adamwNames.expAvg(name)), v: next(adamwNames.expAvgSq(name)) });
          assert.deepEqual(next(name), values.get(name), `${name} after step ${step}`);
          assert.deepEqual(next(adamwNames.expAvg(name)), cpu.state.get(name)!.expAvg);
          assert.deepEqual(next(adamwNames.expAvgSq(name)), cpu.state.get(name)!.expAvgSq);
        }
      }
      await session.release();
    });
  }

  test('in float64 it is the textbook update: p − lr·wd·p, then p − lr·m̂ / (√v̂ + eps)', async () => {
    const session = await GraphSession.create(adamwGraph([{ name: 'w', shape: [4] }], { ...hyper, dtype: 'float64' }));
    const [p, g, m, v] = [[0.5, -1, 2, 0], [0.1, 0.2, -0.3, 1e-4], [0.01, 0, -0.02, 0.3], [1e-4, 0, 2e-3, 0.5]].map((a) => Float64Array.from(a));
    const step = 4;
    const out = await session.run({ ...adamwScalars(step, { ...hyper, dtype: 'float64' }), w: p, 'w.grad': g, 'w.exp_avg': m, 'w.exp_avg_sq': v });
    const { lr, weightDecay: wd, beta1, beta2, eps } = hyper;
    for (let i = 0; i < 4; i++) {
      const mNext = beta1 * m[i] + (1 - beta1) * g[i];
      const vNext = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      const decayed = p[i] - lr * wd * p[i];
      const expected = decayed - (lr * (mNext / (1 - beta1 ** step))) / (Math.sqrt(vNext / (1 - beta2 ** step)) + eps);
      const value = (name: string) => (out[name] as TensorValue).data[i] as number;
      assert.ok(Math.abs(value('w.next') - expected) <= 1e-14, `w[${i}]: ${value('w.next')} vs ${expected}`);
      assert.ok(Math.abs(value('w.exp_avg.next') - mNext) <= 1e-16);
      assert.ok(Math.abs(value('w.exp_avg_sq.next') - vNext) <= 1e-16);
    }
    await session.release();
  });

  test('step counts start at 1 and betas stay below 1', () => {
    assert.throws(() => adamwScalars(0, hyper), /AdamW step must be an integer ≥ 1, got 0/);
    assert.throws(() => adamwGraph(params, { beta2: 1 }), /AdamW beta2 must be in \[0, 1\), got 1/);
  });
});
