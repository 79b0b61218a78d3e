import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSchedule, warmupStepsFor } from '../../../src/qrpo/train/schedule';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} vs ${expected}`);

describe('learning-rate schedules (transformers.optimization)', () => {
  test('linear with 2 warm-up steps of 10: 0, ½, then down from 1 to 0', () => {
    const s = createSchedule({ name: 'linear', totalSteps: 10, warmupSteps: 2 });
    // lr_lambda: step < warmup ? step / warmup : (total − step) / (total − warmup)
    const expected = [0, 0.5, 1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8, 0];
    expected.forEach((value, step) => close(s.factor(step), value));
    close(s.factor(12), 0);
  });

  test('cosine with 2 warm-up steps of 10: half a cosine wave from 1 to 0 after the warm-up', () => {
    const s = createSchedule({ name: 'cosine', totalSteps: 10, warmupSteps: 2 });
    close(s.factor(0), 0);
    close(s.factor(1), 0.5);
    close(s.factor(2), 1);
    close(s.factor(4), 0.5 * (1 + Math.SQRT1_2)); // progress ¼: ½(1 + cos(π/4)) = 0.853553…
    close(s.factor(4), 0.8535533905932737);
    close(s.factor(6), 0.5); // progress ½
    close(s.factor(8), 0.5 * (1 - Math.SQRT1_2)); // 0.146446…
    close(s.factor(10), 0);
  });

  test('cosine with the paper\'s 10% warm-up ratio of 25 steps warms up for ceil(2.5) = 3 steps', () => {
    const s = createSchedule({ name: 'cosine', totalSteps: 25, warmupRatio: 0.1 });
    assert.equal(s.warmupSteps, 3);
    close(s.factor(1), 1 / 3);
    close(s.factor(3), 1);
    close(s.factor(14), 0.5 * (1 + Math.cos(Math.PI * (11 / 22))));
  });

  test('warmup_steps > 0 wins over warmup_ratio, as TrainingArguments.get_warmup_steps', () => {
    assert.equal(warmupStepsFor(100, 5, 0.5), 5);
    assert.equal(warmupStepsFor(100, 0, 0.05), 5);
    assert.equal(warmupStepsFor(7, 0, 0.1), 1);
    assert.throws(() => warmupStepsFor(10, -1), /warmup_steps must be an integer ≥ 0, got -1/);
    assert.throws(() => warmupStepsFor(10, 0, 1.5), /warmup_ratio must be in \[0, 1\], got 1.5/);
  });

  test('constant ignores warm-up; constant_with_warmup ramps then holds', () => {
    const constant = createSchedule({ name: 'constant', totalSteps: 10, warmupSteps: 4 });
    assert.equal(constant.warmupSteps, 0);
    [0, 3, 9].forEach((step) => close(constant.factor(step), 1));
    const warm = createSchedule({ name: 'constant_with_warmup', totalSteps: 10, warmupSteps: 4 });
    [0, 0.25, 0.5, 0.75, 1, 1, 1].forEach((value, step) => close(warm.factor(step), value));
  });

  test('no warm-up: the first step runs at the full rate; one-step runs do not divide by zero', () => {
    close(createSchedule({ name: 'linear', totalSteps: 4 }).factor(0), 1);
    close(createSchedule({ name: 'cosine', totalSteps: 1 }).factor(0), 1);
    close(createSchedule({ name: 'linear', totalSteps: 1, warmupSteps: 1 }).factor(0), 0);
  });

  test('an unknown schedule name lists the known ones', () => {
    assert.throws(() => createSchedule({ name: 'cosine_with_restarts' as never, totalSteps: 3 }), /unknown lr_scheduler_type "cosine_with_restarts"\. Use one of linear, cosine, constant, constant_with_warmup/);
  });
});
