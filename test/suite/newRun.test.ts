// New Run writes a run config the engine reads, and the editor helps with it: completion of every field (and enum
// values) and hover docs in *.qrpo.yaml from the schema, the schema on *.qrpo.json, and a "Start Run" CodeLens.
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import { fixtureDatasets, fixtureModels, fixtureRewardModule } from '../fixtures/workspace/generateFixtureWorkspace';
import { activatedApi, takeScreenshot, workspaceFile } from './support/extension';
import { grantWorkspaceTrust } from './support/workspaceTrust';

const answers = () => ({
  model: workspaceFile(fixtureModels.policy).fsPath,
  dataset: workspaceFile(fixtureDatasets.preparedUpFront).fsPath,
  reward: { source: 'module', path: workspaceFile(fixtureRewardModule).fsPath },
  lossType: 'qrpo',
  beta: 0.05,
  transform: 'log',
});

async function completionLabels(doc: vscode.TextDocument, position: vscode.Position): Promise<Map<string, vscode.CompletionItem>> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, position);
  return new Map(list.items.map((item) => [typeof item.label === 'string' ? item.label : item.label.label, item]));
}

suite('New Run and run config files', () => {
  suiteSetup(grantWorkspaceTrust);
  let config: vscode.Uri;

  test('writes <name>.qrpo.yaml with the chosen fields, paths relative to it, and opens it', async () => {
    await activatedApi();
    config = (await vscode.commands.executeCommand<vscode.Uri>('qrpo.newRun', { ...answers(), runName: 'suite-qrpo' }))!;
    assert.equal(config.fsPath, workspaceFile('suite-qrpo.qrpo.yaml').fsPath);
    const text = readFileSync(config.fsPath, 'utf8');
    assert.deepEqual(parse(text), {
      run_name: 'suite-qrpo',
      model_name_or_path: './models/tiny-policy',
      dataset_name: './data/helpfulness.jsonl',
      loss_type: 'qrpo',
      beta: 0.05,
      qrpo_transform_type: 'log',
      reward: { source: 'module', path: './rewards/lengthReward.js' },
    });
    assert.match(text, /^# β, the KL regularisation strength/m, 'each field has its schema comment');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), config.toString());
  });

  test('writes JSON for a DPO run without a transform', async () => {
    const file = (await vscode.commands.executeCommand<vscode.Uri>('qrpo.newRun', { ...answers(), reward: { source: 'column' }, lossType: 'dpo', runName: 'suite-dpo', format: 'json', open: false }))!;
    const written = JSON.parse(readFileSync(file.fsPath, 'utf8')) as Record<string, unknown>;
    assert.equal(written.loss_type, 'dpo');
    assert.equal('qrpo_transform_type' in written, false);
    rmSync(file.fsPath);
  });

  test('the config shows a "Start Run" CodeLens on its first line', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', config);
    const start = lenses.find((lens) => lens.command?.command === 'qrpo.startRun');
    assert.ok(start, 'a Start Run lens');
    assert.equal(start.range.start.line, 0);
    assert.equal((start.command?.arguments?.[0] as vscode.Uri).toString(), config.toString());
  });

  test('completes the fields not yet written, with their documentation, at the top level', async () => {
    const editor = await vscode.window.showTextDocument(config);
    const line = editor.document.lineCount;
    await editor.edit((edit) => edit.insert(new vscode.Position(line, 0), '\nlear'));
    const labels = await completionLabels(editor.document, new vscode.Position(line + 1, 4));
    const item = labels.get('learning_rate');
    assert.ok(item, `learning_rate offered among ${[...labels.keys()].slice(0, 10).join(', ')}…`);
    assert.match(String((item.documentation as vscode.MarkdownString).value), /Peak learning rate of AdamW/);
    assert.equal(labels.has('beta'), false, 'fields already written are not offered again');
    assert.ok(labels.has('eval'), 'blocks are offered too');
    await takeScreenshot('run-config-completion');
  });

  test('completes the keys of a block and the values of an enum field', async () => {
    const editor = vscode.window.activeTextEditor!;
    const lastLine = editor.document.lineCount - 1;
    await editor.edit((edit) => edit.replace(editor.document.lineAt(lastLine).range, 'reward_extra: 1\nsft:\n  \nlr_scheduler_type: '));
    const inBlock = await completionLabels(editor.document, new vscode.Position(lastLine + 2, 2));
    assert.ok(inBlock.has('enabled') && inBlock.has('epochs'), `sft keys, got ${[...inBlock.keys()].join(', ')}`);
    assert.equal(inBlock.has('beta'), false);
    const values = await completionLabels(editor.document, new vscode.Position(lastLine + 3, 'lr_scheduler_type: '.length));
    assert.deepEqual([...values.keys()].filter((k) => ['linear', 'cosine', 'constant', 'constant_with_warmup'].includes(k)).sort(), ['constant', 'constant_with_warmup', 'cosine', 'linear']);
    const rewardKeys = await completionLabels(editor.document, new vscode.Position(editor.document.getText().split('\n').findIndex((l) => l.startsWith('  path:')), 2));
    assert.ok(rewardKeys.has('column') && rewardKeys.has('batch_size'), 'reward block keys');
    assert.equal(rewardKeys.has('source'), false, 'source is written already');
  });

  test('documents a field on hover', async () => {
    const doc = vscode.window.activeTextEditor!.document;
    const line = doc.getText().split('\n').findIndex((l) => l.startsWith('beta:'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, 1));
    const text = hovers.flatMap((h) => h.contents.map((c) => (c instanceof vscode.MarkdownString ? c.value : String(c)))).join('\n');
    assert.match(text, /\*\*beta\*\* · `number · default 0\.1`/);
    assert.match(text, /KL regularisation strength/);
    const nested = doc.getText().split('\n').findIndex((l) => l.startsWith('  source:'));
    const nestedHovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(nested, 3));
    assert.match(nestedHovers.map((h) => (h.contents[0] as vscode.MarkdownString).value).join(''), /\*\*reward\.source\*\*/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    rmSync(config.fsPath, { force: true });
  });
});
