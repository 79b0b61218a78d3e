import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GradientAccumulator, clipCoefficient, clipGradNorm, globalGradNorm } from '../../../src/qrpo/train/gradients';

const grads = (entries: Record<string, number[]>) => new Map(Object.entries(entries).map(([n, v]) => [n, Float32Array.from(v)]));

describe('gradient clipping (torch.nn.utils.clip_grad_norm_)', () => {
  test('the norm is over all gradients together: ‖(3, 4), (12)‖ = 13', () => {
    assert.equal(globalGradNorm(grads({ a: [3, 4], b: [12] })), 13);
  });

  test('above max_norm every gradient is scaled by max_norm / (norm + 1e-6); the pre-clip norm is returned', () => {
    const g = grads({ a: [3, 4], b: [12] });
    const { gradNorm, clipCoef } = clipGradNorm(g, 6.5);
    assert.equal(gradNorm, 13);
    assert.equal(clipCoef, 6.5 / (13 + 1e-6));
    const scale = Math.fround(clipCoef);
    assert.deepEqual([...g.get('a')!, ...g.get('b')!], [3, 4, 12].map((x) => Math.fround(x * scale)));
    assert.ok(Math.abs(globalGradNorm(g) - 6.5) < 1e-5);
  });

  test('within max_norm the gradients are untouched (the coefficient clamps to 1)', () => {
    const g = grads({ a: [0.3, 0.4] });
    const f = Math.fround;
    assert.deepEqual(clipGradNorm(g, 1), { gradNorm: Math.hypot(f(0.3), f(0.4)), clipCoef: 1 });
    assert.deepEqual([...g.get('a')!], [Math.fround(0.3), Math.fround(0.4)]);
    assert.equal(clipCoefficient(0, 1), 1);
    assert.throws(() => clipCoefficient(1, 0), /max_grad_norm must be > 0 to clip, got 0/);
  });

  test('property: clipping keeps the direction and never leaves a norm above max_norm', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.double({ min: 1e-3, max: 10, noNaN: true }), (values, maxNorm) => {
        const g = grads({ a: values });
        const before = Float32Array.from(values);
        const { gradNorm, clipCoef } = clipGradNorm(g, maxNorm);
        assert.ok(globalGradNorm(g) <= maxNorm * (1 + 1e-6) + 1e-30);
        assert.ok(clipCoef <= 1 && clipCoef > 0);
        assert.equal(gradNorm, globalGradNorm(new Map([['a', before]])));
        before.forEach((x, i) => assert.ok(Math.sign(g.get('a')![i]) === Math.sign(x) || x === 0 || g.get('a')![i] === 0));
      }),
    );
  });
});

describe('gradient accumulation', () => {
  test('mean: micro-batch gradients summed, then scaled by 1/N', () => {
    const acc = new GradientAccumulator();
    acc.add(grads({ w: [1, 2], b: [4] }));
    acc.add(grads({ w: [3, 6], b: [0] }));
    assert.equal(acc.count, 2);
    const mean = acc.finish('mean');
    assert.deepEqual([...mean.get('w')!, ...mean.get('b')!], [2, 4, 2]);
    assert.equal(acc.count, 0);
  });

  test('sum: the source scaled each micro-batch already', () => {
    const acc = new GradientAccumulator();
    acc.add(grads({ w: [1, 2] }));
    acc.add(grads({ w: [3, 6] }));
    assert.deepEqual([...acc.finish('sum').get('w')!], [4, 8]);
  });

  test('one micro-batch passes its gradients through without a copy', () => {
    const g = grads({ w: [1, 2] });
    const acc = new GradientAccumulator();
    acc.add(g);
    assert.equal(acc.finish('mean').get('w'), g.get('w'));
  });

  test('after the first step a source writing into target() allocates nothing, and the sums stay right', () => {
    const acc = new GradientAccumulator();
    assert.equal(acc.target(), undefined, 'nothing to write into before the first gradients');
    acc.add(grads({ w: [1, 2] }));
    const first = acc.finish('mean');
    // A step of two micro-batches, each written into the arrays the accumulator names.
    const sums = acc.target()!;
    assert.equal(sums.get('w'), first.get('w'), "a step's first micro-batch goes straight into the sums");
    sums.get('w')!.set([2, 4]);
    acc.add(sums);
    const scratch = acc.target()!;
    assert.notEqual(scratch.get('w'), sums.get('w'));
    scratch.get('w')!.set([4, 8]);
    acc.add(scratch);
    assert.equal(acc.target()!.get('w'), scratch.get('w'), 'one scratch set serves every later micro-batch');
    const mean = acc.finish('mean');
    assert.equal(mean.get('w'), first.get('w'));
    assert.deepEqual([...mean.get('w')!], [3, 6]);
  });

  test('arrays of its own from the source are adopted again, and scratch follows their lengths', () => {
    const acc = new GradientAccumulator();
    acc.add(grads({ w: [1, 2] }));
    acc.finish();
    const fresh = grads({ w: [5, 6, 7] });
    acc.add(fresh);
    assert.equal(acc.target()!.get('w')!.length, 3);
    acc.add(grads({ w: [1, 1, 1] }));
    assert.deepEqual([...acc.finish('sum').get('w')!], [6, 7, 8]);
    assert.equal(acc.target()!.get('w'), fresh.get('w'));
  });

  test('micro-batches that disagree on names or lengths are named', () => {
    const acc = new GradientAccumulator();
    acc.add(grads({ w: [1, 2] }));
    assert.throws(() => acc.add(grads({ v: [1, 2] })), /micro-batch 2 has a gradient for "v", which the first did not/);
    assert.throws(() => acc.add(grads({ w: [1] })), /gradient of "w" changed length from 2 to 1 between micro-batches/);
    assert.throws(() => new GradientAccumulator().finish(), /no micro-batch gradients were accumulated/);
  });
});
