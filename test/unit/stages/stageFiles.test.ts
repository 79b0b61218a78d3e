// The pieces stages resume from: an append-only journal that cuts a torn last line and can be cut back to whole
// entries, and off-policy pair selection (ties, empty samples, determinism).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { SeededRandom } from '../../../src/qrpo/sample';
import { JsonlJournal, offPolicyPair, readJsonLines, type ScoredReferenceSample } from '../../../src/qrpo/run/stages';

const dir = temporaryFolder('qrpo-journal-');

describe('JSONL journal', () => {
  test('a torn last line is cut on opening; entries survive; appends continue after them', async () => {
    const file = join(dir, 'journal.jsonl');
    const journal = await JsonlJournal.open<{ i: number }>(file);
    await journal.append([{ i: 0 }, { i: 1 }]);
    await journal.close();
    appendFileSync(file, '{"i": 2');
    const seen: number[] = [];
    const reopened = await JsonlJournal.open<{ i: number }>(file, (entry, index) => seen.push(entry.i * 10 + index));
    assert.deepEqual(seen, [0, 11]);
    assert.equal(reopened.repairedBytes, 7);
    await reopened.append([{ i: 2 }]);
    await reopened.truncate(1);
    await reopened.append([{ i: 3 }]);
    await reopened.close();
    assert.equal(readFileSync(file, 'utf8'), '{"i":0}\n{"i":3}\n');
    const read = [];
    for await (const entry of readJsonLines<{ i: number }>(file)) read.push(entry.i);
    assert.deepEqual(read, [0, 3]);
  });

  test('a complete line that is not JSON is an error naming the file and line, not silently dropped', async () => {
    const file = join(dir, 'broken.jsonl');
    appendFileSync(file, '{"i":0}\nnot json\n');
    await assert.rejects(JsonlJournal.open(file), /broken\.jsonl line 2 is not valid JSON/);
  });
});

describe('off-policy pairs', () => {
  const sample = (sample_index: number, reward: number, completion = `text ${sample_index}`): ScoredReferenceSample => ({
    prompt_key: 'k', prompt: 'p', completion, logp: -1, num_tokens: 3, finish_reason: 'eos', sample_index, seed: 1, reward,
  });

  test('best/worst takes the highest and lowest reward, the first sample on ties, never an empty one', () => {
    const pair = offPolicyPair([sample(0, 0.5), sample(1, 0.9), sample(2, 0.9), sample(3, -3, ''), sample(4, 0.1)], 'off-policy-best-worst', new SeededRandom(1));
    assert.deepEqual([pair?.chosen.sample_index, pair?.rejected.sample_index], [1, 4]);
    const flat = offPolicyPair([sample(0, 1), sample(1, 1)], 'off-policy-best-worst', new SeededRandom(1));
    assert.deepEqual([flat?.chosen.sample_index, flat?.rejected.sample_index], [0, 1], 'equal rewards still give two distinct samples');
    assert.equal(offPolicyPair([sample(0, 1), sample(1, 2, '')], 'off-policy-best-worst', new SeededRandom(1)), undefined);
  });

  test('random pairs are distinct, ordered by reward and fixed by the seed', () => {
    const samples = [0.3, 0.1, 0.7, 0.5, 0.2].map((r, i) => sample(i, r));
    const draws = Array.from({ length: 50 }, (_, s) => offPolicyPair(samples, 'off-policy-random-pairs', new SeededRandom(s))!);
    for (const pair of draws) {
      assert.notEqual(pair.chosen.sample_index, pair.rejected.sample_index);
      assert.ok(pair.chosen.reward >= pair.rejected.reward);
    }
    assert.ok(new Set(draws.map((p) => `${p.chosen.sample_index}-${p.rejected.sample_index}`)).size > 5, 'the draws vary with the seed');
    assert.deepEqual(offPolicyPair(samples, 'off-policy-random-pairs', new SeededRandom(9)), offPolicyPair(samples, 'off-policy-random-pairs', new SeededRandom(9)));
  });
});
