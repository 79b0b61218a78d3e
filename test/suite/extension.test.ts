// The extension loads in a real VS Code, and its manifest and code agree on every id.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, ConfigKey, CustomEditorViewType, PanelViewType, ViewContainerId, ViewId } from '../../src/extension/contributionIds';
import { RunContext } from '../../src/extension/runs/runsTreeProvider';
import { activatedApi, extensionPath } from './support/extension';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; category: string; title: string }[];
    viewsContainers: { activitybar: { id: string }[] };
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> };
    menus: Record<string, { command: string; when?: string }[]>;
    customEditors: { viewType: string }[];
    jsonValidation: { fileMatch: string[]; url: string }[];
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

  test('every tree context value the Runs view sets has menu entries, and every viewItem in a menu names one', () => {
    const { menus } = manifest().contributes;
    const contexts = [
      ...['running', 'stopping', 'done', 'failed', 'stopped', 'crashed', 'pending', 'unknown'].map(RunContext.run),
      RunContext.checkpoint,
      RunContext.startModel,
      RunContext.evaluation,
    ];
    const entries = menus['view/item/context'];
    for (const context of contexts) {
      const matching = entries.filter((entry) => viewItemMatches(entry.when ?? '', context));
      assert.ok(matching.length > 0, `${context} has context menu entries`);
    }
    const stopFor = (context: string) => entries.some((e) => e.command === CommandId.stopRun && viewItemMatches(e.when ?? '', context));
    assert.ok(stopFor('run-running') && !stopFor('run-done') && !stopFor('run-crashed'), 'Stop only on live runs');
    const deleteFor = (context: string) => entries.some((e) => e.command === CommandId.deleteRun && viewItemMatches(e.when ?? '', context));
    assert.ok(deleteFor('run-done') && deleteFor('run-crashed') && !deleteFor('run-running'), 'Delete never on a running run');
  });

  test('declares the custom editors and the run config schema', () => {
    const { customEditors, jsonValidation } = manifest().contributes;
    assert.deepEqual(customEditors.map((e) => e.viewType).sort(), Object.values(CustomEditorViewType).sort());
    assert.deepEqual(jsonValidation, [{ fileMatch: ['*.qrpo.json'], url: './schemas/run-config.schema.json' }]);
  });
});

/** Evaluates the `viewItem` clauses of a when-expression for one context value (== and =~ only, ! and && and ||). */
function viewItemMatches(when: string, context: string): boolean {
  const expression = when
    .replace(/view == [\w.]+/g, 'true')
    .replace(/isWorkspaceTrusted/g, 'true')
    .replace(/viewItem == ([\w-]+)/g, (_, value: string) => String(value === context))
    .replace(/viewItem =~ \/(.+?)\/(?=[\s)]|$)/g, (_, pattern: string) => String(new RegExp(pattern).test(context)));
  assert.match(expression, /^[\s()!&|truefals]*$/, `unexpected clause in ${when}`);
  return Boolean(new Function(`return ${expression};`)());
}
