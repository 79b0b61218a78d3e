// The stage pipeline: stages run in order and complete ones are skipped, a run that failed or was killed mid-stage
// resumes and completes, failures are recorded for people (no stack for a user's mistake, the stack in run.log for
// a bug), progress reaches status.json and events, and the quantiles stage writes what `qrpo prepare` writes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline, type Stage } from '../../../src/qrpo/run/pipeline';
import { RunFolder, RUN_FILES } from '../../../src/qrpo/run/runFolder';
import { quantilesStage, preparedFile } from '../../../src/qrpo/run/stages/quantilesStage';
import { ProgressRenderer, progressLine } from '../../../src/qrpo/run/progressRenderer';
import { ProgressReporter } from '../../../src/qrpo/run/progressReporter';
import type { RunEvent } from '../../../src/qrpo/run/events';
import { ConfigError } from '../../../src/qrpo/errors';
import { quantileReward } from '../../../src/qrpo/math';
import { configIn, scratch } from './runTestKit';

/** A stage that writes items/<i> one by one and done.json at the end; it resumes from the items already written. */
function itemStage(name: string, count: number, options: { crashAt?: number; log?: string[] } = {}): Stage {
  return {
    name,
    isComplete: async ({ folder }) => existsSync(join(folder.stageDir(name), 'done.json')),
    async run({ stageDir, progress, signal }) {
      options.log?.push(name);
      mkdirSync(join(stageDir, 'items'), { recursive: true });
      const present = readdirSync(join(stageDir, 'items')).length;
      progress.start(count, present);
      for (let i = present; i < count; i++) {
        signal.throwIfAborted();
        if (i === options.crashAt) throw new Error(`simulated crash at item ${i}`);
        writeFileSync(join(stageDir, 'items', String(i)), '');
        progress.advance();
      }
      writeFileSync(join(stageDir, 'done.json'), '{}');
    },
  };
}

async function newRun(extra = ''): Promise<RunFolder> {
  return RunFolder.create(configIn(scratch(), extra));
}

