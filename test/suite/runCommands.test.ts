// The run commands from the palette and the Runs view's context menus: copy path, reveal, export, delete (with its
// confirmation and its refusal of a running run), compare with…, and the launcher: Start, Stop and Resume drive a
// stand-in engine CLI (the real one's run commands are tested in test/unit) through `qrpo.cliPath`, and Evaluate
// Checkpoint runs the real CLI, whose failure on the fixture's weightless checkpoints must reach the user as a message.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunJob } from '../../src/extension/launcher/runJobs';
import { fixtureDatasets, fixtureModels } from '../fixtures/workspace/generateFixtureWorkspace';
import { activatedApi, extensionPath, waitFor, workspaceFile } from './support/extension';
import { grantWorkspaceTrust } from './support/workspaceTrust';

const standInCli = () => join(extensionPath(), 'out', 'test', 'fixtures', 'workspace', 'standInEngineCli.js');

suite('Run commands', () => {
  suiteSetup(grantWorkspaceTrust);

  test('Copy Path puts the run folder (or a checkpoint folder) on the clipboard', async () => {
    const api = await activatedApi();
    const folder = workspaceFile('runs', 'qrpo-beta-0.1-identity');
    assert.equal(await vscode.commands.executeCommand('qrpo.copyRunPath', api.runsTree.nodes.run(folder)), folder.fsPath);
    assert.equal(await vscode.env.clipboard.readText(), folder.fsPath);
    const checkpoint = api.runsTree.nodes.checkpoint(folder, 100);
    assert.equal(await vscode.commands.executeCommand('qrpo.copyRunPath', checkpoint), join(folder.fsPath, 'checkpoint-100'));
  });

  test('Reveal in Explorer View selects the run folder', async () => {
    const api = await activatedApi();
    const folder = workspaceFile('runs', 'dpo-beta-0.1');
    const revealed = await vscode.commands.executeCommand<vscode.Uri>('qrpo.revealRunInExplorer', api.runsTree.nodes.run(folder));
    assert.equal(revealed?.toString(), folder.toString());
    await vscode.commands.executeCommand('workbench.view.extension.qrpo');
  });

  test('Export Checkpoint copies a loadable model folder and leaves the optimizer state behind', async () => {
    const api = await activatedApi();
    const folder = workspaceFile('runs', 'qrpo-beta-0.1-identity');
    const destination = workspaceFile('exports');
    rmSync(destination.fsPath, { recursive: true, force: true });
    const exported = await vscode.commands.executeCommand<vscode.Uri>('qrpo.exportCheckpoint', api.runsTree.nodes.checkpoint(folder, 200), { destination });
    assert.equal(exported?.fsPath, join(destination.fsPath, 'qrpo-beta-0.1-identity-checkpoint-200'));
    assert.deepEqual(readdirSync(exported.fsPath).sort(), ['config.json', 'model.safetensors', 'trainer_state.json']);
    rmSync(destination.fsPath, { recursive: true, force: true });
  });

  test('Delete Run refuses a running run, keeps a run when the confirmation is declined, deletes when confirmed', async () => {
    const api = await activatedApi();
    const runningFolder = workspaceFile('runs', 'qrpo-beta-0.01-log');
    assert.equal(await vscode.commands.executeCommand('qrpo.deleteRun', api.runsTree.nodes.run(runningFolder), { confirmed: true }), false);
    assert.ok(existsSync(runningFolder.fsPath), 'a running run is never deleted');

    const copy = workspaceFile('runs', 'to-delete');
    cpSync(workspaceFile('runs', 'dpo-beta-0.1').fsPath, copy.fsPath, { recursive: true });
    await waitFor('the copy to appear in the tree', () => api.runsModel.run(copy));
    assert.equal(await vscode.commands.executeCommand('qrpo.deleteRun', copy, { confirmed: false }), false);
    assert.ok(existsSync(copy.fsPath), 'declined: still there');
    assert.equal(await vscode.commands.executeCommand('qrpo.deleteRun', copy, { confirmed: true }), true);
    assert.equal(existsSync(copy.fsPath), false);
    assert.equal(api.runsModel.run(copy), undefined);
  });

  test('Compare With… on a multi-selection opens the comparison of the selected runs', async () => {
    const api = await activatedApi();
    const a = api.runsTree.nodes.run(workspaceFile('runs', 'qrpo-beta-0.1-identity'));
    const b = api.runsTree.nodes.run(workspaceFile('runs', 'dpo-beta-0.1'));
    const compared = await vscode.commands.executeCommand<vscode.Uri[]>('qrpo.compareWith', a, [a, b]);
    assert.deepEqual(compared?.map((u) => u.toString()), [a.runUri.toString(), b.runUri.toString()]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suite('launcher (stand-in engine CLI)', () => {
    let config: vscode.Uri;
    let runFolder: vscode.Uri;
    const settings = () => vscode.workspace.getConfiguration('qrpo');

    suiteSetup(async () => {
      await settings().update('cliPath', standInCli(), vscode.ConfigurationTarget.Workspace);
      const folder = workspaceFile('launcher');
      mkdirSync(folder.fsPath, { recursive: true });
      config = (await vscode.commands.executeCommand<vscode.Uri>('qrpo.newRun', {
        folder: folder.fsPath,
        runName: 'launched',
        model: workspaceFile(fixtureModels.policy).fsPath,
        dataset: workspaceFile(fixtureDatasets.preparedUpFront).fsPath,
        reward: { source: 'column' },
        lossType: 'qrpo',
        beta: 0.1,
        transform: 'identity',
        open: false,
      }))!;
      runFolder = vscode.Uri.joinPath(folder, 'runs', 'launched');
    });

    suiteTeardown(async () => {
      await settings().update('cliPath', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(workspaceFile('launcher').fsPath, { recursive: true, force: true });
    });

    test('Start Run launches the engine on the config and shows its stage in the status bar', async () => {
      const api = await activatedApi();
      const job = await vscode.commands.executeCommand<RunJob>('qrpo.startRun', config);
      assert.ok(job, 'the command resolves with the job');
      await waitFor('training progress in the status bar', () => /training \(4\/4\) \d+\/40/.test(api.runStatusBar.item.text));
      await waitFor('the new run in the tree', () => api.runsModel.run(runFolder)?.state === 'running');
      assert.equal(api.runsTree.getParent(api.runsTree.nodeFor(runFolder)!), undefined);

      assert.equal(await vscode.commands.executeCommand('qrpo.stopRun', api.runsTree.nodes.run(runFolder)), true);
      const outcome = await job.outcome;
      assert.equal(outcome.state, 'stopped');
      await waitFor('the tree to show the run stopped', async () => (await api.runsTree.getTreeItem(api.runsTree.nodes.run(runFolder))).contextValue === 'run-stopped');
      assert.equal(api.runJobs.active().length, 0);
    });

    test('Resume Run continues the stopped run to the end', async () => {
      const api = await activatedApi();
      const stoppedAt = api.runsModel.run(runFolder)?.step ?? 0;
      const job = await vscode.commands.executeCommand<RunJob>('qrpo.resumeRun', api.runsTree.nodes.run(runFolder));
      assert.ok(job);
      const outcome = await job.outcome;
      assert.equal(outcome.state, 'done');
      const steps = readFileSync(join(runFolder.fsPath, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { step: number }).step);
      assert.deepEqual(steps, Array.from({ length: 40 }, (_, i) => i + 1), `resumed after step ${stoppedAt} without a gap or a repeat`);
      await waitFor('the tree to show the run done', async () => (await api.runsTree.getTreeItem(api.runsTree.nodes.run(runFolder))).contextValue === 'run-done');
      await waitFor('the status bar to hide', () => !api.runJobs.active().length);
    });

    test('Resume refuses a run that is running', async () => {
      const result = await vscode.commands.executeCommand('qrpo.resumeRun', workspaceFile('runs', 'qrpo-beta-0.01-log'));
      assert.equal(result, undefined);
    });
  });

  test('Evaluate Checkpoint runs the real `qrpo eval` and reports its failure on weightless fixture checkpoints', async () => {
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
