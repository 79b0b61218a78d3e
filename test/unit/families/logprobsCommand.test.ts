// `qrpo logprobs` end to end on tiny model folders: plain and conversational records, pairs, batching, truncation,
// --out, and errors that name the file at fault.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { logprobsCommand } from '../../../src/qrpo/cli/logprobsCommand';
import type { CommandOutput } from '../../../src/qrpo/cli/output';
import { ModelFormatError, QrpoError } from '../../../src/qrpo/errors';
import { chatTemplateOf, encodePromptAndCompletion } from '../../../src/qrpo/model/chatTemplate';
import { buildScoringGraph, packScoringBatch, scoringFeeds } from '../../../src/qrpo/model/graphs';
import { loadTokenizer } from '../../../src/qrpo/model/tokenizer';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { tinyModel } from './familyFixtures';

const folder = temporaryFolder('qrpo-logprobs-');

function capture(): CommandOutput & { lines: string[] } {
  const lines: string[] = [];
  return { lines, text: (m) => lines.push(m), warn: () => undefined, event: () => undefined };
}

function dataset(name: string, rows: unknown[]): string {
  const path = join(folder, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

const rows = [
  { prompt: 'the cat', completion: ' sat on the mat', reward: 0.5, id: 'a' },
  { prompt: [{ role: 'user', content: 'hello there' }], completion: [{ role: 'assistant', content: 'hi, how are you?' }], id: 'b' },
  { prompt: 'one', chosen: ' two three', rejected: ' four', id: 'c' },
];

describe('qrpo logprobs', () => {
  test('writes each record with logp and num_tokens, equal to scoring its tokens alone, for any batch size', async () => {
    const model = await tinyModel('qwen2');
    const data = dataset('mixed.jsonl', rows);
    const runs = [];
    for (const batchSize of ['1', '3']) {
      const out = capture();
      assert.equal(await logprobsCommand(['--model', model.dir, '--data', data, '--batch-size', batchSize], out), 0);
      runs.push(out.lines.map((l) => JSON.parse(l)));
    }
    const [single, batched] = runs;
    assert.equal(single.length, 4); // the pair is two records
    assert.deepEqual(single.map((r) => [r.id, r.side ?? null]), [['a', null], ['b', null], ['c', 'chosen'], ['c', 'rejected']]);
    assert.equal(single[0].reward, 0.5);
    single.forEach((r, i) => assert.ok(Math.abs(r.logp - batched[i].logp) < 1e-5 && r.num_tokens === batched[i].num_tokens));

    const tokenizer = await loadTokenizer(model.dir);
    const encoded = encodePromptAndCompletion(tokenizer, chatTemplateOf(tokenizer), rows[1].prompt as never, rows[1].completion as never);
    const session = await GraphSession.create(buildScoringGraph(model.config, model.weights).graph);
    const out = await session.run(scoringFeeds(packScoringBatch([{ prompt: encoded.promptIds, completion: encoded.completionIds }])));
    assert.ok(Math.abs(Number(out.logp.data[0]) - single[1].logp) < 1e-5);
    assert.equal(single[1].num_tokens, encoded.completionIds.length);
    assert.ok(single.every((r) => r.logp < 0 && r.num_tokens > 0));
  });

  test('--max-completion-length keeps the first tokens; --out writes the file', async () => {
    const model = await tinyModel('gpt2');
    const target = join(folder, 'out.jsonl');
    const out = capture();
    await logprobsCommand(['--model', model.dir, '--data', dataset('plain.jsonl', rows.slice(0, 1)), '--max-completion-length', '2', '--out', target], out);
    assert.deepEqual(out.lines, []);
    const [record] = readFileSync(target, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(record.num_tokens, 2);
    assert.equal(record.id, 'a');
  });

  test('refuses a reward model, an unsupported architecture and a vocabulary larger than the embedding, naming the file', async () => {
    const reward = await tinyModel('gpt2-reward');
    const data = dataset('one.jsonl', rows.slice(0, 1));
    await assert.rejects(logprobsCommand(['--model', reward.dir, '--data', data], capture()), (e: Error) => e instanceof ModelFormatError && /GPT2ForSequenceClassification/.test(e.message));
    const other = await tinyModel('gpt2', 12);
    const config = JSON.parse(readFileSync(join(other.dir, 'config.json'), 'utf8'));
    writeFileSync(join(other.dir, 'config.json'), JSON.stringify({ ...config, architectures: ['BertForMaskedLM'] }));
    await assert.rejects(logprobsCommand(['--model', other.dir, '--data', data], capture()), (e: Error) => e instanceof ModelFormatError && e.message.includes(join(other.dir, 'config.json')) && /BertForMaskedLM/.test(e.message));
    await assert.rejects(logprobsCommand(['--data', data], capture()), (e: Error) => e instanceof QrpoError && /--model/.test(e.message));
    writeFileSync(join(other.dir, 'config.json'), JSON.stringify({ ...config, vocab_size: 200 }));
    await assert.rejects(logprobsCommand(['--model', other.dir, '--data', data], capture()), (e: Error) => e instanceof ModelFormatError && e.message.includes(join(other.dir, 'tokenizer.json')) && /vocab_size 200/.test(e.message));
  });
});
