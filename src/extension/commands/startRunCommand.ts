// "QRPO: Start Run": `qrpo run CONFIG --json` on a run config (*.qrpo.yaml / *.qrpo.json): the argument, else the
// active editor's file (saved first, so the run gets what the user sees). Also the config files' CodeLens and
// editor title action. Resolves with the job once the engine process has started.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandId, runConfigFileName } from '../contributionIds';
import type { RunJob } from '../launcher/runJobs';
import { reportJobOutcome, type RunCommandContext } from './runCommandContext';
import { requireWorkspaceTrust } from './workspaceTrustGate';

export async function startRun(context: RunCommandContext, arg?: unknown): Promise<RunJob | undefined> {
  if (!requireWorkspaceTrust('Starting a run')) return undefined;
  const config = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!config || !runConfigFileName.test(config.path)) {
    const choice = await vscode.window.showErrorMessage('Start Run needs a run config file (*.qrpo.yaml or *.qrpo.json): open one, or create one with New Run.', 'New Run');
    if (choice === 'New Run') await vscode.commands.executeCommand(CommandId.newRun);
    return undefined;
  }
  if (config.scheme !== 'file') {
    void vscode.window.showErrorMessage(`The QRPO engine reads local files only; ${config.toString()} is not one.`);
    return undefined;
  }
  const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === config.toString());
  if (open?.isDirty) await open.save();
  const running = context.jobs.active().find((job) => job.start.configFile?.fsPath === config.fsPath);
  if (running) {
    void vscode.window.showInformationMessage(`${path.basename(config.fsPath)} is already running (${running.title}).`);
    return running;
  }
  const name = path.basename(config.fsPath).replace(runConfigFileName, '');
  const job = context.jobs.launch({
    kind: 'run',
    title: `QRPO run ${name}`,
    args: ['run', config.fsPath, '--json'],
    cwd: path.dirname(config.fsPath),
    configFile: config,
  });
  void reportJobOutcome(job, context, { configFile: config, what: `Run ${name}` });
  return job;
}
