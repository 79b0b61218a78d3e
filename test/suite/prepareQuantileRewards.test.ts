// "Prepare Quantile Rewards…" runs the real engine CLI (dist/cli.js) in a child process and opens the result.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import type { PrepareResult } from '../../src/extension/commands/prepareQuantileRewardsCommand';
import { fixtureDatasetRows } from '../fixtures/workspace/generateFixtureWorkspace';
import { activatedApi, waitFor, workspaceFile } from './support/extension';
import { grantWorkspaceTrust } from './support/workspaceTrust';

suite('Prepare Quantile Rewards', () => {
  suiteSetup(grantWorkspaceTrust);

  test('runs the engine CLI on a dataset and opens the prepared file in the panel', async () => {
    const api = await activatedApi();
    const dataset = workspaceFile('data', 'helpfulness-again.jsonl');
    const out = workspaceFile('data', 'helpfulness-again.prepared.jsonl');
    rmSync(out.fsPath, { force: true });

    const result = await vscode.commands.executeCommand<PrepareResult | undefined>('qrpo.prepareQuantileRewards', dataset, {
      beta: 0.1,
      transform: 'identity',
      numRef: 8,
    });
    assert.ok(result, 'the command resolved with a result (see the QRPO log if not)');
    assert.equal(result.summary.records, fixtureDatasetRows);
    assert.equal(result.summary.out, out.fsPath);
    assert.ok(Math.abs(result.summary.logZ - 7.697369506) < 1e-6, `identity log Z at β = 0.1, got ${result.summary.logZ}`);

    assert.ok(existsSync(out.fsPath), 'prepared file written');
    const rows = readFileSync(out.fsPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(rows.length, fixtureDatasetRows);
    for (const row of rows) {
      assert.equal(typeof row.quantile, 'number');
      assert.equal(typeof row.target, 'number');
    }

    assert.equal(await waitFor('the panel to render', () => result.panel.lastRenderedRecords), fixtureDatasetRows);
    assert.equal(api.cspViolationCount(result.panel), 0);
    result.panel.dispose();
  });

  test('reports an engine error instead of opening a panel', async () => {
    const api = await activatedApi();
    const before = api.quantileRewardsPanels.all().length;
    // normal-icdf needs at least 3 reference rewards per prompt (docs/qrpo.md §3): the CLI refuses with exit 2.
    const result = await vscode.commands.executeCommand<PrepareResult | undefined>(
      'qrpo.prepareQuantileRewards',
      workspaceFile('data', 'helpfulness-again.jsonl'),
      { beta: 0.1, transform: 'normal-icdf', numRef: 1 },
    );
    assert.equal(result, undefined);
    assert.equal(api.quantileRewardsPanels.all().length, before);
  });
});
