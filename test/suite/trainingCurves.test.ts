// The Training Curves panel draws a run's metrics.jsonl under the strict CSP, smooths with the debiased EMA,
// follows the file as the engine appends (sending only the new rows), keeps its view across hide/show and reloads,
// exports each chart as PNG, SVG, CSV and JSON, and leaves screenshots in both themes.
import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CurvesPanel } from '../../src/extension/panels/trainingCurves/curvesPanel';
import { PanelViewType } from '../../src/extension/contributionIds';
import { useColourTheme } from './resultsTestSupport';
import { activatedApi, delay, waitFor } from './support/extension';
import { appendSteps, metricLines, temporaryRunsFolder, writeFixtureRun, type CurvesFixtureRun } from './trainingCurvesFixtures';
import { assertWellFormedSvg, curvesRegistry, hideAndShow, nextRenderWhere, panelScreenshot, pngSignature, renderWhere } from './trainingCurvesSupport';

const run: CurvesFixtureRun = { name: 'qrpo-beta-0.1', loss: 'qrpo', beta: 0.1, transform: 'identity', steps: 300, seed: 11 };

suite('Training Curves panel', () => {
  let root: string;
  let folder: string;
  let panel: CurvesPanel;

  suiteSetup(async () => {
    await activatedApi();
    root = temporaryRunsFolder();
    folder = writeFixtureRun(root, run);
    // A torn last line, as a kill mid-append leaves it: never drawn.
    appendFileSync(join(folder, 'metrics.jsonl'), metricLines(run, 301, 301).slice(0, 40));
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(root, { recursive: true, force: true });
  });

  test('opens on a run folder and draws every complete line, ignoring the torn one', async () => {
    panel = (await vscode.commands.executeCommand<CurvesPanel>('qrpo.openTrainingCurves', vscode.Uri.file(folder)))!;
    assert.ok(panel, 'the command returns the panel');
    const render = await renderWhere(panel, '300 rows', (r) => r.rows[vscode.Uri.file(folder).toString()] === 300);
    assert.equal(render.runs, 1);
    assert.deepEqual(render.view.metrics, ['loss', 'grad_norm', 'learning_rate', 'rewards/margins', 'percentile_rewards/chosen', 'percentile_rewards/rejected', 'modified_rewards/beta_logZ']);
    assert.equal(render.charts, 7);
    assert.ok(render.points > 0);
  });

  test('reports zero Content Security Policy violations', async () => {
    await delay(500); // late violations (fonts, lazily styled components) arrive after the first paint
    assert.equal(panel.cspViolationCount, 0);
  });

  test('leaves a screenshot (dark theme)', async () => {
    const file = await panelScreenshot('training-curves-dark');
    assert.ok(statSync(file).size > 10_000, `${file} looks empty`);
  });

  test('smoothing changes the drawn series', async () => {
    panel.setView({ smoothing: 0 });
    const raw = await nextRenderWhere(panel, 'smoothing 0', (r) => r.view.smoothing === 0);
    panel.setView({ smoothing: 0.95 });
    const smooth = await nextRenderWhere(panel, 'smoothing 0.95', (r) => r.view.smoothing === 0.95);
    assert.notEqual(smooth.digest, raw.digest, 'the smoothed lines differ from the raw ones');
    // With smoothing on, each run draws its raw series faint behind the smoothed one: about twice the points.
    assert.ok(smooth.points > raw.points * 1.5, `${smooth.points} points smoothed vs ${raw.points} raw`);
  });

  test('offers wall time as an x axis when the metrics carry a time field', async () => {
    panel.setView({ xAxis: 'time' });
    const render = await nextRenderWhere(panel, 'x axis time', (r) => r.view.xAxis === 'time');
    assert.equal(render.charts, 7);
    panel.setView({ xAxis: 'step' });
    await nextRenderWhere(panel, 'x axis step', (r) => r.view.xAxis === 'step');
  });

  test('appends the new rows when metrics.jsonl grows, without resending the file', async () => {
    const id = vscode.Uri.file(folder).toString();
    const snapshots = panel.sent.snapshots;
    // Complete the torn line, then two more lines, and start another torn one: 302 complete rows... 303 after.
    const file = join(folder, 'metrics.jsonl');
    const torn = metricLines(run, 301, 301);
    appendFileSync(file, torn.slice(40));
    await renderWhere(panel, '301 rows', (r) => r.rows[id] === 301);
    appendSteps(folder, run, 302, 320);
    appendFileSync(file, metricLines(run, 321, 321).slice(0, 25));
    await renderWhere(panel, '320 rows', (r) => r.rows[id] === 320);
    assert.equal(panel.sent.snapshots, snapshots, 'no snapshot was resent');
    assert.ok(panel.sent.appendedRows >= 20 && panel.sent.appendedRows <= 20 + 2, `appended ${panel.sent.appendedRows} rows`);
    // Repair the torn line so later tests read a clean file.
    appendFileSync(file, metricLines(run, 321, 321).slice(25));
    await renderWhere(panel, '321 rows', (r) => r.rows[id] === 321);
  });

  test('keeps its view and data after being hidden and shown', async () => {
    const view = { metrics: ['loss', 'rewards/margins', 'num_tokens'], xAxis: 'tokens' as const, smoothing: 0.8 };
    panel.setView(view);
    await nextRenderWhere(panel, 'the new view', (r) => r.view.smoothing === 0.8 && r.view.xAxis === 'tokens');
    const snapshots = panel.sent.snapshots;
    await hideAndShow(panel, vscode.Uri.file(join(folder, 'run.json')));
    const render = await renderWhere(panel, 'a render after showing', () => panel.sent.snapshots > snapshots);
    assert.deepEqual(render.view.metrics, view.metrics);
    assert.equal(render.view.xAxis, 'tokens');
    assert.equal(render.view.smoothing, 0.8);
    assert.equal(render.rows[vscode.Uri.file(folder).toString()], 321);
    await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
  });

  test('restores from the state its webview saved (serializer)', async () => {
    const state = panel.state;
    assert.deepEqual(state.runs, [vscode.Uri.file(folder).toString()]);
    assert.ok(state.view, 'the state carries the view');
    const registry = await curvesRegistry('trainingCurvesPanels');
    const restoredPanel = vscode.window.createWebviewPanel(PanelViewType.trainingCurves, 'restored', vscode.ViewColumn.Beside, { enableScripts: true });
    // Serializable round trip: what VS Code stores is JSON.
    await registry.deserializeWebviewPanel(restoredPanel, JSON.parse(JSON.stringify(state)));
    const restored = registry.all().find((p) => p.webviewPanel === restoredPanel);
    assert.ok(restored, 'the registry tracks the restored panel');
    const render = await renderWhere(restored, 'the restored render', (r) => r.rows[state.runs[0]] === 321);
    assert.deepEqual(render.view, state.view);
    assert.equal(restored.cspViolationCount, 0);
    restored.dispose();
  });

  test('exports a chart as PNG, SVG, CSV and JSON', async () => {
    panel.webviewPanel.reveal();
    await waitFor('the panel to be visible', () => panel.webviewPanel.visible);
    await renderWhere(panel, 'any render', () => true);
    const out = temporaryRunsFolder();
    try {
      const png = await panel.exportChart('loss', 'png', vscode.Uri.file(join(out, 'loss.png')));
      assert.ok(png);
      const pngBytes = readFileSync(png.fsPath);
      assert.deepEqual([...pngBytes.subarray(0, 8)], pngSignature);
      assert.ok(pngBytes.length > 2_000, `PNG of ${pngBytes.length} bytes`);

      const svg = await panel.exportChart('rewards/margins', 'svg', vscode.Uri.file(join(out, 'margins.svg')));
      const svgText = readFileSync(svg!.fsPath, 'utf8');
      assertWellFormedSvg(svgText);
      assert.match(svgText, /<polyline /);
      assert.match(svgText, /rewards\/margins/);

      const csv = readFileSync((await panel.exportChart('loss', 'csv', vscode.Uri.file(join(out, 'loss.csv'))))!.fsPath, 'utf8');
      const lines = csv.trim().split('\n');
      assert.equal(lines[0], 'run,tokens (num_tokens),loss,"loss (smoothed, α=0.8)"');
      assert.equal(lines.length, 1 + 321);
      assert.equal(lines[1].split(',').length, 4);

      const json = JSON.parse(readFileSync((await panel.exportChart('loss', 'json', vscode.Uri.file(join(out, 'loss.json'))))!.fsPath, 'utf8'));
      assert.equal(json.metric, 'loss');
      assert.equal(json.runs.length, 1);
      assert.equal(json.runs[0].y.length, 321);
      assert.equal(json.runs[0].smoothed.length, 321);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('leaves a screenshot in the light theme without CSP violations', async () => {
    panel.setView({ metrics: ['loss', 'grad_norm', 'learning_rate', 'rewards/margins', 'percentile_rewards/chosen', 'percentile_rewards/rejected'], xAxis: 'step', smoothing: 0.6 });
    await nextRenderWhere(panel, 'six charts', (r) => r.charts === 6);
    // The charts take their colours when drawn: the light screenshot waits for the redraw the theme change causes.
    const redrawn = nextRenderWhere(panel, 'a redraw in the light theme', () => true);
    await useColourTheme('Light Modern');
    try {
      await redrawn;
      const file = await panelScreenshot('training-curves-light');
      assert.ok(statSync(file).size > 10_000);
      assert.equal(panel.cspViolationCount, 0);
    } finally {
      await useColourTheme('Dark Modern');
    }
  });
});
