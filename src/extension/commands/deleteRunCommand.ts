// "QRPO: Delete Run": removes a run folder after a modal confirmation that names what is lost. A running run is
// refused: its engine process would go on writing into a folder that is gone.
import * as vscode from 'vscode';
import { optionsOf, isActive, runFromArg } from './commandArguments';
import type { RunCommandContext } from './runCommandContext';

export interface DeleteRunOptions {
  /** Answers the confirmation without asking (callers that asked already, tests): true deletes, false cancels. */
  readonly confirmed: boolean;
}

export async function deleteRun(context: RunCommandContext, arg?: unknown, optionsArg?: unknown): Promise<boolean> {
  const run = await runFromArg(context.runsModel, arg, { title: 'Delete which run?', filter: (r) => !isActive(r), none: 'There is no run to delete.' });
  if (!run) return false;
  if (isActive(run) || context.jobs.jobFor(run.folder)) {
    void vscode.window.showWarningMessage(`${run.name} is running: stop it before deleting it.`);
    return false;
  }
  const details = await context.runsModel.runDetails(run.folder);
  const { confirmed } = optionsOf<DeleteRunOptions>(optionsArg);
  const answer =
    confirmed ??
    (await vscode.window.showWarningMessage(
      `Delete the run ${run.name}?`,
      {
        modal: true,
        detail: `${run.folder.fsPath} and everything in it (${details.checkpoints.length} checkpoints, ${details.evaluations.length} evaluations, metrics and stage outputs) will be deleted.`,
      },
      'Delete',
    )) === 'Delete';
  if (!answer) return false;
  try {
    await vscode.workspace.fs.delete(run.folder, { recursive: true, useTrash: true });
  } catch {
    // Remote and some Linux hosts have no trash; the user confirmed a deletion.
    await vscode.workspace.fs.delete(run.folder, { recursive: true, useTrash: false });
  }
  await context.runsModel.refresh();
  return true;
}
