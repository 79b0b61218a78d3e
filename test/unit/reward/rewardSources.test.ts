// Reward sources: a reward model folder through the engine's reward graph and as an ONNX export (the two agree), a
// JavaScript module (only in a trusted workspace, every non-finite reward an error naming the module and the item),
// and a dataset column (which scores nothing new). Errors a user can fix name the file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTinyGpt2, writeTinyLlama } from '../../fixtures/models/tinyModels';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { writeOnnxClassifier } from './onnxClassifier';
import {
  columnReward,
  columnRewardSource,
  createRewardSource,
  detectRewardModelFormat,
  RewardError,
  type RewardItem,
  type RewardSource,
} from '../../../src/qrpo/reward';
import { ConfigError, DatasetError, ModelFormatError } from '../../../src/qrpo/errors';
import type { PointwiseRecord } from '../../../src/qrpo/data';

const root = temporaryFolder('qrpo-reward-');
const rewardModel = join(root, 'rm');
const llamaRewardModel = join(root, 'rm-llama');
const ITEMS: RewardItem[] = [
  { prompt: 'The user asks a question.', completion: ' The assistant answers it helpfully.' },
  { prompt: 'The user asks a question.', completion: ' No.' },
  { prompt: 'Explain the quantile reward.', completion: ' It is the fraction of reference rewards that the completion beats, so it lies in [0, 1].' },
  { prompt: [{ role: 'user', content: 'Explain the quantile reward.' }], completion: ' A fraction.' },
];
const opened: RewardSource[] = [];
const model = (path: string, batchSize = 8) => ({ source: 'model' as const, path, column: null, batch_size: batchSize });
async function open(block: Parameters<typeof createRewardSource>[0], trusted = false): Promise<RewardSource> {
  const source = await createRewardSource(block, { trusted });
  opened.push(source);
  return source;
}

before(async () => {
  await writeTinyGpt2(rewardModel, { seed: 11, head: 'sequence-classification' });
  await writeTinyLlama(llamaRewardModel, { seed: 12, head: 'sequence-classification', variant: 'qwen2' });
});
after(async () => {
  for (const source of opened) await source.dispose();
});

describe('reward model sources', () => {
  test('a safetensors reward model scores each item with a finite reward that does not depend on batching', async () => {
    const whole = await (await open(model(rewardModel, 8))).score(ITEMS);
    const single = await (await open(model(rewardModel, 1))).score(ITEMS);
    assert.equal(whole.length, ITEMS.length);
    assert.ok(whole.every(Number.isFinite));
    for (const [i, reward] of whole.entries()) assert.ok(Math.abs(reward - single[i]) < 1e-5, `item ${i}: ${reward} batched vs ${single[i]} alone`);
    assert.notEqual(whole[0], whole[1], 'different completions get different rewards');
  });

  test('a string prompt is the user message of the reward model\'s chat template', async () => {
    const source = await open(model(rewardModel));
    const [asString, asMessages] = await source.score([
      { prompt: 'Explain the quantile reward.', completion: ' A fraction.' },
      { prompt: [{ role: 'user', content: 'Explain the quantile reward.' }], completion: [{ role: 'assistant', content: ' A fraction.' }] },
    ]);
    assert.ok(Math.abs(asString - asMessages) < 1e-6);
  });

  test('a Llama-family reward model works too', async () => {
    const rewards = await (await open(model(llamaRewardModel, 3))).score(ITEMS);
    assert.ok(rewards.every(Number.isFinite));
  });

  for (const layout of ['onnx-folder', 'root'] as const) {
    test(`an ONNX sequence classifier (${layout === 'root' ? 'model.onnx' : 'onnx/model.onnx'}) gives the engine's rewards`, async () => {
      const dir = join(root, `onnx-${layout}`);
      await writeOnnxClassifier(rewardModel, dir, { layout, positionIds: layout === 'root' });
      assert.equal((await detectRewardModelFormat(dir)).kind, 'onnx');
      const onnx = await open(model(dir, 2));
      assert.match(onnx.description, /ONNX/);
      const expected = await (await open(model(rewardModel))).score(ITEMS);
      const rewards = await onnx.score(ITEMS);
      for (const [i, reward] of rewards.entries()) assert.ok(Math.abs(reward - expected[i]) < 1e-4, `item ${i}: ONNX ${reward}, engine ${expected[i]}`);
    });
  }

  test('a folder that is not a reward model is refused with its path and what it holds', async () => {
    await assert.rejects(open(model(join(root, 'missing'))), (error: Error) => error instanceof ModelFormatError && error.message.includes(join(root, 'missing')));
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(join(empty, 'notes.txt'), '');
    await assert.rejects(open(model(empty)), /holds neither safetensors weights with a config.json nor an ONNX model.*notes\.txt/s);
    const policy = join(root, 'policy');
    await writeTinyGpt2(policy, { seed: 3 });
    await assert.rejects(open(model(policy)), /config\.json names GPT2LMHeadModel, but a reward model is a \*ForSequenceClassification/);
  });

  test('a classifier with more than one label is refused, naming config.json', async () => {
    const twoLabels = join(root, 'two-labels');
    await writeTinyGpt2(twoLabels, { seed: 4, head: 'sequence-classification' });
    const config = JSON.parse(readFileSync(join(twoLabels, 'config.json'), 'utf8'));
    writeFileSync(join(twoLabels, 'config.json'), JSON.stringify({ ...config, id2label: { 0: 'bad', 1: 'good' }, label2id: { bad: 0, good: 1 } }));
    await assert.rejects(open(model(twoLabels)), (error: Error) => error instanceof ModelFormatError && /config\.json describes a classifier with 2 labels/.test(error.message));
  });

  test('an ONNX file that is not a classifier is refused, naming the file', async () => {
    const dir = join(root, 'bad-onnx');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), 'not a model');
    await assert.rejects(open(model(dir)), (error: Error) => error instanceof ModelFormatError && error.message.includes(join(dir, 'model.onnx')));
  });
});

