// "QRPO: Resume Run": `qrpo resume RUN_DIR --json` on a stopped, failed or crashed run. The engine skips the stages
// whose outputs are complete and continues training from the last checkpoint.
import * as vscode from 'vscode';
import type { RunJob } from '../launcher/runJobs';
import { isActive, runFromArg } from './commandArguments';
import { reportJobOutcome, type RunCommandContext } from './runCommandContext';
import { requireWorkspaceTrust } from './workspaceTrustGate';

export async function resumeRun(context: RunCommandContext, arg?: unknown): Promise<RunJob | undefined> {
  if (!requireWorkspaceTrust('Resuming a run')) return undefined;
  const run = await runFromArg(context.runsModel, arg, {
    title: 'Resume which run?',
    filter: (r) => !isActive(r) && r.state !== 'done',
    none: 'No run to resume: every run is running or done.',
  });
  if (!run) return undefined;
  const own = context.jobs.jobFor(run.folder);
  if (isActive(run) || own) {
    void vscode.window.showInformationMessage(`${run.name} is running already.`);
    return own;
  }
  const job = context.jobs.launch({
    kind: 'resume',
    title: `QRPO resume ${run.name}`,
    args: ['resume', run.folder.fsPath, '--json'],
    cwd: run.folder.fsPath,
    runFolder: run.folder,
  });
  void reportJobOutcome(job, context, { what: `Run ${run.name}` });
  return job;
}
