// The evaluation stage and `qrpo eval` on a run folder whose reference samples, checkpoint and reward module are
// tiny but real: the stage evaluates step 0 and the checkpoints, resumes with only the missing ones, and the command
// prints what it wrote.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { evalCommand } from '../../../src/qrpo/cli/evalCommand';
import type { CommandOutput } from '../../../src/qrpo/cli/output';
import { promptKey } from '../../../src/qrpo/data';
import { ConfigError } from '../../../src/qrpo/errors';
import { heldOutPromptKeys, readEvalSamples, readEvalSummary, type EvalSummary } from '../../../src/qrpo/eval';
import { parseConfigDocument, resolveRunConfig, type RunConfig } from '../../../src/qrpo/run/config';
import { runPipeline } from '../../../src/qrpo/run/pipeline';
import { RunFolder } from '../../../src/qrpo/run/runFolder';
import { evaluationStage, evaluationSteps } from '../../../src/qrpo/run/stages/evaluationStage';
import type { ScoredReferenceSample } from '../../../src/qrpo/run/stages/rewardScoringStage';
import { generate, loadGenerator } from '../../../src/qrpo/sample';
import { evalModel, PROMPTS, REWARD_MODULE, scratch, textReward } from './evalFixtures';

let runs = 0;

/** A run folder: config, the scored reference samples (as the reward-scoring stage writes them), checkpoint-10. */
async function runFolder(reward = 'reward:\n  source: module\n  path: reward.mjs'): Promise<{ folder: RunFolder; config: RunConfig }> {
  const dir = join(scratch, `run-${runs++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data.jsonl'), PROMPTS.map((prompt, i) => JSON.stringify({ prompt, completion: ` answer ${i}`, reward: i })).join('\n') + '\n');
  writeFileSync(join(dir, 'reward.mjs'), REWARD_MODULE);
  const ref = await evalModel(1);
  const yaml = [
    `model_name_or_path: ${ref}`,
    'dataset_name: data.jsonl',
    'num_ref_rewards: 6',
    'device: cpu',
    'seed: 3',
    'max_prompt_length: 16',
    'reference_sampling:\n  max_new_tokens: 12',
    reward,
    'eval:\n  num_prompts: 6\n  samples_per_prompt: 4\n  selection_split: 0.5',
  ].join('\n');
  const config = resolveRunConfig(parseConfigDocument(yaml, join(dir, 'run.yaml')));
  const folder = await RunFolder.create(config);
  const { tokenizer, decoder } = await loadGenerator(ref);
  const sequences = await generate(decoder.step, {
    prompts: PROMPTS.map((p) => tokenizer.encode(p)),
    numReturnSequences: 6,
    maxNewTokens: 12,
    sampling: { temperature: 1 },
    seed: 3,
    eosTokenIds: tokenizer.eosTokenIds,
    padTokenId: tokenizer.padTokenId ?? 0,
  });
  await decoder.release();
  const lines = sequences.map((s): ScoredReferenceSample => {
    const completion = tokenizer.decode(s.finishReason === 'eos' ? s.tokenIds.slice(0, -1) : s.tokenIds, { skipSpecialTokens: true });
    const prompt = PROMPTS[s.promptIndex];
    const logp = s.modelLogProbs.reduce((a, b) => a + b, 0);
    return { prompt_key: promptKey(prompt), prompt, completion, logp, num_tokens: s.tokenIds.length, finish_reason: s.finishReason, sample_index: s.sampleIndex, seed: 3, reward: textReward(completion) };
  });
  mkdirSync(folder.stageDir('reward_scoring'), { recursive: true });
  writeFileSync(join(folder.stageDir('reward_scoring'), 'reference_samples.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  cpSync(await evalModel(3), folder.checkpointDir(10), { recursive: true });
  return { folder, config };
}

function capture(): { output: CommandOutput; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, output: { text: (m) => stdout.push(m), warn: (m) => stderr.push(m), event: (e) => stdout.push(JSON.stringify(e)) } };
}

let shared: { folder: RunFolder; config: RunConfig };
before(async () => {
  shared = await runFolder();
});

describe('evaluation stage', () => {
  test('evaluates the start model as step 0 and every checkpoint, on the held-out prompts, then is complete', async () => {
    const { folder, config } = shared;
    const outcome = await runPipeline(folder, [evaluationStage({ trusted: true })]);
    assert.equal(outcome.state, 'done', outcome.error);
    const before = (await readEvalSummary(folder.evalDir(0)))!;
    const after = (await readEvalSummary(folder.evalDir(10)))!;
    assert.equal(before.step, 0);
    assert.equal(before.policy, config.model_name_or_path);
    assert.equal(after.policy, folder.checkpointDir(10));
    const held = heldOutPromptKeys(PROMPTS.map((p) => promptKey(p)), 6);
    const rows = await readEvalSamples(folder.evalDir(10));
    assert.deepEqual(new Set(rows.map((r) => r.prompt_key)), held);
    assert.equal(rows.length, 6 * 4);
    assert.equal(after.splits.all!.samples, 24);
    // Step 0 is π_ref itself: KL exactly 0; the checkpoint is another model.
    assert.equal(before.splits.all!.kl.k3.perToken, 0);
    assert.ok(after.splits.all!.kl.k3.perToken > 0);
    assert.equal(await evaluationStage({ trusted: true }).isComplete({ folder, config } as never), true);
  });

  test('a resumed stage evaluates only the steps without a complete evaluation', async () => {
    const { folder } = shared;
    const kept = (await readEvalSummary(folder.evalDir(10)))!.createdAt;
    rmSync(folder.evalDir(0), { recursive: true });
    mkdirSync(join(folder.dir, 'evals', '.0.partial-999'));
    const outcome = await runPipeline(folder, [evaluationStage({ trusted: true })]);
    assert.equal(outcome.state, 'done', outcome.error);
    assert.equal((await readEvalSummary(folder.evalDir(10)))!.createdAt, kept);
    assert.equal((await readEvalSummary(folder.evalDir(0)))!.step, 0);
    assert.ok(!existsSync(join(folder.dir, 'evals', '.0.partial-999')));
  });

  test('eval.checkpoints picks all, the last or none; step 0 comes with any of them', async () => {
    const { folder, config } = shared;
    cpSync(folder.checkpointDir(10), folder.checkpointDir(20), { recursive: true });
    try {
      assert.deepEqual(await evaluationSteps(folder, config), [0, 10, 20]);
      assert.deepEqual(await evaluationSteps(folder, { ...config, eval: { ...config.eval, checkpoints: 'last' } }), [0, 20]);
      assert.deepEqual(await evaluationSteps(folder, { ...config, eval: { ...config.eval, checkpoints: 'none' } }), []);
    } finally {
      rmSync(folder.checkpointDir(20), { recursive: true });
    }
  });

  test('with column rewards nothing can score new samples: the stage warns and writes nothing', async () => {
    const { folder } = await runFolder('reward:\n  source: column');
    const events: string[] = [];
    const outcome = await runPipeline(folder, [evaluationStage({ trusted: true })], { onEvent: (e) => events.push(JSON.stringify(e)) });
    assert.equal(outcome.state, 'done');
    assert.ok(events.some((e) => /evaluation skipped: reward.source is column/.test(e)));
    assert.ok(!existsSync(join(folder.dir, 'evals')));
  });
});

describe('qrpo eval', () => {
  test('prints the summary table and writes evals/<step>/', async () => {
    const { folder } = shared;
    const { output, stdout } = capture();
    assert.equal(await evalCommand([folder.dir, '--checkpoint', 'last'], output), 0);
    const text = stdout.join('\n');
    assert.match(text, /evaluated step 10 .* on 6 prompts × 4 samples .* → .*evals\/10/);
    for (const label of ['mean reward', 'mean quantile', 'KL k3 per seq', 'KL k1 per token', 'LC reward', 'length bias ρ']) assert.match(text, new RegExp(`^${label}`, 'm'));
    assert.match(text, /selection\s+reporting\s+all/);
    assert.match(text, /quantile histogram vs the reference/);
    const summary = (await readEvalSummary(folder.evalDir(10)))!;
    const quantile = summary.splits.reporting!.meanQuantile.toFixed(4);
    assert.match(text, new RegExp(`^mean quantile .*${quantile.replace('.', '\\.')}`, 'm'));
  });

  test('--json prints progress events, then the summary as written', async () => {
    const { folder } = shared;
    const { output, stdout } = capture();
    assert.equal(await evalCommand([folder.dir, '--checkpoint', '0', '--json'], output), 0);
    const events = stdout.map((line) => JSON.parse(line));
    assert.ok(events.slice(0, -1).every((e) => e.event === 'progress' && e.stage === 'evaluation'));
    const summary = events.at(-1) as EvalSummary & { event: string; path: string };
    assert.equal(summary.event, 'summary');
    assert.equal(summary.path, folder.evalDir(0));
    const { event: _event, path: _path, ...written } = summary;
    assert.deepEqual(written, await readEvalSummary(folder.evalDir(0)));
  });

  test('a missing checkpoint, a bad step or a missing run folder is a ConfigError saying what exists', async () => {
    const { folder } = shared;
    const { output } = capture();
    await assert.rejects(evalCommand([folder.dir, '--checkpoint', '7'], output), (e: unknown) => e instanceof ConfigError && /no checkpoint-7\. Checkpoints saved: 10; 0 evaluates the start model/.test((e as Error).message));
    await assert.rejects(evalCommand([folder.dir, '--checkpoint', '-1'], output), /--checkpoint must be a step/);
    await assert.rejects(evalCommand([folder.dir], output), /missing required option --checkpoint/);
    await assert.rejects(evalCommand([join(scratch, 'nowhere'), '--checkpoint', '0'], output), /not a run folder/);
  });

  test('the built CLI: `qrpo eval RUN_DIR --checkpoint 10 --json` exits 0 with the summary; a user mistake exits 2 in one line', () => {
    const cli = resolve(__dirname, '../../../../dist/cli.js');
    const ok = spawnSync(process.execPath, [cli, 'eval', shared.folder.dir, '--checkpoint', '10', '--json'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const summary = JSON.parse(ok.stdout.trim().split('\n').at(-1)!);
    assert.equal(summary.event, 'summary');
    assert.equal(summary.step, 10);
    const bad = spawnSync(process.execPath, [cli, 'eval', shared.folder.dir, '--checkpoint', '3'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^qrpo: error: .*has no checkpoint-3\. Checkpoints saved: 10/);
  });
});
