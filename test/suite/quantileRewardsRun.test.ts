// The run Quantile Rewards panel: the dataset's quantiles from the quantiles stage, the reference samples'
// leave-one-out quantiles (uniform by construction), each checkpoint's quantiles with a checkpoint selector, and the
// target curve f(q) − β·log Z from run.json and the prepared summary. qrpo.openQuantileRewards still opens the
// prepared-file panel for a *.prepared.jsonl.
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunQuantileRewardsPanel } from '../../src/extension/panels/quantileRewards/runQuantileRewardsPanel';
import { RUN_QUANTILE_REWARDS_VIEW_TYPE } from '../../src/extension/panels/quantileRewards/runQuantileRewardsPanels';
import { logPartition } from '../../src/qrpo/math/partition';
import { resultsFixture, writeResultsFixture, type ResultsFixture } from './resultsRunFixture';
import { assertNoCspViolations, renderAfter, rendered, resultsPanels, screenshotsInBothThemes } from './resultsTestSupport';

suite('Quantile Rewards panel of a run', () => {
  let fixture: ResultsFixture;
  let panel: RunQuantileRewardsPanel;

  suiteSetup(() => {
    fixture = writeResultsFixture();
  });

  suiteTeardown(() => {
    panel?.dispose();
    rmSync(fixture.root, { recursive: true, force: true });
  });

  test('qrpo.openQuantileRewards on a run draws the dataset, reference and checkpoint histograms', async () => {
    panel = (await vscode.commands.executeCommand<RunQuantileRewardsPanel>('qrpo.openQuantileRewards', vscode.Uri.file(fixture.qrpoRun)))!;
    assert.ok(panel?.host, 'the command returns the run panel');
    assert.equal(await rendered(panel.host, 'charts'), 3);
    assert.equal(await rendered(panel.host, 'checkpoint'), 100, 'the last checkpoint is shown first');
    const data = panel.lastData!;
    assert.equal(data.dataset?.quantiles.length, resultsFixture.trainPrompts * 2);
    assert.equal(data.dataset?.levels, resultsFixture.referenceSamples);
    assert.deepEqual(data.checkpoints.map((c) => c.step), [...resultsFixture.steps]);
    assert.equal(data.checkpoints[0].quantiles.length, resultsFixture.evalPrompts * resultsFixture.samplesPerPrompt);
  });

  test('reference samples are compared leave-one-out: uniform, mean exactly ½', () => {
    const reference = panel.lastData!.reference!;
    const prompts = resultsFixture.evalPrompts + resultsFixture.trainPrompts;
    assert.equal(reference.prompts, prompts);
    assert.equal(reference.levels, resultsFixture.referenceSamples - 1);
    assert.equal(reference.quantiles.length, prompts * resultsFixture.referenceSamples);
    const mean = reference.quantiles.reduce((a, b) => a + b, 0) / reference.quantiles.length;
    // Without ties each prompt's leave-one-out quantiles are a permutation of 0, 1/(n−1), …, 1.
    assert.ok(Math.abs(mean - 0.5) < 1e-12, `mean ${mean}`);
  });

  test('the target curve is f(q) − β·log Z with the run’s transform, β and log Z', () => {
    const target = panel.lastData!.target!;
    assert.equal(target.transform, 'identity');
    assert.equal(target.beta, 0.1);
    assert.equal(target.logZSource, 'prepared summary');
    assert.equal(target.logZ, logPartition('identity', 0.1, { mode: 'exact' }));
    const last = target.q.length - 1;
    assert.ok(Math.abs(target.value[0] - (0 - 0.1 * target.logZ)) < 1e-12);
    assert.ok(Math.abs(target.value[last] - (1 - 0.1 * target.logZ)) < 1e-12);
  });

  test('the checkpoint selector draws the chosen step, 0 being the model before training', async () => {
    assert.equal(await renderAfter(panel.host, 'checkpoint', () => panel.selectStep(0)), 0);
    assert.equal(panel.viewState.step, 0);
    assert.equal(await renderAfter(panel.host, 'checkpoint', () => panel.selectStep(50)), 50);
  });

  test('reports zero Content Security Policy violations', async () => {
    await assertNoCspViolations(panel.host);
  });

  test('leaves screenshots (dark and light themes)', async () => {
    await screenshotsInBothThemes('quantile-rewards-run', panel.host, ['charts']);
  });

  test('exports every quantile as CSV', async () => {
    const file = (await panel.exportData('quantiles', 'csv', vscode.Uri.file(join(fixture.root, 'quantiles.csv'))))!;
    const lines = readFileSync(file.fsPath, 'utf8').trim().split('\r\n');
    const data = panel.lastData!;
    const expected = data.dataset!.quantiles.length + data.reference!.quantiles.length + data.checkpoints.reduce((n, c) => n + c.quantiles.length, 0);
    assert.equal(lines[0], 'group,step,split,quantile');
    assert.equal(lines.length - 1, expected);
  });

  test('restores the selected checkpoint from the saved state', async () => {
    const panels = await resultsPanels();
    const run = vscode.Uri.file(fixture.dpoRun);
    const webviewPanel = vscode.window.createWebviewPanel(RUN_QUANTILE_REWARDS_VIEW_TYPE, 'Quantile Rewards', vscode.ViewColumn.Active, { enableScripts: true });
    await panels.runQuantileRewards.deserializeWebviewPanel(webviewPanel, { run: run.toString(), view: { step: 50 } });
    const restored = panels.runQuantileRewards.panelFor(run)!;
    assert.equal(await rendered(restored.host, 'checkpoint'), 50);
    restored.dispose();
  });
});
