// In Restricted Mode nothing executes: Prepare (which runs the engine) refuses, while browsing prepared results
// keeps working. Then trust is granted as a person would, and the rest of the suite runs trusted.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { QuantileRewardsPanel } from '../../src/extension/panels/quantileRewards/quantileRewardsPanel';
import { fixtureDatasetRows } from '../fixtures/workspace/generateFixtureWorkspace';
import { activatedApi, waitFor, workspaceFile } from './support/extension';
import { grantWorkspaceTrust } from './support/workspaceTrust';

suite('Restricted Mode', () => {
  test('the fixture workspace starts untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('Prepare Quantile Rewards refuses to run the engine', async () => {
    await activatedApi();
    const result = await vscode.commands.executeCommand('qrpo.prepareQuantileRewards', workspaceFile('data', 'helpfulness-again.jsonl'), {
      beta: 0.1,
      transform: 'identity',
      numRef: 8,
    });
    assert.equal(result, undefined);
    assert.equal(existsSync(workspaceFile('data', 'helpfulness-again.prepared.jsonl').fsPath), false, 'no prepared file written');
  });

  test('Open Quantile Rewards still shows a prepared file', async () => {
    const panel = (await vscode.commands.executeCommand<QuantileRewardsPanel>('qrpo.openQuantileRewards', workspaceFile('data', 'helpfulness.prepared.jsonl')))!;
    assert.equal(await waitFor('the panel to render', () => panel.lastRenderedRecords), fixtureDatasetRows);
    panel.dispose();
  });

  test('trusting the workspace enables Prepare', async () => {
    await grantWorkspaceTrust();
    assert.equal(vscode.workspace.isTrusted, true);
  });
});
