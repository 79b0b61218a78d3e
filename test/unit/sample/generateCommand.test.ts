// `qrpo generate` on the tiny fixture models, run in-process as the CLI runs it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCommand } from '../../../src/qrpo/cli/generateCommand';
import type { CommandOutput } from '../../../src/qrpo/cli/output';
import { ConfigError, DatasetError } from '../../../src/qrpo/errors';
import { loadTokenizer } from '../../../src/qrpo/model/tokenizer';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { tinyModel } from '../families/familyFixtures';

const scratch = temporaryFolder('qrpo-generate-');
let files = 0;

function promptsFile(rows: unknown[]): string {
  const path = join(scratch, `prompts${files++}.jsonl`);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string[]; stderr: string[]; rows: Record<string, unknown>[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output: CommandOutput = { text: (m) => stdout.push(m), warn: (m) => stderr.push(m), event: (e) => stdout.push(JSON.stringify(e)) };
  const code = await generateCommand(argv, output);
  const outIndex = argv.indexOf('--out');
  const lines = outIndex >= 0 ? readFileSync(argv[outIndex + 1], 'utf8').trim().split('\n') : stdout;
  return { code, stdout, stderr, rows: lines.map((line) => JSON.parse(line)) };
}

const chat = [
  { id: 'a', prompt: [{ role: 'user', content: 'What is a quantile reward?' }] },
  { id: 'b', prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Why a reference policy?' }] },
];

describe('qrpo generate', () => {
  test('writes n completions per prompt as JSONL with their log-probs under the model at temperature 1', async () => {
    const model = await tinyModel('qwen2');
    const { code, rows, stderr } = await run('--model', model.dir, '--prompts', promptsFile(chat), '-n', '3', '--max-new-tokens', '6', '--seed', '1');
    assert.equal(code, 0);
    assert.equal(rows.length, 6);
    assert.deepEqual(rows.map((r) => [r.id, r.prompt_index, r.sample_index]), [['a', 0, 0], ['a', 0, 1], ['a', 0, 2], ['b', 1, 0], ['b', 1, 1], ['b', 1, 2]]);
    const tokenizer = await loadTokenizer(model.dir);
    for (const row of rows) {
      assert.deepEqual(row.prompt, chat[row.prompt_index as number].prompt);
      const ids = row.completion_ids as number[];
      assert.equal(row.num_tokens, ids.length);
      assert.ok(['eos', 'length'].includes(row.finish_reason as string));
      assert.equal(row.finish_reason === 'length', ids.length === 6);
      assert.ok((row.logp as number) < 0 && Number.isFinite(row.logp));
      assert.equal(row.logp, row.sampling_logp, 'temperature 1, no truncation: the sampled distribution is the model\'s');
      const textIds = row.finish_reason === 'eos' ? ids.slice(0, -1) : ids;
      assert.equal(row.completion, tokenizer.decode(textIds, { skipSpecialTokens: true }));
    }
    assert.match(stderr.at(-1)!, /generated 6 completions \(2 prompts × 3\), \d+ tokens/);
  });

  test('the same seed writes the same file, and batching changes no token; --out gets the JSONL, stdout the summary', async () => {
    const model = await tinyModel('llama');
    const prompts = promptsFile([{ prompt: 'The reference policy' }, { prompt: 'A quantile reward is' }]);
    const args = ['--model', model.dir, '--prompts', prompts, '-n', '2', '--max-new-tokens', '5', '--temperature', '0.8', '--top-p', '0.9', '--top-k', '50'];
    const first = join(scratch, 'first.jsonl');
    const second = join(scratch, 'second.jsonl');
    const a = await run(...args, '--out', first);
    await run(...args, '--out', second);
    assert.equal(readFileSync(first, 'utf8'), readFileSync(second, 'utf8'));
    // Other batch shapes round the matmuls differently (~1e-9 in logp), but each sequence has its own random stream.
    const oneByOne = await run(...args, '--out', second, '--batch-size', '1');
    assert.deepEqual(oneByOne.rows.map((r) => r.completion_ids), a.rows.map((r) => r.completion_ids));
    oneByOne.rows.forEach((r, i) => assert.ok(Math.abs((r.logp as number) - (a.rows[i].logp as number)) < 1e-5));
    assert.match(a.stdout.at(-1)!, /generated 4 completions .* → .*first\.jsonl/);
    assert.ok(a.rows.every((r) => (r.sampling_logp as number) >= (r.logp as number) - 1e-9), 'truncation and T < 1 make sampled tokens likelier');
  });

  test('greedy decoding; --stop ends at a stop string, --trim-stop cuts the text before it', async () => {
    const model = await tinyModel('gpt2');
    const prompts = promptsFile([{ prompt: 'The reward model' }]);
    const base = ['--model', model.dir, '--prompts', prompts, '--max-new-tokens', '12', '--temperature', '0'];
    const [free] = (await run(...base)).rows;
    const text = free.completion as string;
    const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 2);
    assert.equal(stop.length, 2, `the greedy completion ${JSON.stringify(text)} is long enough`);
    const [stopped] = (await run(...base, '--stop', stop)).rows;
    assert.equal(stopped.finish_reason, 'stop');
    assert.equal(stopped.stop, stop);
    assert.ok((stopped.completion as string).includes(stop));
    assert.ok(text.startsWith(stopped.completion as string));
    const [trimmed] = (await run(...base, '--stop', stop, '--trim-stop')).rows;
    assert.equal(trimmed.completion, text.slice(0, text.indexOf(stop)));
    assert.deepEqual(trimmed.completion_ids, stopped.completion_ids);
  });

  test('an EOS id from generation_config.json ends a completion: kept in completion_ids, left out of the text', async () => {
    const model = await tinyModel('gpt2', 12);
    const prompts = promptsFile([{ prompt: 'The reward model' }]);
    const base = ['--model', model.dir, '--prompts', prompts, '--max-new-tokens', '8', '--temperature', '0'];
    const [free] = (await run(...base)).rows;
    const ids = free.completion_ids as number[];
    const eos = ids[2];
    writeFileSync(join(model.dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [eos] }));
    const [ended] = (await run(...base)).rows;
    assert.equal(ended.finish_reason, 'eos');
    assert.deepEqual(ended.completion_ids, ids.slice(0, ids.indexOf(eos) + 1));
    const tokenizer = await loadTokenizer(model.dir);
    assert.equal(ended.completion, tokenizer.decode(ids.slice(0, ids.indexOf(eos)), { skipSpecialTokens: true }));
  });

  test('mistakes are named: a missing option, a bad value, a prompt row without a prompt, too many positions', async () => {
    const model = await tinyModel('gpt2');
    const prompts = promptsFile([{ prompt: 'The reward model' }]);
    await assert.rejects(run('--model', model.dir, '--prompts', prompts), (e: unknown) => e instanceof ConfigError && /missing required option --max-new-tokens/.test(e.message));
    await assert.rejects(run('--model', model.dir, '--prompts', prompts, '--max-new-tokens', '4', '--top-p', '1.5'), /--top-p must be in \(0, 1\], got '1.5'/);
    await assert.rejects(run('--model', model.dir, '--prompts', prompts, '--max-new-tokens', '4', '--temperature', '-1'), /--temperature must be a number ≥ 0, got '-1'/);
    await assert.rejects(run('--model', model.dir, '--prompts', prompts, '--max-new-tokens', '4', '--device', 'gpu'), /--device must be one of cpu, webgpu, cuda, got 'gpu'/);
    await assert.rejects(run('--model', model.dir, '--prompts', promptsFile([{ prompt: 'ok' }, { text: 'no prompt' }]), '--max-new-tokens', '4'), (e: unknown) => e instanceof DatasetError && /line 2/.test(e.message));
    await assert.rejects(run('--model', model.dir, '--prompts', prompts, '--max-new-tokens', '64'), /prompt 0 has \d+ tokens; with --max-new-tokens 64 it exceeds the model's 64 positions/);
  });
});
