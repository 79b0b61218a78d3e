// "Compare With…" on a run: picks the runs to overlay (several allowed, no cap) and opens the comparison through
// qrpo.compareRuns, whose handler the training-curves panel registers. Arguments follow VS Code's multi-select
// convention: the first run, then the list of all runs to compare.
import * as vscode from 'vscode';
import { CommandId } from '../contributionIds';
import { runUriOf } from './commandArguments';
import type { RunCommandContext } from './runCommandContext';

export async function compareWith(context: RunCommandContext, arg?: unknown, selected?: unknown): Promise<vscode.Uri[] | undefined> {
  const fromSelection = Array.isArray(selected) ? selected.map(runUriOf).filter((u): u is vscode.Uri => u !== undefined) : [];
  const first = runUriOf(arg) ?? fromSelection[0];
  // Several runs selected in the tree: compare those without asking.
  if (first && fromSelection.length > 1) return openComparison(unique([first, ...fromSelection]));
  const runs = await context.runsModel.runs();
  const others = runs.filter((run) => run.folder.toString() !== first?.toString());
  if (others.length === 0) {
    void vscode.window.showInformationMessage('There is no other run to compare with.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    others.map((run) => ({ label: run.name, description: run.state, detail: vscode.workspace.asRelativePath(run.folder), folder: run.folder })),
    { title: first ? `Compare ${runs.find((r) => r.folder.toString() === first.toString())?.name ?? 'run'} with…` : 'Compare which runs?', canPickMany: true, matchOnDetail: true },
  );
  if (!picked?.length) return undefined;
  return openComparison(unique([...(first ? [first] : []), ...picked.map((p) => p.folder)]));
}

async function openComparison(folders: vscode.Uri[]): Promise<vscode.Uri[]> {
  await vscode.commands.executeCommand(CommandId.compareRuns, folders[0], folders);
  return folders;
}

function unique(folders: vscode.Uri[]): vscode.Uri[] {
  return [...new Map(folders.map((f) => [f.toString(), f])).values()];
}
