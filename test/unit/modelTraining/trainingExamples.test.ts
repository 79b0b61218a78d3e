// Records → tokenized, truncated examples → padded micro-batches: TRL's truncation rules, pairs kept together with
// chosen rows first, the per-row loss inputs, and errors that name the record.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DatasetError } from '../../../src/qrpo/errors';
import { readDecoderConfig } from '../../../src/qrpo/model';
import { loadTokenizer } from '../../../src/qrpo/model/tokenizer';
import { type RecordTokenizer, packMicroBatch, recordTokenizer, trainingExamples, truncateToLength } from '../../../src/qrpo/train/modelTraining';
import { records, tinyModelFolder } from './trainingFixtures';

describe('training examples', () => {
  let tokens: RecordTokenizer;
  before(async () => {
    const dir = await tinyModelFolder('gpt2');
    tokens = recordTokenizer(await loadTokenizer(dir), await readDecoderConfig(dir));
  });

  test('max_length keeps the end by default (TRL keep_end) and the start with keep_start', () => {
    const example = { promptIds: [1, 2, 3, 4], completionIds: [5, 6, 7] };
    assert.deepEqual(truncateToLength(example, { maxLength: 5 }), { promptIds: [3, 4], completionIds: [5, 6, 7] });
    assert.deepEqual(truncateToLength(example, { maxLength: 2 }), { promptIds: [], completionIds: [6, 7] });
    assert.deepEqual(truncateToLength(example, { maxLength: 5, truncationMode: 'keep_start' }), { promptIds: [1, 2, 3, 4], completionIds: [5] });
    assert.deepEqual(truncateToLength(example, { maxLength: 7 }), example);
  });

  test('prompt and completion limits apply before max_length', async () => {
    const dir = await tinyModelFolder('gpt2');
    const limited = recordTokenizer(await loadTokenizer(dir), await readDecoderConfig(dir), { maxPromptLength: 2, maxCompletionLength: 3, maxLength: 4 });
    const record = records()[0];
    const full = tokens.encode(record);
    const cut = limited.encode(record);
    assert.deepEqual(cut.completionIds, full.completionIds.slice(0, 3));
    assert.deepEqual(cut.promptIds, full.promptIds.slice(-1));
  });

  test('pairs become one example in data order; QRPO keeps single completions beside them', () => {
    const all = records().map((record) => ({ record, target: 0.1, refLogp: -5 }));
    const examples = trainingExamples(all, 'qrpo', tokens);
    assert.deepEqual(examples.map((e) => e.kind), ['pair', 'pair', 'pair', 'pair', 'single', 'single']);
    // The rejected side may come first in the data; the example still knows which is which.
    const swapped = trainingExamples([all[1], all[0]], 'dpo', tokens);
    assert.equal(swapped.length, 1);
    assert.ok(swapped[0].kind === 'pair' && swapped[0].chosen.completionIds.length > swapped[0].rejected.completionIds.length);
  });

  test('a micro-batch puts chosen rows first, then rejected, then singles, right-padded, with per-row loss inputs', () => {
    const all = records().map((record, i) => ({ record, target: i / 10, refLogp: -i }));
    const examples = trainingExamples(all, 'qrpo', tokens);
    const packed = packMicroBatch(examples, [4, 1, 0], { loss: { kind: 'qrpo' }, beta: 0.1 }, 99);
    assert.equal(packed.pairs, 2);
    assert.deepEqual(Array.from(packed.feeds.targets.data as Float32Array), [0.2, 0, 0.3, 0.1, 0.8].map(Math.fround));
    assert.deepEqual(Array.from(packed.feeds.ref_logps.data as Float32Array), [-2, -0, -3, -1, -8]);
    assert.deepEqual(packed.rows.map((r) => r.side), ['chosen', 'chosen', 'rejected', 'rejected', undefined]);
    const [batch, seq] = packed.batch.dims;
    assert.equal(batch, 5);
    for (let b = 0; b < batch; b++) {
      const row = packed.rows[b];
      const length = row.promptIds.length + row.completionIds.length;
      assert.equal(Number(packed.batch.inputIds[b * seq + length - 1]), row.completionIds.at(-1));
      if (length < seq) assert.equal(Number(packed.batch.inputIds[b * seq + length]), 99);
    }
  });

  test('missing loss inputs and broken pairs are DatasetErrors naming the record', () => {
    const all = records();
    assert.throws(() => trainingExamples(all.map((record) => ({ record, refLogp: -1 })), 'qrpo', tokens), (e: Error) => e instanceof DatasetError && /QRPO needs target.*train\.jsonl line 1/.test(e.message));
    assert.throws(() => trainingExamples(all.map((record) => ({ record, refLogp: -1 })), 'dpo', tokens), (e: Error) => e instanceof DatasetError && /not one side of a pair.*line 5/.test(e.message));
    assert.throws(() => trainingExamples([{ record: all[0], refLogp: -1 }], 'dpo', tokens), (e: Error) => e instanceof DatasetError && /pair 0 has no rejected side/.test(e.message));
  });
});
