// The Runs view on the fixture workspace: one item per run with its state icon, numbers and context value; stages,
// checkpoints and evaluations below; a MarkdownString tooltip; live updates of the running run from its files as
// the engine writes them (outside VS Code, so only the watchers can notice), touching only that run; a run folder
// that appears and is written at once shows its latest state without a Refresh.
import * as assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunsChange } from '../../src/extension/runs/runsModel';
import { readLastMetrics } from '../../src/extension/runs/metricsTail';
import { fixtureRuns } from '../fixtures/workspace/generateFixtureWorkspace';
import { fixtureStageNames, metricsRows, runStatus, type FixtureRun } from '../fixtures/workspace/fixtureRuns';
import { activatedApi, delay, takeScreenshot, waitFor, workspaceFile } from './support/extension';

const running = fixtureRuns.find((run) => run.state === 'running')!;

async function runItems() {
  const api = await activatedApi();
  const nodes = await api.runsTree.getChildren();
  const items = await Promise.all(nodes.map((node) => api.runsTree.getTreeItem(node)));
  return { api, nodes, byName: new Map(items.map((item, i) => [String(item.label), { item, node: nodes[i] }])) };
}

function iconId(item: vscode.TreeItem): string | undefined {
  return (item.iconPath as vscode.ThemeIcon | undefined)?.id;
}

