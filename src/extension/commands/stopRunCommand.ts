// "QRPO: Stop Run": a run this window started is signalled directly; any other (started from a terminal, another
// window) through `qrpo stop RUN_DIR`. Either way the engine stops between steps and records state "stopped".
import * as vscode from 'vscode';
import { showErrorWithLog } from '../log';
import { isActive, runFromArg } from './commandArguments';
import type { RunCommandContext } from './runCommandContext';
import { requireWorkspaceTrust } from './workspaceTrustGate';

export async function stopRun(context: RunCommandContext, arg?: unknown): Promise<boolean> {
  if (!requireWorkspaceTrust('Stopping a run')) return false;
  const run = await runFromArg(context.runsModel, arg, { title: 'Stop which run?', filter: (r) => isActive(r) || context.jobs.jobFor(r.folder) !== undefined, none: 'No run is running.' });
  if (!run) return false;
  const config = await context.runsModel.runConfig(run.folder);
  const job = context.jobs.jobFor(run.folder, config.configFile);
  if (job) {
    await job.stop();
    return true;
  }
  if (!isActive(run)) {
    void vscode.window.showInformationMessage(run.state === 'crashed' ? `${run.name} is not running: its process is gone. Resume it to continue.` : `${run.name} is not running.`);
    return false;
  }
  const failure = await context.jobs.stopForeign(run.folder);
  if (failure) void showErrorWithLog(`Could not stop ${run.name}: ${failure}`);
  return failure === undefined;
}
