// The bench's workspace: N finished runs of S logged steps each, in the engine's run folder format (the fixture
// writer of the integration suite: run.json, status.json, metrics.jsonl, checkpoint-<step>/ with trainer_state.json,
// evals/<step>/ with summary.json and samples.jsonl), plus one running run at half its steps that the metrics
// writer extends while the bench measures. The finished runs take a while to write (≈180 MB for 200 × 2,000), so
// they are kept between bench runs; the live run is rewritten every time (its lock names this launcher's pid).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFixtureRun, type FixtureRun } from '../../test/fixtures/workspace/fixtureRuns';

export interface BenchWorkspaceOptions {
  readonly runs: number;
  readonly steps: number;
}

export interface BenchWorkspace {
  readonly root: string;
  /** Names of the finished runs, sorted as the Runs view sorts them. */
  readonly finished: readonly string[];
  /** The running run's folder name (also in the Runs view); the metrics writer appends to it. */
  readonly live: FixtureRun;
}

const losses = ['qrpo', 'dpo', 'simpo', 'rebel'] as const;
const transforms = ['identity', 'log', 'sqrt'] as const;

/** A checkpoint (and an evaluation) every quarter of the run. */
function quarters(steps: number): number[] {
  return [1, 2, 3, 4].map((q) => Math.round((steps * q) / 4));
}

export function liveRun(steps: number): FixtureRun {
  return { name: 'live-run', state: 'running', loss: 'qrpo', beta: 0.1, transform: 'identity', steps: steps / 2, totalSteps: steps, checkpoints: quarters(steps).slice(0, 2), seed: 9999 };
}

export function ensureBenchWorkspace(folder: string, options: BenchWorkspaceOptions, ownerPid: number): BenchWorkspace {
  const root = join(folder, `workspace-${options.runs}x${options.steps}`);
  const runsFolder = join(root, 'runs');
  const complete = join(root, '.complete');
  const finished = Array.from({ length: options.runs - 1 }, (_, i) => `run-${String(i + 1).padStart(3, '0')}`);
  const paths = { ownerPid, deadPid: 999_999_999, dataset: '../../data/train.jsonl', model: '../../models/policy' };
  if (!existsSync(complete)) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(runsFolder, { recursive: true });
    const started = Date.now();
    finished.forEach((name, i) => {
      const run: FixtureRun = {
        name,
        state: 'done',
        loss: losses[i % losses.length],
        beta: [0.01, 0.1, 1][i % 3],
        transform: transforms[i % transforms.length],
        steps: options.steps,
        totalSteps: options.steps,
        checkpoints: quarters(options.steps),
        seed: i + 1,
      };
      writeFixtureRun(runsFolder, run, paths);
      if ((i + 1) % 50 === 0) console.log(`bench: wrote ${i + 1}/${finished.length} runs (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    });
    writeFileSync(complete, `${new Date().toISOString()}\n`);
  }
  const live = liveRun(options.steps);
  rmSync(join(runsFolder, live.name), { recursive: true, force: true });
  writeFixtureRun(runsFolder, live, paths);
  return { root, finished, live };
}
