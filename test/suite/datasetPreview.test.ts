// The Dataset Preview custom editor: pages through a dataset with the engine's readers, shows each row's records
// or its validation problem with file:line and field, filters to the invalid rows, and counts the whole file.
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { DatasetPreview } from '../../src/extension/datasets/datasetPreview';
import { DATASET_PAGE_SIZE } from '../../src/extension/datasets/protocol';
import { resultsFixture, writeResultsFixture, type ResultsFixture } from './resultsRunFixture';
import { assertNoCspViolations, renderAfter, rendered, screenshotsInBothThemes } from './resultsTestSupport';

suite('Dataset Preview', () => {
  let fixture: ResultsFixture;
  let preview: DatasetPreview;

  suiteSetup(() => {
    fixture = writeResultsFixture();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    rmSync(fixture.root, { recursive: true, force: true });
  });

  test('qrpo.previewDataset opens the first page of rows with their records', async () => {
    preview = (await vscode.commands.executeCommand<DatasetPreview>('qrpo.previewDataset', vscode.Uri.file(fixture.dataset)))!;
    assert.ok(preview?.host, 'the command returns the preview');
    assert.equal(await rendered(preview.host, 'page'), DATASET_PAGE_SIZE);
    const page = preview.lastPageSent!;
    assert.equal(page.format, 'jsonl');
    assert.equal(page.rows[0].line, 1);
    assert.equal(page.rows[0].records[0].completion, 'Answer 1.');
    assert.equal(page.rows[0].records[0].refCount, 3);
    assert.ok(page.hasMore);
  });

  test('shows a validation error with its file, line and field', async () => {
    await renderAfter(preview.host, 'page', () => preview.showPage(DATASET_PAGE_SIZE, false));
    const bad = preview.lastPageSent!.rows.find((r) => r.line === resultsFixture.invalidRewardLine)!;
    assert.ok(bad.problem, 'the row with a text reward is flagged');
    assert.equal(bad.problem.field, 'reward');
    assert.equal(bad.problem.location, `${vscode.workspace.asRelativePath(vscode.Uri.file(fixture.dataset))}:${resultsFixture.invalidRewardLine}`);
    assert.match(bad.problem.message, /expected a number/);
    assert.ok(!bad.problem.message.includes(fixture.root) || vscode.workspace.asRelativePath(vscode.Uri.file(fixture.dataset)).includes(fixture.root), 'paths as the editor shows them');
    assert.ok(bad.raw?.includes('"high"'), 'the raw row is shown beside it');
  });

  test('leaves screenshots (dark and light themes)', async () => {
    await screenshotsInBothThemes('dataset-preview', preview.host);
  });

  test('filters to the invalid rows and counts the whole file', async () => {
    assert.equal(await renderAfter(preview.host, 'page', () => preview.showPage(0, true)), 2);
    assert.deepEqual(preview.lastPageSent!.rows.map((r) => r.line), [resultsFixture.invalidRewardLine, resultsFixture.invalidJsonLine]);
    assert.match(preview.lastPageSent!.rows[1].problem!.message, /invalid JSON/);
    const counts = await preview.countsOfFile();
    assert.equal(counts.rows, resultsFixture.datasetRows);
    assert.equal(counts.invalidRows, 2);
    assert.equal(counts.records, resultsFixture.datasetRows - 2);
  });

  test('pages to the end of the file', async () => {
    const last = await renderAfter(preview.host, 'page', () => preview.showPage(2 * DATASET_PAGE_SIZE, false));
    assert.equal(last, resultsFixture.datasetRows - 2 * DATASET_PAGE_SIZE);
    assert.equal(preview.lastPageSent!.hasMore, false);
  });

  test('reports zero Content Security Policy violations', async () => {
    await assertNoCspViolations(preview.host);
    assert.equal(basename(preview.file.fsPath), basename(fixture.dataset));
  });
});
