// The Quantile Rewards panel draws a prepared file under the strict CSP, survives being hidden, follows the
// colour theme, and leaves screenshots for people to look at.
import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { QuantileRewardsPanel } from '../../src/extension/panels/quantileRewards/quantileRewardsPanel';
import { fixtureDatasetRows } from '../fixtures/workspace/generateFixtureWorkspace';
import { useColourTheme } from './resultsTestSupport';
import { activatedApi, delay, takeScreenshot, waitFor, workspaceFile } from './support/extension';

const preparedFile = () => workspaceFile('data', 'helpfulness.prepared.jsonl');

function renders(panel: QuantileRewardsPanel): Promise<number> {
  return new Promise((resolve) => {
    const subscription = panel.onDidRender((records) => {
      subscription.dispose();
      resolve(records);
    });
  });
}

suite('Quantile Rewards panel', () => {
  let panel: QuantileRewardsPanel;

  test('opens on a prepared file and renders every record', async () => {
    const api = await activatedApi();
    panel = (await vscode.commands.executeCommand<QuantileRewardsPanel>('qrpo.openQuantileRewards', preparedFile()))!;
    assert.ok(panel, 'the command returns the panel');
    const records = await waitFor('the panel to render', () => panel.lastRenderedRecords);
    assert.equal(records, fixtureDatasetRows);
    assert.equal(api.quantileRewardsPanels.panelFor(preparedFile()), panel);
  });

  test('reports zero Content Security Policy violations', async () => {
    const api = await activatedApi();
    await delay(500); // late violations (fonts, lazily styled components) arrive after the first paint
    assert.equal(api.cspViolationCount(panel), 0);
  });

  test('leaves a screenshot of the rendered panel (dark theme)', async () => {
    const file = await takeScreenshot('quantile-rewards-dark');
    assert.ok(statSync(file).size > 10_000, `${file} looks empty`);
  });

  test('renders again after being hidden and shown', async () => {
    const rendered = renders(panel);
    await vscode.window.showTextDocument(preparedFile(), { viewColumn: panel.webviewPanel.viewColumn, preview: false });
    await waitFor('the panel to be hidden', () => !panel.webviewPanel.visible);
    panel.webviewPanel.reveal();
    assert.equal(await rendered, fixtureDatasetRows);
    await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
  });

  test('follows a colour theme change without CSP violations', async () => {
    const api = await activatedApi();
    // The charts restyle in the same task that gives the webview the new theme.
    await useColourTheme('Light Modern');
    try {
      const file = await takeScreenshot('quantile-rewards-light');
      assert.ok(statSync(file).size > 10_000);
      assert.equal(api.cspViolationCount(panel), 0);
    } finally {
      await useColourTheme('Dark Modern');
    }
  });

  test('ignores a torn last line, as left by a writer that was interrupted', async () => {
    const torn = workspaceFile('data', 'torn.prepared.jsonl');
    copyFileSync(preparedFile().fsPath, torn.fsPath);
    const lastLine = readFileSync(preparedFile().fsPath, 'utf8').trim().split('\n').pop()!;
    writeFileSync(torn.fsPath, readFileSync(torn.fsPath, 'utf8') + lastLine.slice(0, lastLine.length / 2));
    const tornPanel = (await vscode.commands.executeCommand<QuantileRewardsPanel>('qrpo.openQuantileRewards', torn))!;
    assert.equal(await waitFor('the torn file to render', () => tornPanel.lastRenderedRecords), fixtureDatasetRows);
    // Closing it shows the first panel again, which rebuilds its webview and renders anew.
    const rerendered = renders(panel);
    tornPanel.dispose();
    assert.equal(await rerendered, fixtureDatasetRows);
  });
});
