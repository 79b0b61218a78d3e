// The results side of the extension: the Evaluation, run Quantile Rewards and Length Bias panels with their
// serializers, the run results and dataset preview custom editors, and the commands that open them:
//   qrpo.openResults          a run (folder Uri, run file, tree node; else a pick) → its Evaluation panel
//   qrpo.openQuantileRewards  a prepared *.jsonl → the prepared-file panel (as before); a run → the run panel
//   qrpo.openLengthBias       one or several runs (explorer multi-selection, arrays, or a multi-pick)
//   qrpo.previewDataset       a dataset file → the Dataset Preview custom editor
// Each command resolves to what it opened, so tests and other commands can wait on it. All of it only reads
// files, so it works in Restricted Mode.
import * as vscode from 'vscode';
import { stepOf } from '../../commands/commandArguments';
import { openQuantileRewards } from '../../commands/openQuantileRewardsCommand';
import { CommandId } from '../../contributionIds';
import { DatasetPreview } from '../../datasets/datasetPreview';
import { DATASET_PREVIEW_VIEW_TYPE, DatasetPreviewEditorProvider } from '../../datasets/datasetPreviewEditorProvider';
import { qrpoLog } from '../../log';
import type { RunsModel } from '../../runs/runsModel';
import { EvaluationPanels } from '../evaluation/evaluationPanels';
import { LengthBiasPanels } from '../lengthBias/lengthBiasPanels';
import type { QuantileRewardsPanels } from '../quantileRewards/quantileRewardsPanels';
import { RunQuantileRewardsPanels } from '../quantileRewards/runQuantileRewardsPanels';
import { pickRuns, runFoldersFromArgs } from '../shared/runArguments';
import type { LinkedPanel } from './commonProtocol';
import { RunResultsEditorProvider } from './runResultsEditorProvider';

export interface ResultsPanelsDeps {
  readonly runsModel: RunsModel;
  /** The prepared-file Quantile Rewards panels, which qrpo.openQuantileRewards still opens for a prepared file. */
  readonly quantileRewardsPanels: QuantileRewardsPanels;
}

/** What registerResultsPanels returns: the open panels and editors, for the API and the integration suite. */
export interface ResultsPanels extends vscode.Disposable {
  readonly evaluation: EvaluationPanels;
  readonly runQuantileRewards: RunQuantileRewardsPanels;
  readonly lengthBias: LengthBiasPanels;
  readonly runResultsEditors: RunResultsEditorProvider;
  readonly datasetPreviews: DatasetPreviewEditorProvider;
}

export function registerResultsPanels(context: vscode.ExtensionContext, deps: ResultsPanelsDeps): ResultsPanels {
  const openLinked = (panel: LinkedPanel, run: vscode.Uri): unknown => {
    switch (panel) {
      case 'evaluation':
        return evaluation.open(run);
      case 'quantileRewards':
        return runQuantileRewards.open(run);
      case 'lengthBias':
        return lengthBias.open([run]);
      case 'trainingCurves':
        return vscode.commands.executeCommand(CommandId.openTrainingCurves, run);
    }
  };
  const evaluation = new EvaluationPanels(context.extensionUri, openLinked);
  const runQuantileRewards = new RunQuantileRewardsPanels(context.extensionUri, openLinked);
  const lengthBias = new LengthBiasPanels(context.extensionUri, openLinked);
  const runResultsEditors = new RunResultsEditorProvider(context.extensionUri, openLinked);
  const datasetPreviews = new DatasetPreviewEditorProvider(context.extensionUri);

  const commands = [
    vscode.commands.registerCommand(CommandId.openResults, async (...args: unknown[]) => {
      const [run] = await runsFrom(args, deps.runsModel, 'Results of which run?', false);
      if (!run) return undefined;
      const panel = evaluation.open(run);
      // An evaluation node of the Runs view carries its step: show that checkpoint's samples.
      const step = stepOf(args[0]);
      if (step !== undefined) await panel.showSamples(step, '', 0);
      return panel;
    }),
    vscode.commands.registerCommand(CommandId.openQuantileRewards, async (...args: unknown[]) => {
      const [first] = args;
      if (isPreparedFile(first)) return openQuantileRewards(deps.quantileRewardsPanels, first);
      const runs = runFoldersFromArgs(args.slice(0, 1));
      if (runs.length) return runQuantileRewards.open(runs[0]);
      return pickQuantileTarget(deps, runQuantileRewards);
    }),
    vscode.commands.registerCommand(CommandId.openLengthBias, async (...args: unknown[]) => {
      const runs = await runsFrom(args, deps.runsModel, 'Length bias of which runs?', true);
      return runs.length ? lengthBias.open(runs) : undefined;
    }),
    vscode.commands.registerCommand(CommandId.previewDataset, async (fileArg?: unknown) => {
      const file = fileArg instanceof vscode.Uri ? fileArg : await pickDataset();
      return file ? openDatasetPreview(datasetPreviews, file) : undefined;
    }),
  ];
  const panels: ResultsPanels = {
    evaluation,
    runQuantileRewards,
    lengthBias,
    runResultsEditors,
    datasetPreviews,
    dispose: () => vscode.Disposable.from(evaluation, runQuantileRewards, lengthBias, runResultsEditors, datasetPreviews, ...commands).dispose(),
  };
  context.subscriptions.push(panels);
  return panels;
}

