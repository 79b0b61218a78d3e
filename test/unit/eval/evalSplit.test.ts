// The selection/reporting split and the held-out prompt choice: functions of the prompt key alone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promptKey } from '../../../src/qrpo/data';
import { ConfigError } from '../../../src/qrpo/errors';
import { evalSplitOf, heldOutPromptKeys, splitPosition } from '../../../src/qrpo/eval';

const keys = Array.from({ length: 2000 }, (_, i) => promptKey(`prompt number ${i}`));

describe('evaluation split', () => {
  test('a prompt\'s side depends on its key only: the same in any order, in any subset, in every call', () => {
    const forward = keys.map((key) => evalSplitOf(key, 0.5));
    const backward = [...keys].reverse().map((key) => evalSplitOf(key, 0.5)).reverse();
    assert.deepEqual(backward, forward);
    assert.deepEqual(keys.slice(100, 200).map((key) => evalSplitOf(key, 0.5)), forward.slice(100, 200));
    // Pinned: the hash must not change between versions, or the prompts of old evaluations would change sides.
    assert.equal(splitPosition('fixed key'), 0.7057772346663782);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => evalSplitOf(k, 0.5)), ['reporting', 'selection', 'reporting', 'reporting']);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => evalSplitOf(k, 0.65)), ['selection', 'selection', 'reporting', 'reporting']);
  });

  test('the selection share is honoured: about half at 0.5, about 30% at 0.3, none at 0, nested as the share grows', () => {
    const share = (ratio: number) => keys.filter((key) => evalSplitOf(key, ratio) === 'selection').length / keys.length;
    assert.ok(Math.abs(share(0.5) - 0.5) < 0.04, `${share(0.5)}`);
    assert.ok(Math.abs(share(0.3) - 0.3) < 0.04, `${share(0.3)}`);
    assert.equal(share(0), 0);
    assert.ok(keys.every((key) => evalSplitOf(key, 0.3) === 'reporting' || evalSplitOf(key, 0.5) === 'selection'));
  });

  test('a share outside [0, 1) is a ConfigError naming the field', () => {
    for (const bad of [1, -0.1, Number.NaN]) assert.throws(() => evalSplitOf('k', bad), (e: unknown) => e instanceof ConfigError && /eval\.selection_split/.test((e as Error).message));
  });

  test('held-out prompts: count distinct keys, independent of order and duplicates', () => {
    const held = heldOutPromptKeys(keys.slice(0, 300), 20);
    assert.equal(held.size, 20);
    assert.deepEqual([...heldOutPromptKeys([...keys.slice(0, 300)].reverse().concat(keys.slice(0, 50)), 20)].sort(), [...held].sort());
    assert.equal(heldOutPromptKeys(keys.slice(0, 5), 20).size, 5);
  });
});
