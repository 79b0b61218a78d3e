// The demo's task: the reward module scores what the README says it scores, prompts split without overlap, and the
// corpus is seeded and spans answers of every quality.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { corpusAnswer, demoCorpus, demoPrompts, loadDemoRewardModule, splitPrompts } from '../../../src/qrpo/demo/demoTask';
import { findDemoSamples } from '../../../src/qrpo/demo/runDemo';
import { Random } from '../../../src/qrpo/train/random';

const rewardModule = loadDemoRewardModule(join(findDemoSamples(__dirname), 'reward.js'));
const { reward, categories } = rewardModule;

describe('demo reward (samples/demo/reward.js)', () => {
  test('counts distinct items of the asked category, a full stop, and 0.02 per character', () => {
    const completion = ' apple, pear, plum, peach.';
    assert.ok(Math.abs(reward('list 4 fruits:', completion) - (4 + 0.5 + 0.02 * completion.length)) < 1e-12);
  });

  test('items beyond the number asked earn less; repeats, other categories and made-up words cost', () => {
    const base = (text: string) => reward('list 2 fruits:', text) - 0.02 * text.length;
    assert.ok(Math.abs(base(' apple, pear, plum') - 2.3) < 1e-12);
    assert.ok(Math.abs(base(' apple, apple') - 0) < 1e-12);
    assert.ok(Math.abs(base(' apple, tiger') - 0.5) < 1e-12);
    assert.ok(Math.abs(base(' apple, zobli') - 0) < 1e-12);
  });

  test('is partly correlated with length: a longer list of distinct items scores more', () => {
    assert.ok(reward('list 3 birds:', ' owl, crow, swan, duck, wren.') > reward('list 3 birds:', ' owl, crow, swan.'));
  });
});

describe('demo task', () => {
  test('prompts cover template × count × category, and the held-out ones are never trained on', () => {
    const prompts = demoPrompts(categories);
    assert.equal(prompts.length, 4 * 5 * Object.keys(categories).length);
    const { train, heldOut } = splitPrompts(prompts, 40, 1);
    assert.equal(heldOut.length, 40);
    assert.equal(train.length + heldOut.length, prompts.length);
    const trained = new Set(train.map((p) => p.prompt));
    assert.ok(heldOut.every((p) => !trained.has(p.prompt)));
    assert.deepEqual(splitPrompts(prompts, 40, 1), { train, heldOut });
  });

  test('the corpus is seeded, and its answers range from good to bad', () => {
    const prompts = demoPrompts(categories).slice(0, 20);
    assert.deepEqual(demoCorpus(prompts, categories, 5, 3), demoCorpus(prompts, categories, 5, 3));
    const random = Random.fromSeed(7);
    const rewards = Array.from({ length: 400 }, (_, i) => reward(prompts[i % 20].prompt, corpusAnswer(prompts[i % 20], categories, random)));
    assert.ok(Math.min(...rewards) < 0 && Math.max(...rewards) > 5, `rewards from ${Math.min(...rewards)} to ${Math.max(...rewards)}`);
  });
});
