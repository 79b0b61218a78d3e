// Crash soak: a small real run (tiny generated GPT-2, ten prompt pairs, a reward module;
// every stage, training with several checkpoints) runs once uninterrupted, then each trial starts the same config
// in a fresh run folder and SIGKILLs `qrpo run`/`qrpo resume` at random moments (one to --max-kills kills per trial:
// the first at a uniform moment of one stage, taking the stages in turn, timed from that stage's start event and
// spread over its duration in the uninterrupted run; the others uniform over the whole expected duration from the
// spawn), resumes until the run is done and checks the folder (test/unit/runCommands/crashKit.ts):
// every JSON file parses (after each kill too), nothing torn or temporary under a final name, metrics.jsonl holds
// exactly the uninterrupted run's steps and values, and the final weights are equal bit for bit.
//   node scripts/build.mjs --no-typecheck && node bench/run.mjs crashSoak [--trials 50] [--max-kills 3] [--seed 1]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkRunFolder, crashTrial, readRunResult, runCli, type Kill } from '../test/unit/runCommands/crashKit';
import { writeRunConfig, writeRunWorkspace, type RunFixtureOptions } from '../test/unit/runCommands/runFixture';
import { mulberry32 } from '../test/fixtures/workspace/fixtureRandom';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '50' },
    'max-kills': { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
  },
});
const trials = Number(values.trials);
const maxKills = Number(values['max-kills']);
const cli = resolve(__dirname, '../../dist/cli.js');
const RUN: RunFixtureOptions = { maxSteps: Number(values.steps), saveSteps: 7, numSamples: 6, maxNewTokens: 12 };


async function main(): Promise<number> {
  if (!existsSync(cli)) {
    console.error(`crash soak: ${cli} is missing; build first (node scripts/build.mjs --no-typecheck)`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'qrpo-crash-soak-'));
  const started = Date.now();
  try {
    await writeRunWorkspace(dir);
    const baselineRun = writeRunConfig(dir, 'baseline', RUN);
    const spawnedAt = Date.now();
    const baseline = await runCli(cli, ['run', baselineRun.config]);
    if (baseline.code !== 0) throw new Error(`the uninterrupted run failed: ${baseline.stderr}`);
    // Each stage's window in the uninterrupted run, in ms after the spawn.
    const windows = new Map<string, [number, number]>();
    for (const event of baseline.events) {
      const at = Date.parse(event.time as string) - spawnedAt;
      if (event.event === 'stage_started') windows.set(event.stage as string, [at, at]);
      if (event.event === 'stage_finished') windows.get(event.stage as string)![1] = at;
    }
    const durationMs = baseline.seconds * 1000;
    const reference = readRunResult(baselineRun.runDir);
    const baselineCheck = checkRunFolder(baselineRun.runDir, { finished: true });
    if (baselineCheck.problems.length > 0) throw new Error(`the uninterrupted run's folder has problems: ${baselineCheck.problems.join('; ')}`);
    console.log(
      `uninterrupted run: ${baseline.seconds.toFixed(2)} s, ${reference.metrics.length} logged steps, final ${reference.finalCheckpoint.split('/').pop()}; ` +
        `stages (ms after spawn): ${[...windows].map(([stage, [a, b]]) => `${stage} ${a}–${b}`).join(', ')}`,
    );
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, threads 1; ${trials} trials, 1–${maxKills} kills each, seed ${values.seed}`);

    // The kill schedule is reproducible from --seed.
    const rand = mulberry32(Number(values.seed));
    const stages = [...windows.keys()];
    const landed = new Map<string, number>();
    let passed = 0;
    let leftovers = 0;
    let processes = 0;
    for (let trial = 0; trial < trials; trial++) {
      const kills = 1 + Math.floor(rand() * maxKills);
      const schedule: Kill[] = Array.from({ length: kills }, (_, k) => {
        if (k > 0) return { afterMs: Math.round(rand() * durationMs) };
        const stage = stages[trial % stages.length];
        const [a, b] = windows.get(stage)!;
        return { stage, afterMs: Math.round(rand() * Math.max(1, b - a)) };
      });
      const run = writeRunConfig(dir, `trial-${trial}`, RUN);
      const outcome = await crashTrial(cli, run.config, run.runDir, schedule, reference);
      processes += outcome.processes;
      leftovers += outcome.leftovers.length;
      for (const stage of outcome.killedIn) landed.set(stage, (landed.get(stage) ?? 0) + 1);
      const ok = outcome.problems.length === 0;
      if (ok) passed++;
      const shown = schedule.map((k) => (k.stage ? `${k.stage}+${k.afterMs}` : `${k.afterMs}`)).join(', ');
      console.log(`trial ${trial + 1}: kills at ${shown} ms, landed in [${outcome.killedIn.join(', ')}] → ${ok ? 'ok' : `FAILED: ${outcome.problems.join('; ')}`}${outcome.leftovers.length ? ` (hidden leftovers: ${outcome.leftovers.join(', ')})` : ''}`);
      if (ok && !values.keep) rmSync(run.runDir, { recursive: true, force: true });
    }
    const kills = [...landed.values()].reduce((a, b) => a + b, 0);
    console.log(`kills: ${kills} in ${processes} processes; landed in ${[...landed].sort().map(([stage, n]) => `${stage} ${n}`).join(', ')}`);
    console.log(`hidden temporary leftovers after completion: ${leftovers}; wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(`crash soak: ${trials} trials, ${passed} passed, ${trials - passed} failed`);
    return passed === trials ? 0 : 1;
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
