// Small commands on a run folder: reveal it in the OS file manager or in the VS Code explorer, copy its path. They
// only read, so they work in Restricted Mode.
import * as vscode from 'vscode';
import { runUriOf } from './commandArguments';
import type { RunCommandContext } from './runCommandContext';
import { runFromArg } from './commandArguments';

/** A checkpoint or evaluation node names its own folder; a run node (or Uri) the run folder. */
function folderOf(arg: unknown): vscode.Uri | undefined {
  if (typeof arg === 'object' && arg !== null) {
    const node = arg as { evalUri?: unknown; checkpointUri?: unknown; kind?: string };
    if (node.kind === 'evaluation' && node.evalUri instanceof vscode.Uri) return node.evalUri;
    if (node.kind === 'checkpoint' && node.checkpointUri instanceof vscode.Uri) return node.checkpointUri;
  }
  return undefined;
}

async function targetOf(context: RunCommandContext, arg: unknown, title: string): Promise<vscode.Uri | undefined> {
  return folderOf(arg) ?? (runUriOf(arg) ? runUriOf(arg) : (await runFromArg(context.runsModel, arg, { title, none: 'There are no runs.' }))?.folder);
}

export async function revealRunInOS(context: RunCommandContext, arg?: unknown): Promise<vscode.Uri | undefined> {
  const target = await targetOf(context, arg, 'Reveal which run?');
  if (target) await vscode.commands.executeCommand('revealFileInOS', target);
  return target;
}

export async function revealRunInExplorer(context: RunCommandContext, arg?: unknown): Promise<vscode.Uri | undefined> {
  const target = await targetOf(context, arg, 'Reveal which run?');
  if (target) await vscode.commands.executeCommand('revealInExplorer', target);
  return target;
}

export async function copyRunPath(context: RunCommandContext, arg?: unknown): Promise<string | undefined> {
  const target = await targetOf(context, arg, 'Copy the path of which run?');
  if (!target) return undefined;
  await vscode.env.clipboard.writeText(target.fsPath);
  return target.fsPath;
}
