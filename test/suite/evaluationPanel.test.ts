// The Evaluation panel on a run folder written like the engine writes it: the checkpoint summary per split, the
// samples table paged and searched by the host (the webview gets one page at a time), the checkpoint selector,
// exports, the run results custom editor on run.json, and restoring a panel from the state its webview saved.
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationPanel } from '../../src/extension/panels/evaluation/evaluationPanel';
import { EVALUATION_VIEW_TYPE } from '../../src/extension/panels/evaluation/evaluationPanels';
import { SAMPLES_PAGE_SIZE } from '../../src/extension/panels/evaluation/protocol';
import { resultsFixture, writeResultsFixture, type ResultsFixture } from './resultsRunFixture';
import { assertNoCspViolations, renderAfter, rendered, resultsPanels, screenshotsInBothThemes } from './resultsTestSupport';
import { waitFor } from './support/extension';

const totalSamples = resultsFixture.evalPrompts * resultsFixture.samplesPerPrompt;

function samplesMatching(run: string, step: number, word: string): number {
  return readFileSync(join(run, 'evals', String(step), 'samples.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((line) => (JSON.parse(line) as { completion: string }).completion.includes(word)).length;
}

suite('Evaluation panel', () => {
  let fixture: ResultsFixture;
  let panel: EvaluationPanel;

  suiteSetup(() => {
    fixture = writeResultsFixture();
  });

  suiteTeardown(() => {
    panel?.dispose();
    rmSync(fixture.root, { recursive: true, force: true });
  });

  test('qrpo.openResults opens the run’s evaluation with a row per checkpoint and split', async () => {
    panel = (await vscode.commands.executeCommand<EvaluationPanel>('qrpo.openResults', vscode.Uri.file(fixture.qrpoRun)))!;
    assert.ok(panel, 'the command returns the panel');
    assert.equal(await rendered(panel.host, 'summary'), resultsFixture.steps.length, 'one row per checkpoint on the "all" split');
    assert.deepEqual([...new Set(panel.checkpointRows.map((r) => r.step))], [...resultsFixture.steps]);
    assert.deepEqual([...new Set(panel.checkpointRows.map((r) => r.split))].sort(), ['all', 'reporting', 'selection']);
    const before = panel.checkpointRows.find((r) => r.step === 0 && r.split === 'all')!;
    assert.ok(Math.abs(before.klK1PerSequence) < 1e-9, 'step 0 is the reference itself: KL 0');
    assert.equal(await rendered(panel.host, 'samples'), SAMPLES_PAGE_SIZE);
    assert.equal(panel.lastSamplesPage?.step, 100, 'the table starts on the last checkpoint');
    assert.equal(panel.lastSamplesPage?.total, totalSamples);
    assert.equal(panel.lastSamplesPage?.rows.length, SAMPLES_PAGE_SIZE, 'only one page reaches the webview');
  });

  test('reports zero Content Security Policy violations', async () => {
    await assertNoCspViolations(panel.host);
  });

  test('pages through the samples on the host', async () => {
    const count = await renderAfter(panel.host, 'samples', () => panel.showSamples(100, '', SAMPLES_PAGE_SIZE));
    assert.equal(count, SAMPLES_PAGE_SIZE);
    assert.equal(panel.lastSamplesPage?.offset, SAMPLES_PAGE_SIZE);
    assert.equal(panel.lastSamplesPage?.rows[0].line, SAMPLES_PAGE_SIZE, 'page 2 starts at line 26');
    const last = await renderAfter(panel.host, 'samples', () => panel.showSamples(100, '', totalSamples + 1_000));
    assert.equal(last, totalSamples % SAMPLES_PAGE_SIZE || SAMPLES_PAGE_SIZE, 'an offset past the end shows the last page');
    assert.equal(panel.lastSamplesPage?.offset, Math.floor((totalSamples - 1) / SAMPLES_PAGE_SIZE) * SAMPLES_PAGE_SIZE);
  });

  test('searches prompts and completions on the host', async () => {
    const expected = samplesMatching(fixture.qrpoRun, 100, resultsFixture.searchWord);
    assert.ok(expected > SAMPLES_PAGE_SIZE, 'the fixture has more than a page of matches');
    await renderAfter(panel.host, 'samples', () => panel.showSamples(100, resultsFixture.searchWord.toUpperCase(), 0));
    const page = panel.lastSamplesPage!;
    assert.equal(page.total, expected);
    assert.equal(page.lines, totalSamples);
    assert.ok(page.rows.every((r) => r.completion.includes(resultsFixture.searchWord)));
    await renderAfter(panel.host, 'samples', () => panel.showSamples(100, resultsFixture.searchWord, SAMPLES_PAGE_SIZE));
    assert.equal(panel.lastSamplesPage!.rows.length, expected - SAMPLES_PAGE_SIZE, 'the second page of matches');
    await renderAfter(panel.host, 'samples', () => panel.showSamples(100, 'no sample says this', 0));
    assert.equal(panel.lastSamplesPage!.total, 0);
  });

  test('the checkpoint selector shows another step’s samples', async () => {
    await renderAfter(panel.host, 'samples', () => panel.showSamples(0, '', 0));
    assert.equal(panel.lastSamplesPage?.step, 0);
    assert.ok(panel.lastSamplesPage!.rows.every((r) => r.implicitReward === 0), 'before training the policy is the reference');
    await renderAfter(panel.host, 'samples', () => panel.showSamples(100, resultsFixture.searchWord, 0));
  });

  test('keeps its checkpoint, search and page after being hidden and shown', async () => {
    await renderAfter(panel.host, 'samples', () => panel.showSamples(50, resultsFixture.searchWord, SAMPLES_PAGE_SIZE));
    await vscode.window.showTextDocument(vscode.Uri.file(fixture.dataset), { viewColumn: panel.webviewPanel.viewColumn, preview: false });
    await waitFor('the panel to be hidden', () => !panel.webviewPanel.visible);
    const redrawn = panel.host.nextRender('samples');
    panel.webviewPanel.reveal();
    await redrawn;
    assert.deepEqual({ step: panel.lastSamplesPage!.step, query: panel.lastSamplesPage!.query, offset: panel.lastSamplesPage!.offset }, { step: 50, query: resultsFixture.searchWord, offset: SAMPLES_PAGE_SIZE });
    await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
    await renderAfter(panel.host, 'samples', () => panel.showSamples(100, resultsFixture.searchWord, 0));
  });

  test('leaves screenshots (dark and light themes)', async () => {
    await screenshotsInBothThemes('evaluation', panel.host);
  });

  test('exports the summary and the searched samples as CSV and JSON', async () => {
    const csv = (await panel.exportData('summary', 'csv', vscode.Uri.file(join(fixture.root, 'summary.csv'))))!;
    const lines = readFileSync(csv.fsPath, 'utf8').trim().split('\r\n');
    assert.match(lines[0], /^step,split,samples,prompts,meanReward/);
    assert.equal(lines.length, 1 + panel.checkpointRows.length);
    const json = (await panel.exportData('samples', 'json', vscode.Uri.file(join(fixture.root, 'samples.json'))))!;
    const rows = JSON.parse(readFileSync(json.fsPath, 'utf8')) as { completion: string }[];
    assert.equal(rows.length, samplesMatching(fixture.qrpoRun, 100, resultsFixture.searchWord), 'every match, not only the page on screen');
  });

  test('the run results editor shows the evaluation when run.json is opened with it', async () => {
    const panels = await resultsPanels();
    const runJson = vscode.Uri.file(join(fixture.dpoRun, 'run.json'));
    await vscode.commands.executeCommand('vscode.openWith', runJson, 'qrpo.runResults');
    const editor = await waitFor('the run results editor', () => panels.runResultsEditors.editorsOf(vscode.Uri.file(fixture.dpoRun))[0]);
    assert.equal(await rendered(editor.host, 'summary'), resultsFixture.steps.length);
    await assertNoCspViolations(editor.host);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('restores from the state its webview saved (the serializer after a reload)', async () => {
    const panels = await resultsPanels();
    const webviewPanel = vscode.window.createWebviewPanel(EVALUATION_VIEW_TYPE, 'Evaluation', vscode.ViewColumn.Active, { enableScripts: true });
    const run = vscode.Uri.file(fixture.dpoRun);
    await panels.evaluation.deserializeWebviewPanel(webviewPanel, { run: run.toString(), view: { split: 'reporting', tableStep: 50, query: resultsFixture.searchWord, offset: 0 } });
    const restored = panels.evaluation.panelFor(run)!;
    assert.ok(restored, 'the restored panel is registered for its run');
    assert.equal(await rendered(restored.host, 'summary'), resultsFixture.steps.length);
    await waitFor('the restored table', () => restored.lastSamplesPage);
    assert.equal(restored.lastSamplesPage!.step, 50);
    assert.equal(restored.lastSamplesPage!.query, resultsFixture.searchWord);
    assert.equal(restored.viewState.split, 'reporting');
    assert.equal(await vscode.commands.executeCommand('qrpo.openResults', run), restored, 'opening the run again reveals it');
    restored.dispose();
    assert.equal(panels.evaluation.panelFor(run), undefined);
  });
});
