// Crash safety in CI (the 50-trial soak is bench/crashSoak.ts): `qrpo run`/`resume` SIGKILLed in a data stage, in
// training (twice in a row) and in evaluation, each resumed to the end: nothing torn, metrics hold exactly the
// uninterrupted run's steps and values, and the final weights equal the uninterrupted run's bit for bit; a LoRA run
// killed in training resumes its adapter exactly too. `qrpo status` calls a killed run killed.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { crashTrial, readRunResult, runCli, type Kill, type RunResult } from './crashKit';
import { writeRunConfig, writeRunWorkspace, type RunFixtureOptions } from './runFixture';

const cli = resolve(__dirname, '../../../../dist/cli.js');
const dir = temporaryFolder('qrpo-crash-');
const RUN: RunFixtureOptions = { maxSteps: 24, saveSteps: 5 };
const LORA: RunFixtureOptions = { ...RUN, extra: 'use_peft: true\nlora_r: 2\nlora_alpha: 4' };

let trials = 0;
async function baselineOf(options: RunFixtureOptions): Promise<RunResult> {
  const { config, runDir } = writeRunConfig(dir, `baseline-${++trials}`, options);
  const run = await runCli(cli, ['run', config]);
  assert.equal(run.code, 0, run.stderr);
  return readRunResult(runDir);
}

async function trial(kills: Kill[], baseline: RunResult, options: RunFixtureOptions = RUN) {
  const { config, runDir } = writeRunConfig(dir, `trial-${++trials}`, options);
  const outcome = await crashTrial(cli, config, runDir, kills, baseline);
  assert.deepEqual(outcome.problems, [], `kills landed in [${outcome.killedIn.join(', ')}]`);
  return { ...outcome, runDir, config };
}

let baseline: RunResult;
before(async () => {
  await writeRunWorkspace(dir);
  baseline = await baselineOf(RUN);
});

describe('a run killed at any moment resumes', () => {
  test('killed in reference sampling, then in reference log-probs', async () => {
    await trial([{ stage: 'reference_sampling', afterMs: 20 }, { stage: 'reference_logps', afterMs: 5 }], baseline);
  });

  test('killed twice in training: resumed from the latest checkpoint, replayed steps are not logged twice', async () => {
    assert.deepEqual(baseline.metrics.map((m) => m.step), Array.from({ length: 24 }, (_, i) => i + 1));
    const outcome = await trial([{ stage: 'training', afterMs: 40 }, { stage: 'training', afterMs: 40 }], baseline);
    assert.ok(outcome.killedIn.length >= 1);
  });

  test('killed in evaluation; status calls a killed run killed', async () => {
    const { config, runDir } = writeRunConfig(dir, `trial-${++trials}`, RUN);
    const killed = await runCli(cli, ['run', config], { kill: { stage: 'training', afterMs: 30 } });
    if (killed.killed) {
      const status = JSON.parse(spawnSync(process.execPath, [cli, 'status', runDir, '--json'], { encoding: 'utf8' }).stdout);
      assert.equal(status.state, 'killed');
    }
    await trial([{ stage: 'evaluation', afterMs: 10 }], baseline);
  });

  test('a LoRA run killed in training resumes its adapter bit for bit', async () => {
    const lora = await baselineOf(LORA);
    await trial([{ stage: 'training', afterMs: 50 }], lora, LORA);
  });
});
