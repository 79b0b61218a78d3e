// Start Run, Stop Run, Resume Run and Evaluate Checkpoint with the real engine: the bundled dist/cli.js (qrpo.cliPath
// unset) runs the fixture's tiny real run (fixtureLauncherRun.ts) from its config. The tree and the status bar must
// follow the run's own files and events; a stop requested once training has logged its first metrics line lands
// mid-training (the run has hundreds of steps left), leaves the run stopped with a checkpoint of that step, and
// resume continues it to done without a gap or a repeat in metrics.jsonl. A run started from a terminal stops
// through `qrpo stop`. Every wait is on a real event or file, with room for a slow shared machine.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { QrpoExtensionApi } from '../../src/extension/api';
import { engineCliPath } from '../../src/extension/launcher/engineCli';
import type { RunJob } from '../../src/extension/launcher/runJobs';
import { fixtureLauncher } from '../fixtures/workspace/generateFixtureWorkspace';
import { activatedApi, extensionPath, waitFor, workspaceFile } from './support/extension';
import { grantWorkspaceTrust } from './support/workspaceTrust';

/** Generous: the machine is shared and slow; a healthy run takes a few seconds. */
const runTimeoutMs = 120_000;
const steps = fixtureLauncher.maxSteps;

interface Status {
  state: string;
  step: number | null;
  stages: { name: string; state: string; skipped?: boolean }[];
}

const readJson = <T>(folder: vscode.Uri, ...file: string[]) => JSON.parse(readFileSync(join(folder.fsPath, ...file), 'utf8')) as T;
const readStatus = (folder: vscode.Uri) => readJson<Status>(folder, 'status.json');
const checkpointSteps = (folder: vscode.Uri) =>
  readdirSync(folder.fsPath)
    .map((name) => /^checkpoint-(\d+)$/.exec(name)?.[1])
    .filter((step): step is string => step !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
const metricSteps = (folder: vscode.Uri) =>
  readFileSync(join(folder.fsPath, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { step: number }).step);
const stepsUpTo = (last: number) => Array.from({ length: last }, (_, i) => i + 1);

async function treeItem(api: QrpoExtensionApi, folder: vscode.Uri): Promise<vscode.TreeItem> {
  return api.runsTree.getTreeItem(api.runsTree.nodes.run(folder));
}

/** The Runs view shows the run training, read from its status.json and metrics.jsonl: "12/600 · loss 0.69". */
async function treeShowsTraining(api: QrpoExtensionApi, folder: vscode.Uri): Promise<vscode.TreeItem | undefined> {
  const run = api.runsModel.run(folder);
  if (run?.state !== 'running' || run.stage !== 'training' || run.lastMetrics === undefined) return undefined;
  const item = await treeItem(api, folder);
  return item.contextValue === 'run-running' && new RegExp(`^\\d+/${steps} · loss `).test(String(item.description)) ? item : undefined;
}

async function treeShows(api: QrpoExtensionApi, folder: vscode.Uri, state: string): Promise<boolean> {
  return (await treeItem(api, folder)).contextValue === `run-${state}`;
}

/** After a stop: state stopped, training stopped mid-way, a checkpoint of the step reached, metrics up to it. */
function assertStoppedMidTraining(folder: vscode.Uri): number {
  const status = readStatus(folder);
  assert.equal(status.state, 'stopped');
  assert.equal(status.stages.find((s) => s.name === 'training')?.state, 'stopped');
  const step = status.step ?? 0;
  assert.ok(step >= 1 && step < steps, `stopped mid-training, at step ${step} of ${steps}`);
  assert.deepEqual(checkpointSteps(folder), [step], 'the stop saved a checkpoint of the step reached, and only that');
  for (const file of ['config.json', 'model.safetensors', 'optimizer.safetensors', 'trainer_state.json']) {
    assert.ok(existsSync(join(folder.fsPath, `checkpoint-${step}`, file)), `checkpoint-${step} has ${file}`);
  }
  assert.equal(readJson<{ global_step: number }>(folder, `checkpoint-${step}`, 'trainer_state.json').global_step, step);
  assert.deepEqual(metricSteps(folder), stepsUpTo(step), 'one metrics line per step up to the stop');
  return step;
}

/** Resolves once the runs model has fired no change for `quietMs` (at most `timeoutMs`). */
function modelQuiet(api: QrpoExtensionApi, quietMs: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    let timer = setTimeout(done, quietMs);
    const deadline = setTimeout(done, timeoutMs);
    const subscription = api.runsModel.onDidChange(() => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    });
    function done(): void {
      clearTimeout(timer);
      clearTimeout(deadline);
      subscription.dispose();
      resolve();
    }
  });
}

