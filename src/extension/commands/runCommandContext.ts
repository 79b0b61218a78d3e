// What the run commands share: the runs model, the engine jobs of this window, and a way to show a run in the tree.
import * as vscode from 'vscode';
import type { RunJob } from '../launcher/runJobs';
import type { RunJobs } from '../launcher/runJobs';
import { qrpoLog } from '../log';
import type { RunsModel } from '../runs/runsModel';

export interface RunCommandContext {
  readonly extensionPath: string;
  readonly runsModel: RunsModel;
  readonly jobs: RunJobs;
  /** Selects the run in the Runs view (after it appears there). */
  readonly revealRun: (folder: vscode.Uri) => Promise<void>;
}

/**
 * Tells the user how a job ended, with actions that lead on: the config or the log after a failure, the run after
 * success. Not awaited by commands: they resolve with the job while it runs.
 */
export async function reportJobOutcome(job: RunJob, context: RunCommandContext, options: { configFile?: vscode.Uri; what: string }): Promise<void> {
  const outcome = await job.outcome;
  const folder = job.runFolder ?? (outcome.runDir ? vscode.Uri.file(outcome.runDir) : undefined);
  if (outcome.state === 'done') {
    const choice = await vscode.window.showInformationMessage(`${options.what} finished.`, ...(folder ? ['Show Run'] : []));
    if (choice === 'Show Run' && folder) await context.revealRun(folder);
    return;
  }
  if (outcome.state === 'stopped') {
    qrpoLog().info(`${options.what} stopped.`);
    void vscode.window.showInformationMessage(`${options.what} stopped; resume it from the Runs view.`);
    return;
  }
  const actions = [...(options.configFile ? ['Open Config'] : []), 'Show Log'];
  const choice = await vscode.window.showErrorMessage(`${options.what} failed: ${outcome.message ?? 'see the QRPO log'}`, ...actions);
  if (choice === 'Open Config' && options.configFile) await vscode.window.showTextDocument(options.configFile);
  if (choice === 'Show Log') qrpoLog().show(true);
}
