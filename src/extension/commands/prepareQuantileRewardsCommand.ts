// "QRPO: Prepare Quantile Rewards…": asks for a dataset, β, transform and the number of reference rewards, runs
// `qrpo prepare` as a child process with a cancellable progress notification, and opens the result in the
// Quantile Rewards panel. It executes the engine, so it refuses to run in an untrusted workspace.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PrepareSummaryEvent } from '../launcher/cliEvents';
import { engineCliPath, runEngineCli } from '../launcher/engineCli';
import { qrpoLog, showErrorWithLog } from '../log';
import type { QuantileRewardsPanel } from '../panels/quantileRewards/quantileRewardsPanel';
import type { QuantileRewardsPanels } from '../panels/quantileRewards/quantileRewardsPanels';
import { askPrepareOptions, PrepareOptions } from './prepareOptionsPrompt';

export interface PrepareResult {
  readonly summary: PrepareSummaryEvent;
  readonly panel: QuantileRewardsPanel;
}

export function preparedOutputPath(dataset: string): string {
  const parsed = path.parse(dataset);
  return path.join(parsed.dir, `${parsed.name}.prepared.jsonl`);
}

/**
 * `options` lets callers that already know the answers (tests, a later New Run flow) skip the prompts.
 * Resolves to undefined when the user cancels or the engine fails (the user has been told why).
 */
export async function prepareQuantileRewards(
  extensionPath: string,
  panels: QuantileRewardsPanels,
  datasetArg?: unknown,
  options?: Partial<PrepareOptions>,
): Promise<PrepareResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    // Messages are not awaited: the command resolves now, the message waits for the user.
    void vscode.window
      .showWarningMessage(
        'Preparing quantile rewards runs the QRPO engine, which is disabled in Restricted Mode. Trust this workspace to enable it.',
        'Manage Workspace Trust',
      )
      .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
    return undefined;
  }
  const dataset = datasetArg instanceof vscode.Uri ? datasetArg : await pickDataset();
  if (!dataset) return undefined;
  if (dataset.scheme !== 'file') {
    void vscode.window.showErrorMessage(`The QRPO engine reads local files only; ${dataset.toString()} is not one.`);
    return undefined;
  }
  const answers = await askPrepareOptions(options);
  if (!answers) return undefined;

  const out = preparedOutputPath(dataset.fsPath);
  const args = ['prepare', dataset.fsPath, '--beta', String(answers.beta), '--transform', answers.transform];
  if (answers.numRef !== undefined) args.push('--num-ref', String(answers.numRef));
  args.push('--out', out, '--json');

  let summary: PrepareSummaryEvent | undefined;
  let invalid = 0;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Preparing quantile rewards for ${path.basename(dataset.fsPath)}`, cancellable: true },
    (progress, token) =>
      runEngineCli(engineCliPath(extensionPath), args, {
        cwd: path.dirname(dataset.fsPath),
        token,
        onEvent: (event) => {
          if (event.event === 'progress') progress.report({ message: `${event.records} records` });
          if (event.event === 'invalid') invalid++;
          if (event.event === 'summary') summary = event;
        },
      }),
  );

  if (result.cancelled) {
    qrpoLog().info('Preparation cancelled.');
    return undefined;
  }
  if (result.exitCode !== 0 || !summary) {
    const reason = result.error ?? `the QRPO engine exited with ${result.signal ?? `code ${result.exitCode}`}`;
    void showErrorWithLog(`Could not prepare quantile rewards: ${reason}`);
    return undefined;
  }
  if (invalid > 0) {
    void vscode.window.showWarningMessage(`Prepared ${summary.records} records; ${invalid} invalid rows were skipped (see the QRPO log).`);
  }
  const panel = panels.open(vscode.Uri.file(summary.out), {
    beta: summary.beta,
    transform: summary.transform,
    logZ: summary.logZ,
    numRef: answers.numRef,
  });
  return { summary, panel };
}

async function pickDataset(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Dataset to prepare quantile rewards for',
    openLabel: 'Prepare',
    canSelectMany: false,
    filters: { Datasets: ['jsonl', 'json', 'csv', 'parquet'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}
