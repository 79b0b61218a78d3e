// The VSIX that `npm run package` builds, installed into code-server with --install-extension and loaded from the
// extensions folder (no extensionDevelopmentPath for it): it activates on the fixture workspace, registers every
// command its manifest declares, shows the Runs view in the workbench, runs its bundled CLI (onnxruntime-node from
// inside the VSIX) and opens a panel with data and zero CSP violations. The launcher is
// test/integration/packagedIntegration.ts; the workspace is trusted (Workspace Trust is off for this window).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import * as vscode from 'vscode';
import type { QrpoExtensionApi } from '../../src/extension/api';
import type { PrepareResult } from '../../src/extension/commands/prepareQuantileRewardsCommand';
import type { CurvesPanel } from '../../src/extension/panels/trainingCurves/curvesPanel';
import { fixtureDatasetRows, fixtureDatasets, fixtureRuns } from '../fixtures/workspace/generateFixtureWorkspace';
import { delay, waitFor, workspaceFile } from '../suite/support/extension';
import { pageFactsMarker, type PageFacts } from './pageFacts';

const extensionId = 'qrpo-lab.qrpo-lab';
// out/test/packaged/ → the repository root.
const repoRoot = resolve(__dirname, '../../..');
const platformBinaries = join('bin', 'napi-v6', process.platform, process.arch);

function installed(): vscode.Extension<QrpoExtensionApi> {
  const extension = vscode.extensions.getExtension<QrpoExtensionApi>(extensionId);
  if (!extension) throw new Error(`${extensionId} is not installed in this window`);
  return extension;
}

let factsRequests = 0;

/** Asks the launcher for the page's DOM facts (pageFacts.ts) and waits for its answer. */
async function pageFacts(): Promise<PageFacts> {
  const file = join(workspaceFile().fsPath, '..', `page-facts-${++factsRequests}.json`);
  console.log(`${pageFactsMarker} ${file}`);
  await waitFor('the launcher to read the page', () => existsSync(file), 30_000);
  return JSON.parse(readFileSync(file, 'utf8')) as PageFacts;
}

suite('Installed VSIX', () => {
  let api: QrpoExtensionApi;

  test('loads from the extensions folder, not from the repository', () => {
    const extension = installed();
    assert.ok(!extension.extensionPath.startsWith(repoRoot + sep), `loaded from ${extension.extensionPath}`);
    assert.match(extension.extensionPath, /qrpo-lab\.qrpo-lab-\d+\.\d+\.\d+/);
    assert.equal(extension.packageJSON.version, JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
  });

  test('holds the bundles, the demo inputs and one platform of onnxruntime-node, and no sources', () => {
    const root = installed().extensionPath;
    for (const file of ['dist/extension.js', 'dist/cli.js', 'dist/webview.js', 'dist/codicon.css', 'media/qrpo.svg', 'schemas/run-config.schema.json', 'samples/demo/reward.js', 'samples/demo/qrpo.json']) {
      assert.ok(existsSync(join(root, file)), `${file} is in the VSIX`);
    }
    assert.ok(readdirSync(root).some((name) => /^license/i.test(name)), 'a LICENSE is in the VSIX');
    const ort = join(root, 'dist/node_modules/onnxruntime-node');
    assert.ok(existsSync(join(ort, platformBinaries, 'onnxruntime_binding.node')), `onnxruntime-node's ${platformBinaries} binding is in the VSIX`);
    assert.ok(existsSync(join(root, 'dist/node_modules/onnxruntime-common/package.json')));
    const platforms = readdirSync(join(ort, 'bin', 'napi-v6'));
    assert.deepEqual(platforms, [process.platform], 'only this platform\'s native binaries');
    for (const absent of ['src', 'test', 'bench', 'webview', 'out', 'node_modules', 'docs', 'tsconfig.json', 'dist/extension.js.map']) {
      assert.ok(!existsSync(join(root, absent)), `${absent} stays out of the VSIX`);
    }
  });

  test('activates on the workspace and registers every command its manifest declares', async () => {
    api = await installed().activate();
    assert.ok(installed().isActive);
    const declared = (installed().packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((command) => !registered.has(command));
    assert.deepEqual(missing, [], 'every declared command has a handler');
    assert.ok(declared.length >= 20, `${declared.length} commands declared`);
  });

  test('shows the Runs view with the fixture runs in the workbench', async () => {
    const names = (await api.runsTree.getChildren()).map((node) => (node.kind === 'run' ? node.runUri.path.split('/').pop() : undefined));
    assert.deepEqual(names.sort(), fixtureRuns.map((run) => run.name).sort());
    await vscode.commands.executeCommand('workbench.view.extension.qrpo');
    await waitFor('the Runs view to become visible', () => api.runsTreeView.visible);
    const facts = await waitFor('the rows to render in the page', async () => {
      const read = await pageFacts();
      return fixtureRuns.every((run) => read.sideBarRows.some((row) => row.includes(run.name))) && read;
    });
    assert.ok(facts.activityBar.some((label) => label.startsWith('QRPO')), `QRPO in the activity bar: ${facts.activityBar.join(', ')}`);
    assert.ok(facts.sideBarPanes.some((title) => /runs/i.test(title)), `a Runs pane: ${facts.sideBarPanes.join(', ')}`);
  });

  test('runs its bundled CLI, which loads onnxruntime-node from inside the VSIX', () => {
    const root = installed().extensionPath;
    // What dist/cli.js gets for require('onnxruntime-node'), loaded (the native binding loads with the module).
    const script = `const p=require.resolve('onnxruntime-node',{paths:[${JSON.stringify(join(root, 'dist'))}]});require(p);console.log(p)`;
    const resolved = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }).trim();
    assert.ok(resolved.startsWith(join(root, 'dist', 'node_modules', 'onnxruntime-node') + sep), resolved);
    const help = execFileSync(process.execPath, [join(root, 'dist/cli.js'), '--help'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    assert.match(help, /qrpo prepare/);
  });

  test('prepares quantile rewards with the installed engine and opens the panel with zero CSP violations', async () => {
    const dataset = workspaceFile(fixtureDatasets.preparedBySuite);
    rmSync(dataset.fsPath.replace(/\.jsonl$/, '.prepared.jsonl'), { force: true });
    const result = await vscode.commands.executeCommand<PrepareResult | undefined>('qrpo.prepareQuantileRewards', dataset, { beta: 0.1, transform: 'identity', numRef: 8 });
    assert.ok(result, 'the command resolved with a result (the QRPO log says why if not)');
    assert.equal(result.summary.records, fixtureDatasetRows);
    assert.equal(await waitFor('the panel to render', () => result.panel.lastRenderedRecords), fixtureDatasetRows);
    await delay(300); // late violations arrive after the first paint
    assert.equal(api.cspViolationCount(result.panel), 0);
    result.panel.dispose();
  });

  test('opens Training Curves on a run and shows the webview in the page', async () => {
    const run = fixtureRuns.find((r) => r.state === 'done')!;
    const folder = workspaceFile('runs', run.name);
    const panel = (await vscode.commands.executeCommand<CurvesPanel>('qrpo.openTrainingCurves', folder))!;
    const render = await waitFor('the curves to render', () => panel.lastRendered, 30_000);
    assert.equal(render.rows[folder.toString()], run.steps);
    assert.ok(render.points > 0);
    const facts = await pageFacts();
    assert.ok(facts.webviewFrames >= 1, 'a webview frame in the editor area');
    await delay(300);
    assert.equal(panel.cspViolationCount, 0);
    panel.dispose();
  });
});
