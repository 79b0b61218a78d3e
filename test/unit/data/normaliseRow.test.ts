import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetError } from '../../../src/qrpo/errors';
import { normaliseRow } from '../../../src/qrpo/data';
import type { NormaliseOptions, RowLocation } from '../../../src/qrpo/data';
import { assistant, system, user } from '../../fixtures/data/datasetFixtures';

const at: RowLocation = { file: 'data/train.jsonl', line: 3, unit: 'line' };
const source = at;
const where = 'in data/train.jsonl line 3';

function rejects(row: unknown, message: string, options?: NormaliseOptions, location: RowLocation = at): void {
  assert.throws(
    () => normaliseRow(row, location, options),
    (error: unknown) => {
      assert.ok(error instanceof DatasetError, `expected a DatasetError, got ${String(error)}`);
      assert.equal(error.message, message);
      return true;
    },
  );
}

describe('normaliseRow: row shapes', () => {
  test('pointwise: strings with reward and ref_rewards give one record', () => {
    const records = normaliseRow({ prompt: 'Q', completion: 'A', reward: 0.5, ref_rewards: [0.1, 0.2] }, at);
    assert.deepEqual(records, [{ prompt: 'Q', completion: 'A', reward: 0.5, refRewards: [0.1, 0.2], source }]);
  });

  test('pointwise: refRewards is accepted for ref_rewards, reward is optional', () => {
    assert.deepEqual(normaliseRow({ prompt: 'Q', completion: 'A', refRewards: [1, 2] }, at), [
      { prompt: 'Q', completion: 'A', refRewards: [1, 2], source },
    ]);
  });

  test('pointwise: conversational prompt and completion stay message lists', () => {
    const prompt = [system('be brief'), user('hi')];
    const [record] = normaliseRow({ prompt, completion: [assistant('hello')], reward: 1 }, at);
    assert.deepEqual(record.prompt, prompt);
    assert.deepEqual(record.completion, [assistant('hello')]);
  });

  test('pointwise: other columns pass through as extra, null rewards count as absent', () => {
    const [record] = normaliseRow({ prompt: 'Q', completion: 'A', reward: null, id: 7, meta: { a: 1 } }, at);
    assert.deepEqual(record, { prompt: 'Q', completion: 'A', source, extra: { id: 7, meta: { a: 1 } } });
  });

  test('pointwise: numeric strings are numbers (CSV cells), bigints too (INT64 columns)', () => {
    const [record] = normaliseRow({ prompt: 'Q', completion: 'A', reward: ' 0.25 ', ref_rewards: ['1e-1', 2n] }, at);
    assert.equal(record.reward, 0.25);
    assert.deepEqual(record.refRewards, [0.1, 2]);
  });

  test('TRL pairs: plain strings give two records, chosen first, sharing the pairId', () => {
    const row = { prompt: 'Q', chosen: 'good', rejected: 'bad', ref_rewards: [0, 1], source_id: 'x' };
    assert.deepEqual(normaliseRow(row, at, { pairId: 4 }), [
      { prompt: 'Q', completion: 'good', refRewards: [0, 1], side: 'chosen', pairId: 4, source, extra: { source_id: 'x' } },
      { prompt: 'Q', completion: 'bad', refRewards: [0, 1], side: 'rejected', pairId: 4, source, extra: { source_id: 'x' } },
    ]);
  });

  test('TRL pairs: conversational prompt with assistant turns as completions', () => {
    const row = { prompt: [user('Q')], chosen: [assistant('good')], rejected: [assistant('bad')] };
    const [chosen, rejected] = normaliseRow(row, at);
    assert.deepEqual(chosen.prompt, [user('Q')]);
    assert.deepEqual(chosen.completion, [assistant('good')]);
    assert.deepEqual(rejected.completion, [assistant('bad')]);
  });

  test('TRL pairs: chosen_reward/rejected_reward and score_chosen/score_rejected', () => {
    const named = normaliseRow({ prompt: 'Q', chosen: 'a', rejected: 'b', chosen_reward: 2, rejected_reward: -1 }, at);
    assert.deepEqual(named.map((r) => r.reward), [2, -1]);
    const scored = normaliseRow({ prompt: 'Q', chosen: 'a', rejected: 'b', score_chosen: 8.5, score_rejected: 0 }, at);
    assert.deepEqual(scored.map((r) => r.reward), [8.5, 0]);
  });

  test("authors' format: prompt is the shared leading messages", () => {
    const row = {
      chosen: [user('Q'), assistant('good')],
      rejected: [user('Q'), assistant('bad')],
      chosen_rewards: 0.9,
      rejected_rewards: 0.1,
      ref_rewards: [0.2, 0.5, 0.7],
    };
    assert.deepEqual(normaliseRow(row, at, { pairId: 0 }), [
      { prompt: [user('Q')], completion: [assistant('good')], reward: 0.9, refRewards: [0.2, 0.5, 0.7], side: 'chosen', pairId: 0, source },
      { prompt: [user('Q')], completion: [assistant('bad')], reward: 0.1, refRewards: [0.2, 0.5, 0.7], side: 'rejected', pairId: 0, source },
    ]);
  });

  test("authors' format: multi-turn conversations keep earlier turns in the prompt", () => {
    const history = [system('s'), user('a'), assistant('b'), user('c')];
    const [chosen] = normaliseRow({ chosen: [...history, assistant('d')], rejected: [...history, assistant('e')] }, at);
    assert.deepEqual(chosen.prompt, history);
    assert.deepEqual(chosen.completion, [assistant('d')]);
  });

  test("authors' format: reward lists (one per reward model) give element 0", () => {
    const row = { chosen: [user('Q'), assistant('a')], rejected: [user('Q'), assistant('b')], chosen_rewards: [3, 9], rejected_rewards: [1] };
    assert.deepEqual(normaliseRow(row, at).map((r) => r.reward), [3, 1]);
  });

  test("authors' format: a prompt string is not used, prompt_id and other columns stay in extra", () => {
    const row = {
      prompt: 'Q as text',
      prompt_id: 'abc',
      chosen: [user('Q'), assistant('a')],
      rejected: [user('Q'), assistant('b')],
      score_chosen: 7,
      score_rejected: 3,
    };
    const [chosen, rejected] = normaliseRow(row, at);
    assert.deepEqual(chosen.prompt, [user('Q')]);
    assert.deepEqual(chosen.extra, { prompt_id: 'abc' });
    assert.deepEqual([chosen.reward, rejected.reward], [7, 3]);
  });

  test('numRef keeps the first numRef reference rewards, as the reference code does', () => {
    const [record] = normaliseRow({ prompt: 'Q', completion: 'A', ref_rewards: [1, 2, 3, 'NaN'] }, at, { numRef: 3 });
    assert.deepEqual(record.refRewards, [1, 2, 3]);
  });
});