/** As the engine writes (src/qrpo/run/atomicFile.ts): a temporary file beside the target, renamed over it. */
function writeJsonAtomically(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

function nextChange(api: Awaited<ReturnType<typeof activatedApi>>, accept: (change: RunsChange) => boolean): Promise<RunsChange> {
  return new Promise((resolve) => {
    const subscription = api.runsModel.onDidChange((change) => {
      if (!accept(change)) return;
      subscription.dispose();
      resolve(change);
    });
  });
}

suite('Runs view', () => {
  test('opens in the QRPO container', async () => {
    const api = await activatedApi();
    await vscode.commands.executeCommand('workbench.view.extension.qrpo');
    await waitFor('the Runs view to become visible', () => api.runsTreeView.visible);
  });

  test('lists every fixture run with its state icon, context value and key numbers', async () => {
    const { byName } = await runItems();
    for (const run of fixtureRuns) assert.ok(byName.has(run.name), `${run.name} listed`);
    const expected: Record<string, [string, string]> = {
      done: ['pass', 'run-done'],
      running: ['sync~spin', 'run-running'],
      failed: ['error', 'run-failed'],
      stopped: ['debug-pause', 'run-stopped'],
      crashed: ['warning', 'run-crashed'],
      fresh: ['circle-outline', 'run-unknown'],
    };
    for (const run of fixtureRuns) {
      const { item } = byName.get(run.name)!;
      assert.deepEqual([iconId(item), item.contextValue], expected[run.state], run.name);
    }
    const last = metricsRows(running).at(-1)!;
    // The latest evaluation's q̄ joins once someone has expanded the run (an earlier suite may have).
    const loss = Number(last.loss.toPrecision(3)).toString().replace('.', '\\.');
    assert.match(String(byName.get(running.name)!.item.description), new RegExp(`^137/300 · loss ${loss}( · q̄ 0\\.\\d\\d)?$`));
    assert.match(String(byName.get('rebel-crashed')!.item.description), /^crashed · 212\/300 · loss /);
    assert.equal(byName.get('fresh-run')!.item.description, undefined);
  });

  test('a run expands to its stages with progress, and its checkpoints with their evaluations', async () => {
    const { api, byName } = await runItems();
    const runNode = byName.get(running.name)!.node;
    const children = await api.runsTree.getChildren(runNode);
    const items = await Promise.all(children.map((node) => api.runsTree.getTreeItem(node)));
    assert.deepEqual(items.map((i) => i.label), ['reference sampling', 'reward scoring', 'quantiles', 'reference logps', 'training', 'evaluation', 'Checkpoints']);
    assert.equal(items[0].description, 'skipped (already complete)');
    assert.equal(items[4].description, '137/300 · ETA 1m 13s');
    assert.equal(iconId(items[4]), 'sync~spin');
    assert.equal(iconId(items[1]), 'check');

    const checkpoints = await api.runsTree.getChildren(children.at(-1));
    const checkpointItems = await Promise.all(checkpoints.map((node) => api.runsTree.getTreeItem(node)));
    assert.deepEqual(checkpointItems.map((i) => i.label), ['start model', 'checkpoint-100']);
    assert.deepEqual(checkpointItems.map((i) => i.contextValue), ['checkpoint-start', 'checkpoint']);
    const [evaluation] = await api.runsTree.getChildren(checkpoints[1]);
    const evaluationItem = await api.runsTree.getTreeItem(evaluation);
    assert.equal(evaluationItem.contextValue, 'evaluation');
    assert.match(String(evaluationItem.description), /^q̄ 0\.\d{3} · r̄ -?\d/);
    assert.equal(evaluationItem.command?.command, 'qrpo.openResults');

    // getParent walks back up to the run, so reveal can open the path.
    assert.equal(api.runsTree.getParent(evaluation), checkpoints[1]);
    assert.equal(api.runsTree.getParent(checkpoints[1]), children.at(-1));
    assert.equal(api.runsTree.getParent(children.at(-1)!), runNode);
    await api.runsTreeView.reveal(evaluation, { select: true, focus: false, expand: true });
    // Once the details are read, the run's description adds the latest evaluation's mean quantile.
    await waitFor('the run description to show q̄', async () => / · q̄ 0\.\d\d$/.test(String((await api.runsTree.getTreeItem(runNode)).description)));
    await takeScreenshot('runs-view');
  });

  test('a run tooltip summarises its config as Markdown', async () => {
    const { api, byName } = await runItems();
    const { node, item } = byName.get('qrpo-beta-0.1-identity')!;
    const resolved = await api.runsTree.resolveTreeItem(item, node);
    const tooltip = resolved.tooltip as vscode.MarkdownString;
    assert.ok(tooltip instanceof vscode.MarkdownString);
    for (const text of ['Loss: `qrpo`', 'β: `0.1`', 'Transform: `identity`', 'tiny-policy', 'helpfulness.jsonl']) assert.ok(tooltip.value.includes(text), `${text} in ${tooltip.value}`);
  });

  test('follows the running run as it logs steps, refreshing only that run', async () => {
    const api = await activatedApi();
    const folder = workspaceFile('runs', running.name);
    const changed = nextChange(api, (change) => api.runsModel.run(folder)?.step === 150 && change.runs !== undefined);
    appendFileSync(join(folder.fsPath, 'metrics.jsonl'), metricsRows(running, 138, 150).map((row) => `${JSON.stringify(row)}\n`).join(''));
    writeFileSync(join(folder.fsPath, 'status.json'), JSON.stringify(runStatus(running, process.pid, 150)));
    const change = (await Promise.race([changed, waitFor('the watchers to pick up the run', () => false, 15_000)])) as RunsChange;
    assert.deepEqual(change.runs?.map((r) => r.folder.toString()), [folder.toString()]);
    const node = api.runsTree.nodeFor(folder)!;
    assert.match(String((await api.runsTree.getTreeItem(node)).description), /^150\/300 · loss [\d.]+ · q̄ /);
  });

  test('shows a new evaluation under its checkpoint when the engine writes it', async () => {
    const api = await activatedApi();
    const folder = workspaceFile('runs', running.name);
    await api.runsModel.runDetails(folder); // expanded earlier: details are cached and must be refreshed
    cpSync(join(folder.fsPath, 'checkpoint-100'), join(folder.fsPath, 'checkpoint-200'), { recursive: true });
    cpSync(join(folder.fsPath, 'evals', '100'), join(folder.fsPath, 'evals', '200'), { recursive: true });
    try {
      await waitFor('checkpoint-200 and its evaluation', async () => {
        const details = await api.runsModel.runDetails(folder);
        return details.checkpoints.includes(200) && details.evaluations.some((e) => e.step === 200);
      });
      const checkpoint = api.runsTree.nodes.checkpoint(folder, 200);
      assert.equal((await api.runsTree.getChildren(checkpoint)).length, 1);
    } finally {
      rmSync(join(folder.fsPath, 'checkpoint-200'), { recursive: true, force: true });
      rmSync(join(folder.fsPath, 'evals', '200'), { recursive: true, force: true });
    }
  });

  test('discovers a run folder that appears and is written at once, and shows its last state without a refresh', async () => {
    const api = await activatedApi();
    // Two new levels, as when the engine creates the first run under a fresh runs folder; then its stages' folders
    // and a status rewrite per step, milliseconds apart, as the engine writes them.
    const parent = workspaceFile('runs', 'appeared-batch');
    const folder = vscode.Uri.joinPath(parent, 'appeared-run');
    const run: FixtureRun = { name: 'appeared-run', state: 'running', loss: 'qrpo', beta: 0.1, transform: 'identity', steps: 40, totalSteps: 300, checkpoints: [], seed: 8 };
    const file = (...path: string[]) => join(folder.fsPath, ...path);
    try {
      mkdirSync(folder.fsPath, { recursive: true });
      writeJsonAtomically(file('run.json'), { config: { run_name: run.name, max_steps: run.totalSteps }, engineVersion: '0.1.0', createdAt: new Date().toISOString() });
      writeFileSync(file('run.lock'), `${JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() })}\n`);
      writeJsonAtomically(file('status.json'), runStatus(run, process.pid, 0));
      for (const stage of fixtureStageNames.slice(0, 4)) {
        mkdirSync(file('stages', stage), { recursive: true });
        writeJsonAtomically(file('stages', stage, 'summary.json'), { stage });
        await delay(20);
      }
      for (const row of metricsRows(run)) {
        appendFileSync(file('metrics.jsonl'), `${JSON.stringify(row)}\n`);
        writeJsonAtomically(file('status.json'), runStatus(run, process.pid, row.step));
        await delay(10);
      }
      writeJsonAtomically(file('status.json'), runStatus({ ...run, state: 'stopped' }, process.pid));
      const loss = Number(metricsRows(run).at(-1)!.loss.toPrecision(3));
      const item = await waitFor('the new run, stopped at its last step', async () => {
        if (api.runsModel.run(folder)?.state !== 'stopped') return undefined;
        const shown = await api.runsTree.getTreeItem(api.runsTree.nodes.run(folder));
        return shown.description === `stopped · ${run.steps}/${run.totalSteps} · loss ${loss}` ? shown : undefined;
      });
      assert.equal(item.contextValue, 'run-stopped');
      assert.ok((await api.runsTree.getChildren()).some((node) => node.runUri.toString() === folder.toString()), 'listed at top level');
    } finally {
      rmSync(parent.fsPath, { recursive: true, force: true });
    }
    await waitFor('the run to leave the tree', () => !api.runsModel.run(folder));
  });

  test('drops a run whose folder is deleted outside VS Code', async () => {
    const api = await activatedApi();
    const copy = workspaceFile('runs', 'deleted-outside');
    cpSync(workspaceFile('runs', 'simpo-stopped').fsPath, copy.fsPath, { recursive: true });
    await waitFor('the copy to appear', () => api.runsModel.run(copy));
    rmSync(copy.fsPath, { recursive: true, force: true });
    await waitFor('the copy to leave the tree', async () => !(await api.runsTree.getChildren()).some((node) => node.runUri.toString() === copy.toString()));
  });

  test('reads the latest metrics from the end of the file and ignores a torn last line', async () => {
    const file = workspaceFile('runs', 'qrpo-beta-0.1-identity', 'metrics.jsonl').fsPath;
    assert.equal((await readLastMetrics(file))?.step, 300);
    const torn = join(workspaceFile('data').fsPath, 'torn-metrics.jsonl');
    const long = JSON.stringify({ step: 2, loss: 0.5, pad: 'x'.repeat(10_000) });
    writeFileSync(torn, `${JSON.stringify({ step: 1, loss: 0.6 })}\n${long}\n{"step": 3, "lo`);
    try {
      assert.equal((await readLastMetrics(torn))?.step, 2);
    } finally {
      rmSync(torn, { force: true });
    }
  });

  test('shows the welcome content when the configured globs find no runs', async () => {
    const api = await activatedApi();
    const config = vscode.workspace.getConfiguration('qrpo');
    const changed = nextChange(api, (change) => change.runs === undefined);
    await config.update('runGlobs', ['**/no-such-folder/run.json'], vscode.ConfigurationTarget.Workspace);
    try {
      await changed;
      assert.deepEqual(await api.runsTree.getChildren(), []);
      await delay(300); // let the view swap the tree for its welcome content
      await takeScreenshot('runs-welcome');
    } finally {
      await config.update('runGlobs', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the runs to come back', async () => (await api.runsTree.getChildren()).length >= fixtureRuns.length);
  });
});
