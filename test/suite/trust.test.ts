// Workspace trust for runs: in Restricted Mode the Runs view still browses every run, while everything that
// executes (start, resume, stop, evaluate, the demo's engine, a workspace reward module) refuses without starting a
// process, and the "Start Run" CodeLens is not offered. Runs before restrictedMode.test.ts, which grants trust.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { fixtureDatasets, fixtureModels, fixtureRewardModule, fixtureRuns } from '../fixtures/workspace/generateFixtureWorkspace';
import { activatedApi, extensionPath, workspaceFile } from './support/extension';

suite('Workspace trust (runs)', () => {
  test('the window is still in Restricted Mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('the Runs view lists and expands runs in Restricted Mode', async () => {
    const api = await activatedApi();
    const nodes = await api.runsTree.getChildren();
    assert.ok(nodes.length >= fixtureRuns.length);
    const children = await api.runsTree.getChildren(api.runsTree.nodes.run(workspaceFile('runs', 'qrpo-beta-0.1-identity')));
    assert.ok(children.some((node) => node.kind === 'checkpoints'));
  });

  test('Start, Resume, Stop and Evaluate refuse without starting the engine', async () => {
    const api = await activatedApi();
    const config = workspaceFile('untrusted.qrpo.yaml');
    writeFileSync(config.fsPath, 'model_name_or_path: ./models/tiny-policy\ndataset_name: ./data/helpfulness.jsonl\n');
    assert.equal(await vscode.commands.executeCommand('qrpo.startRun', config), undefined);
    assert.equal(await vscode.commands.executeCommand('qrpo.resumeRun', workspaceFile('runs', 'simpo-stopped')), undefined);
    assert.equal(await vscode.commands.executeCommand('qrpo.stopRun', workspaceFile('runs', 'qrpo-beta-0.01-log')), false);
    assert.equal(await vscode.commands.executeCommand('qrpo.evaluateCheckpoint', api.runsTree.nodes.checkpoint(workspaceFile('runs', 'qrpo-beta-0.1-identity'), 100)), undefined);
    assert.equal(api.runJobs.active().length, 0, 'no engine process');
    assert.equal(existsSync(workspaceFile('runs', 'untrusted').fsPath), false);
  });

  test('the Start Run CodeLens is not offered', async () => {
    const config = workspaceFile('untrusted.qrpo.yaml');
    await vscode.workspace.openTextDocument(config);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', config);
    assert.equal(lenses.filter((lens) => lens.command?.command === 'qrpo.startRun').length, 0);
    rmSync(config.fsPath, { force: true });
  });

  test('New Run writes configs but refuses a workspace reward module', async () => {
    const given = {
      model: workspaceFile(fixtureModels.policy).fsPath,
      dataset: workspaceFile(fixtureDatasets.preparedUpFront).fsPath,
      lossType: 'qrpo',
      beta: 0.1,
      transform: 'identity',
      open: false,
    };
    assert.equal(await vscode.commands.executeCommand('qrpo.newRun', { ...given, runName: 'untrusted-module', reward: { source: 'module', path: workspaceFile(fixtureRewardModule).fsPath } }), undefined);
    assert.equal(existsSync(workspaceFile('untrusted-module.qrpo.yaml').fsPath), false);
    const written = await vscode.commands.executeCommand<vscode.Uri>('qrpo.newRun', { ...given, runName: 'untrusted-column', reward: { source: 'column' } });
    assert.ok(written && existsSync(written.fsPath));
    await vscode.workspace.fs.delete(written);
  });

  test('the manifest hides executing commands and their menu entries in Restricted Mode', () => {
    const manifest = JSON.parse(readFileSync(join(extensionPath(), 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string; enablement?: string }[]; menus: Record<string, { command: string; when?: string }[]> };
    };
    const executing = ['qrpo.startRun', 'qrpo.stopRun', 'qrpo.resumeRun', 'qrpo.evaluateCheckpoint', 'qrpo.prepareQuantileRewards'];
    for (const id of executing) {
      assert.equal(manifest.contributes.commands.find((c) => c.command === id)?.enablement, 'isWorkspaceTrusted', id);
      for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
        for (const entry of entries.filter((e) => e.command === id)) assert.match(entry.when ?? '', /isWorkspaceTrusted/, `${id} in ${menu}`);
      }
    }
  });
});