describe('stage pipeline', () => {
  test('runs stages in order and records each as done', async () => {
    const folder = await newRun();
    const ran: string[] = [];
    const events: RunEvent[] = [];
    const outcome = await runPipeline(folder, [itemStage('a', 3, { log: ran }), itemStage('b', 2, { log: ran })], { onEvent: (event) => events.push(event) });
    assert.deepEqual(outcome, { state: 'done' });
    assert.deepEqual(ran, ['a', 'b']);
    const status = await folder.readStatus();
    assert.equal(status?.state, 'done');
    assert.deepEqual(status?.stages.map((s) => [s.name, s.state, s.done, s.total]), [['a', 'done', 3, 3], ['b', 'done', 2, 2]]);
    assert.ok(status?.stages.every((s) => s.startedAt !== null && s.finishedAt !== null));
    const names = events.filter((e) => e.event !== 'progress').map((e) => (e.event === 'stage_started' || e.event === 'stage_finished' ? `${e.event}:${e.stage}` : e.event));
    assert.deepEqual(names, ['stage_started:a', 'stage_finished:a', 'stage_started:b', 'stage_finished:b', 'run_finished']);
    assert.ok(events.some((e) => e.event === 'progress' && e.stage === 'a' && e.done === 3 && e.total === 3), 'the final progress of a stage is always sent');
  });

  test('skips stages whose output is complete', async () => {
    const folder = await newRun();
    await runPipeline(folder, [itemStage('a', 2)]);
    const ran: string[] = [];
    const events: RunEvent[] = [];
    await runPipeline(folder, [itemStage('a', 2, { log: ran }), itemStage('b', 2, { log: ran })], { onEvent: (event) => events.push(event) });
    assert.deepEqual(ran, ['b']);
    assert.ok(events.some((e) => e.event === 'stage_finished' && e.stage === 'a' && e.skipped));
    const status = await folder.readStatus();
    assert.deepEqual(status?.stages.map((s) => [s.name, s.state, s.skipped ?? false]), [['a', 'done', true], ['b', 'done', false]]);
  });

  test('a stage that crashes midway is failed with its stack in run.log; the rerun skips what is done and completes', async () => {
    const folder = await newRun();
    const first = await runPipeline(folder, [itemStage('a', 2), itemStage('b', 10, { crashAt: 6 })]);
    assert.equal(first.state, 'failed');
    assert.equal(first.error, `internal error: simulated crash at item 6 (stack trace in ${folder.path(RUN_FILES.log)})`);
    const failed = await folder.readStatus();
    assert.equal(failed?.state, 'failed');
    assert.equal(failed?.error, first.error);
    assert.deepEqual(failed?.stages.map((s) => [s.name, s.state, s.done]), [['a', 'done', 2], ['b', 'failed', 6]]);
    const log = readFileSync(folder.path(RUN_FILES.log), 'utf8');
    assert.match(log, /error stage b: Error: simulated crash at item 6\n +at /);

    const ran: string[] = [];
    const second = await runPipeline(folder, [itemStage('a', 2, { log: ran }), itemStage('b', 10, { log: ran })]);
    assert.equal(second.state, 'done');
    assert.deepEqual(ran, ['b']);
    const done = await folder.readStatus();
    assert.equal(done?.state, 'done');
    assert.equal(done?.error, undefined);
    assert.equal(readdirSync(join(folder.stageDir('b'), 'items')).length, 10);
  });

  test("a user's mistake fails the run with its message alone", async () => {
    const folder = await newRun();
    const bad: Stage = { name: 'bad', isComplete: async () => false, run: async () => { throw new ConfigError('reward model folder rm has no config.json', 'Point reward.path at a model folder'); } };
    const events: RunEvent[] = [];
    const outcome = await runPipeline(folder, [bad], { onEvent: (event) => events.push(event) });
    assert.equal(outcome.error, 'reward model folder rm has no config.json. Point reward.path at a model folder');
    assert.ok(events.some((e) => e.event === 'error' && e.message === outcome.error && e.stage === 'bad'));
    assert.doesNotMatch(readFileSync(folder.path(RUN_FILES.log), 'utf8'), /\n {4}at /);
  });

  test('a run killed mid-stage (SIGKILL) resumes: the dead lock is taken over and the finished stage skipped', async () => {
    const folder = await newRun();
    // The child runs quantiles, then a stage that never ends; we kill it there.
    const child = spawn(process.execPath, ['-e', `
      const { runPipeline, RunFolder, quantilesStage } = require(${JSON.stringify(join(__dirname, 'pipelineChild.js'))});
      const spin = { name: 'train', isComplete: async () => false, run: async ({ progress }) => { progress.start(100); await new Promise(() => setInterval(() => progress.advance(), 5)); } };
      RunFolder.open(${JSON.stringify(folder.dir)}).then((f) => runPipeline(f, [quantilesStage(), spin]));
    `], { stdio: 'inherit' });
    const started = Date.now();
    while ((await folder.readStatus())?.stages.find((s) => s.name === 'train')?.state !== 'running') {
      assert.ok(Date.now() - started < 15_000, 'the child reached the train stage');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal((await folder.readStatus())?.state, 'running', 'a killed run leaves its last status behind');

    const events: RunEvent[] = [];
    const ran: string[] = [];
    const outcome = await runPipeline(folder, [quantilesStage(), itemStage('train', 3, { log: ran })], { onEvent: (event) => events.push(event) });
    assert.equal(outcome.state, 'done');
    assert.deepEqual(ran, ['train']);
    assert.ok(events.some((e) => e.event === 'warning' && /^took over the lock of .*: process \d+ .* is no longer running$/.test(e.message)));
    assert.ok(events.some((e) => e.event === 'stage_finished' && e.stage === 'quantiles' && e.skipped));
  });

  test('an abort signal stops the run between stages and marks it stopped', async () => {
    const folder = await newRun();
    const controller = new AbortController();
    const stopper: Stage = { name: 'a', isComplete: async () => false, run: async () => controller.abort() };
    const outcome = await runPipeline(folder, [stopper, itemStage('b', 2)], { signal: controller.signal });
    assert.equal(outcome.state, 'stopped');
    const status = await folder.readStatus();
    assert.deepEqual(status?.stages.map((s) => [s.name, s.state]), [['a', 'done'], ['b', 'pending']]);
    assert.equal(status?.state, 'stopped');
  });

  test('appendMetrics writes metrics.jsonl, emits metrics events and ignores replayed steps', async () => {
    const folder = await newRun();
    const events: RunEvent[] = [];
    const training: Stage = {
      name: 'train',
      isComplete: async () => false,
      async run(context) {
        for (const step of [10, 20, 20, 10, 30]) await context.appendMetrics(step, { loss: 1 / step, 'rewards/margins': 0.1 });
        context.setStep(30, 30);
      },
    };
    await runPipeline(folder, [training], { onEvent: (event) => events.push(event) });
    assert.deepEqual((await folder.readMetrics()).map((r) => r.step), [10, 20, 30]);
    assert.deepEqual(events.filter((e) => e.event === 'metrics').map((e) => (e as { step: number }).step), [10, 20, 30]);
    const status = await folder.readStatus();
    assert.deepEqual([status?.step, status?.totalSteps], [30, 30]);
  });
});

describe('quantiles stage', () => {
  test('writes every record with its quantile and target, and a summary; then counts as complete', async () => {
    const folder = await newRun('beta: 0.1\n');
    const outcome = await runPipeline(folder, [quantilesStage()]);
    assert.equal(outcome.state, 'done', outcome.error);
    const rows = readFileSync(preparedFile({ folder }), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(rows.length, 48);
    for (const row of rows) assert.equal(row.quantile, quantileReward(row.ref_rewards, row.reward));
    const summary = JSON.parse(readFileSync(join(folder.stageDir('quantiles'), 'train.prepared.summary.json'), 'utf8'));
    assert.equal(summary.records, 48);
    assert.equal(summary.prompts, 24);
    assert.equal(summary.numRef, 8);
    const status = await folder.readStatus();
    assert.deepEqual([status?.stages[0].done, status?.stages[0].total], [48, 48]);
    const events: RunEvent[] = [];
    await runPipeline(folder, [quantilesStage()], { onEvent: (event) => events.push(event) });
    assert.ok(events.some((e) => e.event === 'stage_finished' && e.skipped));
  });

  test('a missing summary means the stage is redone', async () => {
    const folder = await newRun();
    await runPipeline(folder, [quantilesStage()]);
    const summary = join(folder.stageDir('quantiles'), 'train.prepared.summary.json');
    writeFileSync(summary, '{"records": ');
    const ran: RunEvent[] = [];
    await runPipeline(folder, [quantilesStage()], { onEvent: (event) => ran.push(event) });
    assert.ok(ran.some((e) => e.event === 'stage_started' && e.stage === 'quantiles'));
    assert.equal(JSON.parse(readFileSync(summary, 'utf8')).records, 48);
  });
});

describe('progress and its rendering', () => {
  test('the ETA comes from the recent rate', () => {
    let now = 0;
    const snapshots: { etaSeconds: number | null }[] = [];
    const reporter = new ProgressReporter((snapshot) => snapshots.push(snapshot), { now: () => now });
    reporter.start(1000, 100); // resumed at 100: the first 100 do not count towards the rate
    now = 10_000;
    reporter.update(200); // 10 per second
    assert.equal(snapshots.at(-1)!.etaSeconds, 80);
    now = 20_000;
    reporter.update(400); // 15 per second over the window
    assert.equal(snapshots.at(-1)!.etaSeconds, 40);
  });

  test('progress events are throttled but the last one always goes out', () => {
    let now = 0;
    const notified: number[] = [];
    const reporter = new ProgressReporter((snapshot, notify) => notify && notified.push(snapshot.done), { now: () => now, eventIntervalMs: 200 });
    reporter.start(100);
    for (let i = 1; i <= 100; i++) {
      now += 10;
      reporter.update(i);
    }
    assert.deepEqual(notified, [0, 20, 40, 60, 80, 100]);
  });

  test('a TTY gets a bar redrawn in place; a log gets a line per tenth', () => {
    assert.equal(progressLine('quantiles', 450, 1000, 12, 80), 'quantiles  [██████████████████░░░░░░░░░░░░░░░░░░░░░░]  45%  450/1000  ETA 0:12');
    assert.equal(progressLine('sampling', 7, null, null), 'sampling  7  ETA --:--');
    const tty: string[] = [];
    const plain: string[] = [];
    const ttyRenderer = new ProgressRenderer({ write: (text: string) => tty.push(text), isTTY: true, columns: 80 });
    const plainRenderer = new ProgressRenderer({ write: (text: string) => plain.push(text) });
    const time = '2025-01-01T00:00:00.000Z';
    const events: RunEvent[] = [
      { event: 'stage_started', stage: 'quantiles', index: 2, stages: 6, total: 100, time },
      ...Array.from({ length: 100 }, (_, i): RunEvent => ({ event: 'progress', stage: 'quantiles', done: i + 1, total: 100, etaSeconds: 99 - i, ratePerSecond: 1, time })),
      { event: 'stage_finished', stage: 'quantiles', state: 'done', skipped: false, seconds: 100, time },
    ];
    for (const event of events) {
      ttyRenderer.handle(event);
      plainRenderer.handle(event);
    }
    assert.equal(plain.length, 13);
    assert.equal(plain[0], '[3/6] quantiles\n');
    assert.equal(plain[1], `quantiles  [${'░'.repeat(40)}]   1%  1/100  ETA 1:39\n`);
    assert.equal(plain[11], `${progressLine('quantiles', 100, 100, 0)}\n`);
    assert.equal(plain[12], 'quantiles: done in 1:40\n');
    assert.ok(tty.slice(1, 101).every((text) => text.startsWith('\r\x1b[2K') && !text.endsWith('\n')));
    assert.deepEqual(tty.slice(-2), ['\r\x1b[2K', 'quantiles: done in 1:40\n']);
  });
});
