// What QRPO commands accept as arguments: a run folder Uri, a Runs tree node (anything with `runUri`, and `step`
// for checkpoints and evaluations), or nothing, in which case the user picks from the runs the command applies to.
import * as vscode from 'vscode';
import type { RunSummary } from '../runs/runSummary';
import type { RunsModel } from '../runs/runsModel';

export function runUriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.file(arg);
  if (typeof arg === 'object' && arg !== null && (arg as { runUri?: unknown }).runUri instanceof vscode.Uri) return (arg as { runUri: vscode.Uri }).runUri;
  return undefined;
}

export function stepOf(arg: unknown): number | undefined {
  const step = typeof arg === 'object' && arg !== null ? (arg as { step?: unknown }).step : undefined;
  return typeof step === 'number' && Number.isInteger(step) && step >= 0 ? step : undefined;
}

/** An options object passed after the run (by tests and other callers that know the answers), not a tree node. */
export function optionsOf<T extends object>(arg: unknown): Partial<T> {
  return typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) && !Array.isArray(arg) && !('runUri' in arg) ? (arg as Partial<T>) : {};
}

/** The run the argument names (it must be a known run), or one the user picks among `candidates`. */
export async function runFromArg(model: RunsModel, arg: unknown, pick: { title: string; filter?: (run: RunSummary) => boolean; none: string }): Promise<RunSummary | undefined> {
  const uri = runUriOf(arg);
  if (uri) {
    const run = model.run(uri) ?? model.runContaining(uri);
    if (!run) void vscode.window.showErrorMessage(`${uri.fsPath} is not a QRPO run folder (it has no run.json).`);
    return run;
  }
  const candidates = (await model.runs()).filter(pick.filter ?? (() => true));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(pick.none);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((run) => ({ label: run.name, description: run.state, detail: vscode.workspace.asRelativePath(run.folder), run })),
    { title: pick.title, matchOnDetail: true },
  );
  return picked?.run;
}

/** A run whose process is alive: it must not be resumed, deleted or started twice. */
export function isActive(run: RunSummary): boolean {
  return run.state === 'running' || run.state === 'stopping';
}
