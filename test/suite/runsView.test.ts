// The Runs view lists the fixture's run folders with their status and follows status.json as the engine
// rewrites it.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { fixtureRuns } from '../fixtures/workspace/generateFixtureWorkspace';
import { activatedApi, delay, takeScreenshot, waitFor, workspaceFile } from './support/extension';

suite('Runs view', () => {
  test('opens in the QRPO container', async () => {
    const api = await activatedApi();
    await vscode.commands.executeCommand('workbench.view.extension.qrpo');
    await waitFor('the Runs view to become visible', () => api.runsTreeView.visible);
  });

  test('lists one item per run folder with its status and state icon', async () => {
    const api = await activatedApi();
    const nodes = await api.runsTree.getChildren();
    const items = nodes.map((node) => api.runsTree.getTreeItem(node));
    assert.deepEqual(items.map((item) => item.label).sort(), fixtureRuns.map((run) => run.name).sort());
    const byName = new Map(items.map((item) => [item.label, item]));
    assert.equal(byName.get('beta-0.01-log')?.description, 'running · step 12');
    assert.equal((byName.get('beta-0.01-log')?.iconPath as vscode.ThemeIcon).id, 'sync~spin');
    assert.equal((byName.get('beta-0.1-identity')?.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.equal((byName.get('beta-1-sqrt')?.iconPath as vscode.ThemeIcon).id, 'error');
    assert.equal(byName.get('fresh-run')?.description, undefined);
    assert.equal((byName.get('fresh-run')?.iconPath as vscode.ThemeIcon).id, 'circle-outline');
    await api.runsTreeView.reveal(nodes[0], { select: true, focus: false });
    await takeScreenshot('runs-view');
  });

  test('updates a running run when its status.json changes on disk', async () => {
    const api = await activatedApi();
    const folder = workspaceFile('runs', 'beta-0.01-log');
    const changed = new Promise<void>((resolve) => {
      const subscription = api.runsModel.onDidChange(() => {
        if (api.runsModel.run(folder)?.step === 13) {
          subscription.dispose();
          resolve();
        }
      });
    });
    // Written the way the engine does it (outside VS Code), so only the file watcher can notice.
    writeFileSync(vscode.Uri.joinPath(folder, 'status.json').fsPath, JSON.stringify({ state: 'done', step: 13 }));
    await Promise.race([changed, waitFor('the watcher to pick up status.json', () => false, 15_000)]);
    const node = (await api.runsTree.getChildren()).find((n) => n.run.name === 'beta-0.01-log');
    assert.ok(node);
    const item = api.runsTree.getTreeItem(node);
    assert.equal(item.description, 'done · step 13');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
  });

  test('shows the welcome content when the configured globs find no runs', async () => {
    const api = await activatedApi();
    const config = vscode.workspace.getConfiguration('qrpo');
    const changed = new Promise<void>((resolve) => {
      const subscription = api.runsModel.onDidChange(() => {
        subscription.dispose();
        resolve();
      });
    });
    await config.update('runGlobs', ['**/no-such-folder/run.json'], vscode.ConfigurationTarget.Workspace);
    try {
      await changed;
      assert.deepEqual(await api.runsTree.getChildren(), []);
      await delay(300); // let the view swap the tree for its welcome content
      await takeScreenshot('runs-welcome');
    } finally {
      await config.update('runGlobs', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the runs to come back', async () => (await api.runsTree.getChildren()).length === fixtureRuns.length);
  });
});