async function runsFrom(args: readonly unknown[], runsModel: RunsModel, title: string, many: boolean): Promise<vscode.Uri[]> {
  const given = runFoldersFromArgs(args);
  if (given.length) return many ? given : given.slice(0, 1);
  return pickRuns(runsModel, title, many);
}

/** A *.jsonl that is not a run's own metrics.jsonl: what the prepared-file panel shows. */
function isPreparedFile(arg: unknown): arg is vscode.Uri {
  if (!(arg instanceof vscode.Uri)) return false;
  const name = arg.path.split('/').pop() ?? '';
  return name.endsWith('.jsonl') && name !== 'metrics.jsonl';
}

async function pickQuantileTarget(deps: ResultsPanelsDeps, runPanels: RunQuantileRewardsPanels): Promise<unknown> {
  const runs = await deps.runsModel.runs();
  if (runs.length === 0) return openQuantileRewards(deps.quantileRewardsPanels, undefined);
  const items: (vscode.QuickPickItem & { folder?: vscode.Uri })[] = runs.map((run) => ({ label: run.name, detail: vscode.workspace.asRelativePath(run.folder), folder: run.folder }));
  items.push({ label: '$(file) Prepared file…', detail: 'A *.prepared.jsonl written by "QRPO: Prepare Quantile Rewards…"' });
  const picked = await vscode.window.showQuickPick(items, { title: 'Quantile rewards of which run?', matchOnDetail: true });
  if (!picked) return undefined;
  return picked.folder ? runPanels.open(picked.folder) : openQuantileRewards(deps.quantileRewardsPanels, undefined);
}

/** Opens the preview editor and resolves to it once VS Code has resolved the editor (or undefined after 10 s). */
async function openDatasetPreview(provider: DatasetPreviewEditorProvider, file: vscode.Uri): Promise<DatasetPreview | undefined> {
  const before = new Set(provider.previewsOf(file));
  const opened = new Promise<DatasetPreview | undefined>((resolve) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      resolve(provider.previewsOf(file)[0]);
    }, 10_000);
    const subscription = provider.onDidOpen((preview) => {
      if (preview.file.toString() !== file.toString()) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(preview);
    });
  });
  await vscode.commands.executeCommand('vscode.openWith', file, DATASET_PREVIEW_VIEW_TYPE);
  // An editor already open is revealed, not resolved again.
  const existing = provider.previewsOf(file).find((p) => before.has(p));
  if (existing) return existing;
  const preview = await opened;
  if (!preview) qrpoLog().warn(`Dataset Preview of ${file.fsPath} did not open.`);
  return preview;
}

async function pickDataset(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Dataset to preview',
    openLabel: 'Preview',
    canSelectMany: false,
    filters: { Datasets: ['jsonl', 'ndjson', 'json', 'csv', 'parquet', 'arrow'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}
