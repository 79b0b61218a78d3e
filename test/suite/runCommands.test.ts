// The run-folder commands from the palette and the Runs view's context menus: copy path, reveal, export, delete
// (with its confirmation and its refusal of a running run), compare with…. The launcher's commands (Start, Stop,
// Resume, Evaluate) run the real engine in runLauncher.test.ts.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activatedApi, waitFor, workspaceFile } from './support/extension';
import { grantWorkspaceTrust } from './support/workspaceTrust';

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
});
