// Turns what a command receives into run folders: a folder Uri, a file inside a run (run.json, metrics.jsonl,
// status.json), a tree node ({runUri}, {run: {folder}}), an array of those, or the explorer's (clicked, selection)
// pair. With nothing usable, asks the person to pick among the workspace's runs.
import * as vscode from 'vscode';
import type { RunsModel } from '../../runs/runsModel';

const filesInsideRun = new Set(['run.json', 'metrics.jsonl', 'status.json']);

export function runFoldersFromArgs(args: readonly unknown[]): vscode.Uri[] {
  const found = new Map<string, vscode.Uri>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    const uri = asRunFolder(value);
    if (uri) found.set(uri.toString(), uri);
  };
  args.forEach(visit);
  return [...found.values()];
}

function asRunFolder(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) {
    const base = value.path.split('/').pop() ?? '';
    return filesInsideRun.has(base) ? vscode.Uri.joinPath(value, '..') : value;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as { runUri?: unknown; run?: { folder?: unknown }; folder?: unknown; resourceUri?: unknown };
  for (const candidate of [record.runUri, record.run?.folder, record.folder, record.resourceUri]) {
    if (candidate instanceof vscode.Uri) return asRunFolder(candidate);
  }
  return undefined;
}

/** The last argument when it is a plain options object (tests and other commands pass view settings this way). */
export function optionsFromArgs<T extends object>(args: readonly unknown[]): Partial<T> | undefined {
  const last = args[args.length - 1];
  if (typeof last !== 'object' || last === null || Array.isArray(last) || last instanceof vscode.Uri) return undefined;
  if (asRunFolder(last)) return undefined;
  return last as Partial<T>;
}

export async function pickRuns(runsModel: RunsModel, title: string, canPickMany: boolean): Promise<vscode.Uri[]> {
  const runs = await runsModel.runs();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('There are no QRPO runs in this workspace yet.');
    return [];
  }
  const items = runs.map((run) => ({
    label: run.name,
    description: [run.state, run.step === undefined ? undefined : `step ${run.step}`].filter(Boolean).join(' · '),
    detail: vscode.workspace.asRelativePath(run.folder),
    folder: run.folder,
  }));
  if (canPickMany) {
    const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true, matchOnDetail: true });
    return picked?.map((item) => item.folder) ?? [];
  }
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDetail: true });
  return picked ? [picked.folder] : [];
}

/** The name people know a run by: its folder's name. */
export function runName(folder: vscode.Uri): string {
  return folder.path.split('/').filter(Boolean).pop() ?? folder.toString();
}