suite('Launcher (the real engine CLI)', () => {
  const config = () => workspaceFile(fixtureLauncher.config);
  const runFolder = () => workspaceFile(fixtureLauncher.runFolder);
  let stoppedAt: number | undefined;
  let terminalRun: ChildProcess | undefined;

  suiteSetup(grantWorkspaceTrust);

  suiteTeardown(async function () {
    this.timeout(3 * runTimeoutMs);
    if (terminalRun?.exitCode === null && terminalRun.signalCode === null) terminalRun.kill('SIGTERM');
    rmSync(workspaceFile(fixtureLauncher.folder, 'runs').fsPath, { recursive: true, force: true });
    // The next suites expect the fixture runs only, and a rediscovery still pending from these deletions would
    // land in the middle of their watcher tests: wait until the model has dropped both runs and gone quiet.
    const api = await activatedApi();
    await waitFor('the launcher runs to leave the tree', () => !api.runsModel.run(runFolder()) && !api.runsModel.run(workspaceFile(fixtureLauncher.terminalRunFolder)), runTimeoutMs);
    await modelQuiet(api, 1_000, runTimeoutMs);
  });

  test('runs the bundled dist/cli.js when qrpo.cliPath is unset', () => {
    assert.ok(!vscode.workspace.getConfiguration('qrpo').get<string>('cliPath'), 'qrpo.cliPath is unset');
    const cli = join(extensionPath(), 'dist', 'cli.js');
    assert.equal(engineCliPath(extensionPath()), cli);
    assert.ok(existsSync(cli), 'the suite runs after a build');
  });

  test('Start Run runs the config; the status bar and the tree follow the run; Stop Run stops it mid-training with a checkpoint', async function () {
    this.timeout(3 * runTimeoutMs);
    const api = await activatedApi();
    const job = await vscode.commands.executeCommand<RunJob>('qrpo.startRun', config());
    assert.ok(job, 'the command resolves with the job');
    assert.deepEqual(job.start.args, ['run', config().fsPath, '--json']);

    // Events: the status bar shows the job's stage and step as `--json` reports them.
    await waitFor('training progress in the status bar', () => new RegExp(`QRPO run tiny: training \\(5/6\\) \\d+/${steps}`).test(api.runStatusBar.item.text), runTimeoutMs);
    // Files: the new run appears in the tree at top level, training, with its last logged loss.
    await waitFor('the tree to show the run training, with its loss', () => treeShowsTraining(api, runFolder()), runTimeoutMs);
    assert.equal(api.runsTree.getParent(api.runsTree.nodeFor(runFolder())!), undefined);
    assert.equal(readJson<{ engineVersion: string }>(runFolder(), 'run.json').engineVersion, vscode.extensions.getExtension('qrpo-lab.qrpo-lab')?.packageJSON.version);

    assert.equal(await vscode.commands.executeCommand('qrpo.stopRun', api.runsTree.nodes.run(runFolder())), true);
    const outcome = await job.outcome;
    assert.equal(outcome.state, 'stopped', outcome.message);
    assert.equal(outcome.runDir, runFolder().fsPath);
    stoppedAt = assertStoppedMidTraining(runFolder());

    await waitFor('the tree to show the run stopped at its step', async () => {
      const item = await treeItem(api, runFolder());
      return item.contextValue === 'run-stopped' && String(item.description).startsWith(`stopped · ${stoppedAt}/${steps}`);
    }, runTimeoutMs);
    await waitFor('the checkpoint under the run', async () => (await api.runsModel.runDetails(runFolder())).checkpoints.includes(stoppedAt!), runTimeoutMs);
    assert.equal(api.runJobs.active().length, 0);
  });

  test('Resume Run continues the stopped run to done, without a gap or a repeat', async function () {
    this.timeout(3 * runTimeoutMs);
    assert.ok(stoppedAt, 'the previous test stopped the run');
    const api = await activatedApi();
    const job = await vscode.commands.executeCommand<RunJob>('qrpo.resumeRun', api.runsTree.nodes.run(runFolder()));
    assert.ok(job);
    assert.deepEqual(job.start.args, ['resume', runFolder().fsPath, '--json']);
    const outcome = await job.outcome;
    assert.equal(outcome.state, 'done', outcome.message);

    const status = readStatus(runFolder());
    assert.deepEqual([status.state, status.step], ['done', steps]);
    assert.ok(status.stages.every((s) => s.state === 'done'), JSON.stringify(status.stages));
    assert.ok(status.stages.find((s) => s.name === 'reference_logps')?.skipped, 'stages complete before the stop are skipped');
    assert.deepEqual(metricSteps(runFolder()), stepsUpTo(steps), `resumed after step ${stoppedAt} without a gap or a repeat`);
    assert.deepEqual(checkpointSteps(runFolder()), [stoppedAt, steps]);
    assert.ok(existsSync(join(runFolder().fsPath, 'evals', String(steps), 'summary.json')), 'the run evaluated its last checkpoint');

    await waitFor('the tree to show the run done', () => treeShows(api, runFolder(), 'done'), runTimeoutMs);
    await waitFor('the status bar to drop the job', () => !api.runJobs.active().length && !api.runStatusBar.item.text.includes('QRPO resume'));
  });

  test('Evaluate Checkpoint runs `qrpo eval` on a checkpoint and the tree shows the evaluation under it', async function () {
    this.timeout(2 * runTimeoutMs);
    assert.ok(stoppedAt, 'the first test stopped the run');
    const api = await activatedApi();
    const checkpoint = api.runsTree.nodes.checkpoint(runFolder(), stoppedAt);
    const job = await vscode.commands.executeCommand<RunJob>('qrpo.evaluateCheckpoint', checkpoint);
    assert.ok(job);
    assert.deepEqual(job.start.args, ['eval', runFolder().fsPath, '--checkpoint', String(stoppedAt), '--json']);
    const outcome = await job.outcome;
    assert.equal(outcome.state, 'done', outcome.message);
    const evalDir = join(runFolder().fsPath, 'evals', String(stoppedAt));
    assert.equal(outcome.evalDir, evalDir);

    const summary = readJson<{ step: number; splits: { all: { meanQuantile: number; quantileHistogram: number[] } } }>(runFolder(), 'evals', String(stoppedAt), 'summary.json');
    assert.equal(summary.step, stoppedAt);
    assert.ok(summary.splits.all.meanQuantile >= 0 && summary.splits.all.meanQuantile <= 1);
    assert.equal(summary.splits.all.quantileHistogram.length, 20);
    assert.ok(readFileSync(join(evalDir, 'samples.jsonl'), 'utf8').trim().split('\n').length > 0);

    await waitFor('the evaluation under its checkpoint', async () => (await api.runsModel.runDetails(runFolder())).evaluations.some((e) => e.step === stoppedAt && e.meanQuantile !== undefined), runTimeoutMs);
    assert.equal((await api.runsTree.getTreeItem(checkpoint)).description, undefined, 'no longer "not evaluated"');
  });

  test('Stop Run stops a run started from a terminal through `qrpo stop`', async function () {
    this.timeout(3 * runTimeoutMs);
    const api = await activatedApi();
    const folder = workspaceFile(fixtureLauncher.terminalRunFolder);
    terminalRun = spawn(process.execPath, [join(extensionPath(), 'dist', 'cli.js'), 'run', workspaceFile(fixtureLauncher.terminalConfig).fsPath], {
      cwd: workspaceFile(fixtureLauncher.folder).fsPath,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: 'ignore',
    });
    const child = terminalRun;
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    await waitFor('the tree to show the terminal run training', () => treeShowsTraining(api, folder), runTimeoutMs);
    assert.equal(api.runJobs.jobFor(folder), undefined, 'not a job of this window');
    assert.equal(await vscode.commands.executeCommand('qrpo.stopRun', api.runsTree.nodes.run(folder)), true);
    assert.equal(await exited, 0, 'the engine finished the step, saved and exited');
    assertStoppedMidTraining(folder);
    await waitFor('the tree to show the terminal run stopped', () => treeShows(api, folder, 'stopped'), runTimeoutMs);
  });

  test('Resume refuses a run that is running', async () => {
    const result = await vscode.commands.executeCommand('qrpo.resumeRun', workspaceFile('runs', 'qrpo-beta-0.01-log'));
    assert.equal(result, undefined);
  });

  test('Evaluate Checkpoint reports the engine\'s failure on a checkpoint without weights as a message', async () => {
    const api = await activatedApi();
    const folder = workspaceFile('runs', 'qrpo-beta-0.1-identity');
    const job = await vscode.commands.executeCommand<RunJob>('qrpo.evaluateCheckpoint', api.runsTree.nodes.checkpoint(folder, 100));
    assert.ok(job);
    assert.deepEqual(job.start.args.slice(0, 4), ['eval', folder.fsPath, '--checkpoint', '100']);
    const outcome = await job.outcome;
    assert.equal(outcome.state, 'failed');
    assert.ok(outcome.message && outcome.message.length > 10, `a message for people: ${outcome.message}`);
  });
});