describe('normaliseRow: bad rows name the file, the line and the field', () => {
  test('a row that is not an object', () => {
    rejects([1, 2], `row is not an object, got a list ${where}`);
    rejects('text', `row is not an object, got "text" ${where}`);
  });

  test('a row of none of the known shapes lists its fields', () => {
    rejects(
      { question: 'Q', answer: 'A' },
      `row has none of the known shapes (prompt+completion, prompt+chosen+rejected, chosen+rejected messages) ${where}: its fields are question, answer`,
    );
    rejects({}, `row has none of the known shapes (prompt+completion, prompt+chosen+rejected, chosen+rejected messages) ${where}: it has no fields`);
  });

  test('missing fields', () => {
    rejects({ completion: 'A' }, `prompt is missing ${where} (field "prompt")`);
    rejects({ prompt: 'Q', chosen: 'a', rejected: null }, `expected a string or a list of messages, got null ${where} (field "rejected")`);
    rejects({ prompt: 'Q', chosen: 'a' }, `rejected is missing ${where} (field "rejected")`);
    rejects({ chosen: 'a', rejected: 'b' }, `prompt is missing ${where} (field "prompt")`);
  });

  test('wrong-typed texts and messages', () => {
    rejects({ prompt: 'Q', completion: 5 }, `expected a string or a list of messages, got the number 5 ${where} (field "completion")`);
    rejects({ prompt: { text: 'Q' }, completion: 'A' }, `expected a string or a list of messages, got an object ${where} (field "prompt")`);
    rejects({ prompt: ['Q'], completion: 'A' }, `expected a message {role, content} at index 0, got "Q" ${where} (field "prompt")`);
    rejects(
      { chosen: [user('Q'), { role: 'assistant', content: null }], rejected: [user('Q'), assistant('b')] },
      `message 1 has no string "content" ${where} (field "chosen")`,
    );
    rejects({ prompt: [{ content: 'Q' }], completion: 'A' }, `message 0 has no string "role" ${where} (field "prompt")`);
  });

  test('wrong-typed and non-finite rewards', () => {
    rejects({ prompt: 'Q', completion: 'A', reward: 'high' }, `expected a number, got "high" ${where} (field "reward")`);
    rejects({ prompt: 'Q', completion: 'A', reward: true }, `expected a number, got true ${where} (field "reward")`);
    rejects({ prompt: 'Q', completion: 'A', reward: NaN }, `reward is NaN ${where} (field "reward")`);
    rejects({ prompt: 'Q', completion: 'A', reward: '-inf' }, `reward is -Infinity ${where} (field "reward")`);
    rejects(
      { chosen: [user('Q'), assistant('a')], rejected: [user('Q'), assistant('b')], chosen_rewards: ['NaN'] },
      `reward is NaN ${where} (field "chosen_rewards")`,
    );
    rejects(
      { chosen: [user('Q'), assistant('a')], rejected: [user('Q'), assistant('b')], rejected_rewards: [] },
      `expected a number or a list of numbers, got an empty list ${where} (field "rejected_rewards")`,
    );
  });

  test('empty completions', () => {
    rejects({ prompt: 'Q', completion: '' }, `completion is empty ${where} (field "completion")`);
    rejects({ prompt: 'Q', completion: [] }, `completion is empty ${where} (field "completion")`);
    rejects({ prompt: 'Q', completion: [user('more')] }, `completion has no assistant message ${where} (field "completion")`);
    rejects({ prompt: 'Q', chosen: 'a', rejected: '' }, `completion is empty ${where} (field "rejected")`);
    rejects({ prompt: [user('Q')], chosen: [assistant('')], rejected: [assistant('b')] }, `completion is empty ${where} (field "chosen")`);
  });

  test("authors' format: conversations must end with the assistant and share the prompt", () => {
    rejects(
      { chosen: [user('Q'), assistant('a')], rejected: [user('Q')] },
      `conversation does not end with an assistant message ${where} (field "rejected")`,
    );
    rejects(
      { chosen: [user('Q'), assistant('a')], rejected: [user('other Q'), assistant('b')] },
      `chosen and rejected do not share the prompt (they differ at message 0) ${where} (field "rejected")`,
    );
    rejects(
      { chosen: [user('Q'), assistant('a')], rejected: [assistant('b')] },
      `chosen and rejected do not share the prompt (chosen has 1 message before its answer, rejected has 0) ${where} (field "rejected")`,
    );
    rejects({ chosen: [user('Q'), assistant('a')], rejected: 'b' }, `expected a list of messages, got "b" ${where} (field "rejected")`);
  });

  test('ref_rewards: type, emptiness, numRef, non-numeric and non-finite entries by index', () => {
    const row = (refs: unknown) => ({ prompt: 'Q', completion: 'A', ref_rewards: refs });
    rejects(row(0.5), `expected a list of numbers, got the number 0.5 ${where} (field "ref_rewards")`);
    rejects(row([]), `ref_rewards is empty ${where} (field "ref_rewards")`);
    rejects(row([1, 2]), `ref_rewards has 2 entries, fewer than numRef = 3 ${where} (field "ref_rewards")`, { numRef: 3 });
    rejects(row([1, 'x', 3]), `ref_rewards[1] is not a number (got "x") ${where} (field "ref_rewards")`);
    rejects(row([1, 2, NaN]), `ref_rewards[2] is NaN ${where} (field "ref_rewards")`);
    rejects({ prompt: 'Q', completion: 'A', refRewards: [Infinity] }, `ref_rewards[0] is Infinity ${where} (field "refRewards")`);
  });

  test('ref_rewards: without numRef every list has the first list length', () => {
    const expectedRefLength = { length: 3, location: { file: 'data/train.jsonl', line: 1, unit: 'line' } as const };
    rejects(
      { prompt: 'Q', completion: 'A', ref_rewards: [1, 2] },
      `ref_rewards has 2 entries, expected 3 as in line 1 ${where} (field "ref_rewards"). Set numRef to use the first numRef entries of every list`,
      { expectedRefLength },
    );
  });

  test('rows of Parquet, Arrow and JSON are named as rows', () => {
    rejects(
      { prompt: 'Q', completion: 'A', reward: NaN },
      'reward is NaN in data/train.parquet row 3 (field "reward")',
      {},
      { file: 'data/train.parquet', line: 3, unit: 'row' },
    );
  });

  test('the error keeps file, line and field for renderers', () => {
    try {
      normaliseRow({ prompt: 'Q', completion: 'A', reward: 'NaN' }, at);
      assert.fail('expected a DatasetError');
    } catch (error) {
      assert.ok(error instanceof DatasetError);
      assert.deepEqual([error.file, error.line, error.field, error.detail], ['data/train.jsonl', 3, 'reward', 'reward is NaN']);
    }
  });
});