describe('reward module source', () => {
  const modules = join(root, 'modules');
  mkdirSync(modules, { recursive: true });
  const write = (name: string, text: string) => {
    writeFileSync(join(modules, name), text);
    return join(modules, name);
  };
  const module = (path: string) => ({ source: 'module' as const, path, column: null, batch_size: 2 });

  test('an ES module exporting reward(prompt, completion) scores each item', async () => {
    const path = write('length.mjs', 'export function reward(prompt, completion) { return completion.length / 10; }\n');
    const source = await open(module(path), true);
    assert.equal(source.kind, 'module');
    assert.deepEqual(await source.score(ITEMS.slice(0, 2)), [ITEMS[0].completion.length / 10, ITEMS[1].completion.length / 10]);
  });

  test('a CommonJS module with an async reward, and one with rewards(batch), work too', async () => {
    const asyncPath = write('async.cjs', 'module.exports = { reward: async (prompt, completion) => (typeof prompt === "string" ? 1 : 2) + completion.length };\n');
    assert.deepEqual(await (await open(module(asyncPath), true)).score([ITEMS[1], ITEMS[3]]), [1 + 4, 2 + 12]);
    const batchPath = write('batch.mjs', 'export function rewards(batch) { return batch.map((item, i) => i + item.completion.length); }\n');
    assert.deepEqual(await (await open(module(batchPath), true)).score([ITEMS[1], ITEMS[1]]), [4, 5]);
  });

  test('in an untrusted workspace the module is refused without running it', async () => {
    const marker = join(modules, 'ran.txt');
    const path = write('sideEffect.mjs', `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport const reward = () => 1;\n`);
    await assert.rejects(open(module(path), false), (error: Error) => error instanceof ConfigError && error.message.includes('sideEffect.mjs') && /trusted workspace/.test(error.message));
    assert.equal(existsSync(marker), false, 'the module never ran');
  });

  test('NaN, a non-number, a throw and a wrong-length batch are errors naming the module and the item', async () => {
    const nan = await open(module(write('nan.mjs', 'export const reward = (p, c) => (c.includes("No") ? NaN : 1);\n')), true);
    await assert.rejects(nan.score([ITEMS[0], { ...ITEMS[1], origin: 'data.jsonl line 7 (rejected)' }]), (error: Error) => {
      assert.ok(error instanceof RewardError);
      assert.match(error.message, /reward module .*nan\.mjs returned NaN for item 1 \(data\.jsonl line 7 \(rejected\)\); a reward must be a finite number/);
      return true;
    });
    const text = await open(module(write('text.mjs', 'export const reward = () => "0.5";\n')), true);
    await assert.rejects(text.score([ITEMS[0]]), /text\.mjs returned "0\.5" \(a string\) for item 0/);
    const thrower = await open(module(write('throws.mjs', 'export const reward = () => { throw new Error("tests failed to compile"); };\n')), true);
    await assert.rejects(thrower.score([ITEMS[0]]), /throws\.mjs threw in reward\(\) on item 0: tests failed to compile/);
    const short = await open(module(write('short.mjs', 'export const rewards = () => [1];\n')), true);
    await assert.rejects(short.score([ITEMS[0], ITEMS[1]]), /short\.mjs: rewards\(batch\) returned 1 values for a batch of 2/);
  });

  test('a module without reward or rewards, a missing one and a non-JavaScript file are refused by name', async () => {
    await assert.rejects(open(module(write('none.mjs', 'export const score = () => 1;\n')), true), /none\.mjs exports neither reward\(prompt, completion\) nor rewards\(batch\).*It exports score/s);
    await assert.rejects(open(module(join(modules, 'absent.mjs')), true), /reward module not found: .*absent\.mjs/);
    await assert.rejects(open(module(write('reward.py', 'def reward(p, c): return 1\n')), true), /reward\.py is not a JavaScript module/);
  });
});

describe('dataset column source', () => {
  const location = { file: 'data.jsonl', line: 3, unit: 'line' as const };
  const record = (fields: Partial<PointwiseRecord>): PointwiseRecord => ({ prompt: 'p', completion: 'c', source: location, ...fields });

  test('reads the normalised reward, or a named column (side-prefixed for pairs)', () => {
    assert.equal(columnReward(record({ reward: 0.5 }), null), 0.5);
    assert.equal(columnReward(record({ reward: 0.5 }), 'score_chosen'), 0.5);
    assert.equal(columnReward(record({ extra: { pass_rate: 0.75 } }), 'pass_rate'), 0.75);
    assert.equal(columnReward(record({ side: 'rejected', pairId: 0, extra: { chosen_pass_rate: 1, rejected_pass_rate: 0.25 } }), 'pass_rate'), 0.25);
    assert.equal(columnReward(record({}), 'pass_rate'), undefined);
    assert.throws(() => columnReward(record({ extra: { pass_rate: 'high' } }), 'pass_rate'), (error: Error) => error instanceof DatasetError && /data\.jsonl line 3 \(field "pass_rate"\)/.test(error.message));
  });

  test('cannot score new completions, and says what to do instead', async () => {
    const source = columnRewardSource(null);
    assert.deepEqual(await source.score([]), []);
    await assert.rejects(source.score(ITEMS), (error: Error) => error instanceof RewardError && /cannot score new completions.*ref_rewards in the dataset, or set reward.source to model or module/s.test(error.message));
  });
});
