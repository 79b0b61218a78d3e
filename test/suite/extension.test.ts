// The extension loads in a real VS Code, and its manifest and code agree on every id.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, ConfigKey, PanelViewType, ViewContainerId, ViewId } from '../../src/extension/contributionIds';
import { activatedApi, extensionPath } from './support/extension';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; category: string; title: string }[];
    viewsContainers: { activitybar: { id: string }[] };
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> };
  };
}

const manifest = (): Manifest => JSON.parse(readFileSync(join(extensionPath(), 'package.json'), 'utf8')) as Manifest;

suite('extension', () => {
  test('activates and returns its API', async () => {
    const api = await activatedApi();
    assert.ok(api.runsTreeView, 'runsTreeView');
    assert.ok(api.quantileRewardsPanels, 'quantileRewardsPanels');
    assert.equal(typeof api.cspViolationCount, 'function');
  });

  test('registers every command the manifest declares, each in category QRPO', async () => {
    await activatedApi();
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const command of manifest().contributes.commands) {
      assert.ok(registered.has(command.command), `${command.command} is declared but not registered`);
      assert.equal(command.category, 'QRPO', `${command.command} category`);
    }
  });

  test('declares exactly the command, view, panel and setting ids the code uses', () => {
    const { contributes, activationEvents } = manifest();
    assert.deepEqual(contributes.commands.map((c) => c.command).sort(), Object.values(CommandId).sort());
    assert.deepEqual(contributes.viewsContainers.activitybar.map((c) => c.id), [ViewContainerId]);
    assert.deepEqual(contributes.views[ViewContainerId].map((v) => v.id), Object.values(ViewId));
    for (const viewType of Object.values(PanelViewType)) assert.ok(activationEvents.includes(`onWebviewPanel:${viewType}`), viewType);
    const settings = contributes.configuration.properties;
    for (const key of [ConfigKey.runGlobs, ConfigKey.cliPath]) {
      const setting = settings[`${ConfigKey.section}.${key}`];
      assert.ok(setting, `setting ${key}`);
      assert.ok(setting.description || setting.markdownDescription, `setting ${key} has a description`);
    }
  });
});
