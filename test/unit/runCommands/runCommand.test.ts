// `qrpo run`, `resume`, `stop` and `status` end to end, as a user (or the extension) runs the built CLI: a tiny but
// real run goes through every stage to done with HF checkpoints and contiguous TRL-named metrics; --json is one
// event per line; a stopped run holds a checkpoint and resumes to the uninterrupted run's weights; a bad config
// fails before any stage, naming the field; LoRA checkpoints are PEFT adapters with merged weights; SFT becomes π_ref.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadModelWeights, readDecoderConfig } from '../../../src/qrpo/model';
import { SafetensorsFile } from '../../../src/qrpo/model/safetensors';
import { requestStop } from '../../../src/qrpo/run/stopRequest';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { checkRunFolder, readRunResult, runCli } from './crashKit';
import { writeRunConfig, writeRunWorkspace } from './runFixture';

const cli = resolve(__dirname, '../../../../dist/cli.js');
const dir = temporaryFolder('qrpo-run-commands-');

function qrpo(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

before(() => writeRunWorkspace(dir));

describe('qrpo run', () => {
  test('runs every stage to done: HF checkpoints, contiguous TRL-named metrics, evaluations; --json is one event per line', async () => {
    const { config, runDir } = writeRunConfig(dir, 'basic');
    const run = await runCli(cli, ['run', config]);
    assert.equal(run.code, 0, run.stderr);

    const status = readJson(join(runDir, 'status.json')) as { state: string; step: number; totalSteps: number; stages: { name: string; state: string }[] };
    assert.equal(status.state, 'done');
    assert.deepEqual(status.stages.map((s) => [s.name, s.state]), ['reference_sampling', 'reward_scoring', 'quantiles', 'reference_logps', 'training', 'evaluation'].map((name) => [name, 'done']));
    assert.deepEqual([status.step, status.totalSteps], [8, 8]);

    for (const step of [2, 4, 6, 8]) {
      const files = readdirSync(join(runDir, `checkpoint-${step}`));
      for (const name of ['config.json', 'model.safetensors', 'tokenizer.json', 'optimizer.safetensors', 'trainer_state.json']) assert.ok(files.includes(name), `checkpoint-${step} has ${name}`);
    }
    assert.equal(readJson(join(runDir, 'checkpoint-8', 'trainer_state.json')).global_step, 8);
    const checkpointConfig = await readDecoderConfig(join(runDir, 'checkpoint-8'));
    await loadModelWeights(join(runDir, 'checkpoint-8'), checkpointConfig); // an HF folder the engine (and from_pretrained) loads
    const summary = readJson(join(runDir, 'stages', 'training', 'summary.json'));
    assert.equal(summary.finalCheckpoint, join(runDir, 'checkpoint-8'));
    assert.deepEqual(summary.checkpoints, [2, 4, 6, 8]);

    const { metrics } = readRunResult(runDir);
    assert.deepEqual(metrics.map((m) => m.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const name of ['loss', 'grad_norm', 'learning_rate', 'epoch', 'num_tokens', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'percentile_rewards/chosen', 'modified_rewards/logZ', 'modified_rewards/beta_logZ']) {
      assert.equal(typeof metrics[0][name], 'number', `metrics carry ${name}`);
    }
    assert.equal(metrics[0]['rewards/chosen'], 0, 'at step 1 the policy is π_ref: no implicit reward');
    assert.ok(existsSync(join(runDir, 'evals', '0', 'summary.json')) && existsSync(join(runDir, 'evals', '8', 'summary.json')));
    assert.deepEqual(checkRunFolder(runDir, { finished: true }).problems, []);

    // The event stream the extension reads.
    const names = run.events.map((e) => e.event);
    assert.equal(names[0], 'run_started');
    assert.equal(run.events[0].runDir, runDir);
    assert.deepEqual(names.slice(-2), ['run_finished', 'summary']);
    for (const event of run.events.slice(0, -1)) assert.equal(typeof event.time, 'string', `${String(event.event)} carries its time`);
    const stageEvents = run.events.filter((e) => e.event === 'stage_started' || e.event === 'stage_finished').map((e) => `${String(e.event)}:${String(e.stage)}`);
    assert.deepEqual(stageEvents, status.stages.flatMap((s) => [`stage_started:${s.name}`, `stage_finished:${s.name}`]));
    const training = run.events.filter((e) => e.event === 'progress' && e.stage === 'training');
    assert.ok(training.length > 0 && training.every((e) => typeof e.done === 'number' && e.total === 8 && 'etaSeconds' in e));
    assert.deepEqual(run.events.filter((e) => e.event === 'metrics').map((e) => e.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(run.events.filter((e) => e.event === 'checkpoint').map((e) => e.step), [2, 4, 6, 8]);
    assert.equal(run.events.at(-2)!.state, 'done');
    const final = run.events.at(-1)!;
    assert.equal(final.state, 'done');
    assert.equal((final.checkpoints as string[]).length, 4);
    assert.deepEqual((final.evaluations as { step: number }[]).map((e) => e.step), [0, 8]);

    // Run again: every stage is complete and skipped; plain output ends with the summary.
    const again = qrpo('run', config);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /training: already complete, skipped/);
    assert.match(again.stdout, /run done: runs\/basic\n {2}stages: .*training skipped \(complete\)/);
    assert.match(again.stdout, /training: step 8\/8, last logged loss [\d.e-]+ \(8 lines in metrics\.jsonl\)/);
    assert.match(again.stdout, /checkpoints: runs\/basic\/checkpoint-2, .*runs\/basic\/checkpoint-8/);
    assert.match(again.stdout, /eval step 8 \(\w+\): mean reward [\d.]+, mean quantile [\d.]+, KL k3\/seq/);

    const shown = qrpo('status', runDir, '--json');
    assert.equal(shown.code, 0, shown.stderr);
    const statusEvent = JSON.parse(shown.stdout);
    assert.deepEqual([statusEvent.event, statusEvent.state, statusEvent.step, statusEvent.loggedSteps], ['status', 'done', 8, 8]);
    assert.match(qrpo('status', runDir).stdout, /^run done: /);
  });

  test('stop saves a checkpoint of the current step; resume reaches the uninterrupted run\'s weights with contiguous metrics', async () => {
    const options = { maxSteps: 80, saveSteps: 1000 };
    const uninterrupted = writeRunConfig(dir, 'whole', options);
    const stopped = writeRunConfig(dir, 'stopped', options);
    const whole = await runCli(cli, ['run', uninterrupted.config]);
    assert.equal(whole.code, 0, whole.stderr);

    const child = spawn(process.execPath, [cli, 'run', stopped.config, '--json'], { cwd: dir });
    let stdout = '';
    let stopRequested = false;
    const exited = new Promise<number | null>((done) => child.on('close', done));
    await new Promise<void>((reached) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (!stopRequested && /"event":"metrics","step":([5-9]|[1-9]\d)\b/.test(stdout)) {
          stopRequested = true;
          reached();
        }
      });
      child.on('close', () => reached());
    });
    // What `qrpo stop` does (stop.request + SIGTERM), from here so that it lands mid-training even on a loaded
    // machine; `qrpo stop --wait` then waits for the process to be gone.
    const request = await requestStop(stopped.runDir);
    assert.deepEqual([request.running, request.signalled], [true, true]);
    const stop = qrpo('stop', stopped.runDir, '--wait');
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /stopped|no process is running/);
    assert.equal(await exited, 0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(events.find((e) => e.event === 'run_finished').state, 'stopped');
    const status = readJson(join(stopped.runDir, 'status.json')) as { state: string; step: number; stages: { name: string; state: string }[] };
    assert.equal(status.state, 'stopped');
    assert.equal(status.stages.find((s) => s.name === 'training')!.state, 'stopped');
    const saved = readdirSync(stopped.runDir).filter((name) => name.startsWith('checkpoint-')).map((name) => Number(name.slice('checkpoint-'.length)));
    assert.equal(saved.length, 1, 'the stop saved exactly one checkpoint');
    assert.ok(saved[0] >= 5 && saved[0] < 80, `checkpoint-${saved[0]} is mid-training`);
    assert.equal(saved[0], status.step);
    assert.match(qrpo('status', stopped.runDir).stdout, /run stopped: .*\n[\s\S]*resume with: qrpo resume/);
    assert.match(qrpo('stop', stopped.runDir).stdout, /no process is running/);

    const resumed = await runCli(cli, ['resume', stopped.runDir]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(resumed.events.some((e) => e.event === 'stage_finished' && e.stage === 'reference_logps' && e.skipped === true));
    const result = readRunResult(stopped.runDir);
    const reference = readRunResult(uninterrupted.runDir);
    assert.deepEqual(result.metrics.map((m) => m.step), Array.from({ length: 80 }, (_, i) => i + 1));
    assert.deepEqual(result.metrics, reference.metrics, 'every logged value equals the uninterrupted run\'s');
    assert.ok(result.weights.equals(reference.weights), 'final weights equal bit for bit');
  });

  test('a bad config fails before any stage, naming the field and its line; --json gives an error event', () => {
    const bad = writeRunConfig(dir, 'bad', { extra: 'beta: -1\nloss_type: dpx' });
    const result = qrpo('run', bad.config);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /beta/);
    assert.match(result.stderr, /beta in .*bad\.yaml line \d+ must be a number > 0, got -1/);
    assert.match(result.stderr, /loss_type/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace for a user mistake');
    assert.ok(!existsSync(bad.runDir), 'no run folder is created');

    const missing = writeRunConfig(dir, 'missing', { extra: 'dataset_name: data/nothing.jsonl' });
    const json = qrpo('run', missing.config, '--json');
    assert.equal(json.code, 2);
    const error = JSON.parse(json.stdout.trim().split('\n').at(-1)!);
    assert.equal(error.event, 'error');
    assert.match(error.message, /dataset_name .*dataset not found: .*nothing\.jsonl/);
    assert.ok(!existsSync(missing.runDir));

    assert.match(qrpo('run').stderr, /'qrpo run' needs a config file/);
    assert.match(qrpo('resume', join(dir, 'nowhere')).stderr, /not a run folder/);
  });

  test('--dry-run validates and says what would run, without creating the run folder', () => {
    const { config, runDir } = writeRunConfig(dir, 'dry', { extra: 'sft:\n  enabled: true' });
    const result = qrpo('run', config, '--dry-run');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /dry\.yaml is valid; nothing was run/);
    assert.match(result.stdout, /would run 7 stages: sft → reference_sampling → reward_scoring → quantiles → reference_logps → training → evaluation/);
    assert.match(result.stdout, /model_name_or_path: .*policy \(GPT2LMHeadModel\)/);
    const json = JSON.parse(qrpo('run', config, '--dry-run', '--json').stdout);
    assert.deepEqual([json.event, json.runDir, json.resumes, json.stages.length], ['dry_run', runDir, false, 7]);
    assert.ok(!existsSync(runDir));
  });

  test('LoRA: checkpoints are PEFT adapter folders (A and B only trained) with merged weights that evaluation loads', async () => {
    const { config, runDir } = writeRunConfig(dir, 'lora', { maxSteps: 4, extra: 'use_peft: true\nlora_r: 2\nlora_alpha: 4\nlora_target_modules: [c_attn]' });
    const run = await runCli(cli, ['run', config]);
    assert.equal(run.code, 0, run.stderr);
    const checkpoint = join(runDir, 'checkpoint-4');
    const adapter = readJson(join(checkpoint, 'adapter_config.json'));
    assert.deepEqual([adapter.peft_type, adapter.r, adapter.lora_alpha, adapter.target_modules, adapter.base_model_name_or_path], ['LORA', 2, 4, ['c_attn'], join(dir, 'models', 'policy')]);
    const adapterNames = (await SafetensorsFile.open(join(checkpoint, 'adapter_model.safetensors'))).names().sort();
    assert.ok(adapterNames.length > 0 && adapterNames.every((name) => /^base_model\.model\.transformer\.h\.\d+\.attn\.c_attn\.lora_[AB]\.weight$/.test(name)), adapterNames.join(', '));
    const moments = (await SafetensorsFile.open(join(checkpoint, 'optimizer.safetensors'))).names();
    assert.ok(moments.every((name) => name.includes('.lora_')), 'only A and B have optimizer state');

    const modelConfig = await readDecoderConfig(checkpoint);
    const merged = await loadModelWeights(checkpoint, modelConfig);
    const base = await loadModelWeights(join(dir, 'models', 'policy'), modelConfig);
    assert.deepEqual(merged.get('wte.weight')!.data, base.get('wte.weight')!.data, 'untargeted weights are the base model\'s');
    assert.notDeepEqual(merged.get('h.0.attn.c_attn.weight')!.data, base.get('h.0.attn.c_attn.weight')!.data, 'targeted projections carry the trained update');
    assert.ok(existsSync(join(runDir, 'evals', '4', 'summary.json')), 'evaluation ran on the merged weights');
  });

  test('sft.enabled: the SFT stage runs first, and its model becomes π_ref and the policy\'s start', async () => {
    const { config, runDir } = writeRunConfig(dir, 'sft', { maxSteps: 2, extra: 'sft:\n  enabled: true\n  epochs: 1\n  learning_rate: 0.01' });
    const run = await runCli(cli, ['run', config]);
    assert.equal(run.code, 0, run.stderr);
    const model = join(runDir, 'stages', 'sft', 'model');
    for (const name of ['config.json', 'model.safetensors', 'tokenizer.json']) assert.ok(existsSync(join(model, name)), `stages/sft/model has ${name}`);
    assert.equal(readJson(join(runDir, 'stages', 'reference_sampling', 'summary.json')).model, model);
    assert.equal(readJson(join(runDir, 'stages', 'reference_logps', 'summary.json')).model, model);
    assert.equal(readJson(join(runDir, 'checkpoint-2', 'config.json')).model_type, 'gpt2');
    assert.ok(readFileSync(join(runDir, 'stages', 'sft', 'metrics.jsonl'), 'utf8').length > 0, 'SFT logs into its own metrics file');
    assert.deepEqual(readRunResult(runDir).metrics.map((m) => m.step), [1, 2], 'the run\'s metrics hold only the policy\'s training');
    const sftCheckpoints = readdirSync(join(runDir, 'stages', 'sft')).filter((name) => name.startsWith('checkpoint-'));
    assert.deepEqual(sftCheckpoints.sort(), ['checkpoint-2', 'checkpoint-4'], 'one epoch of 8 chosen completions in batches of 2 (not max_steps), saved inside stages/sft');
    assert.deepEqual(readdirSync(runDir).filter((name) => name.startsWith('checkpoint-')).sort(), ['checkpoint-2']);
  });
});
