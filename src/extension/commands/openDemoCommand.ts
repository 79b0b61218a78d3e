// "QRPO: Open Demo": runs `qrpo demo --out <workspace>/demo-runs --json`, whose run folders then appear in the Runs
// view. An engine without a demo command (or an untrusted workspace, where nothing runs) gets the README's
// explanation instead.
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { RunJob } from '../launcher/runJobs';
import { qrpoLog } from '../log';
import { reportJobOutcome, type RunCommandContext } from './runCommandContext';

export async function openDemo(context: RunCommandContext): Promise<RunJob | undefined> {
  const workspace = vscode.workspace.workspaceFolders?.[0];
  if (!vscode.workspace.isTrusted || !workspace || workspace.uri.scheme !== 'file') {
    await openReadme(context);
    return undefined;
  }
  const out = path.join(workspace.uri.fsPath, 'demo-runs');
  const job = context.jobs.launch({ kind: 'demo', title: 'QRPO demo', args: ['demo', '--out', out, '--json'], cwd: workspace.uri.fsPath });
  void job.outcome.then(async (outcome) => {
    if (outcome.result.unknownCommand) {
      qrpoLog().info("This engine has no 'demo' command; opening the README instead.");
      await openReadme(context);
      return;
    }
    await reportJobOutcome(job, context, { what: 'The demo' });
  });
  return job;
}

async function openReadme(context: RunCommandContext): Promise<void> {
  // A packaged extension holds `readme.md` (vsce renames it); a development checkout holds `README.md`.
  const names = await fs.readdir(context.extensionPath).catch(() => [] as string[]);
  const name = names.find((entry) => entry.toLowerCase() === 'readme.md') ?? 'README.md';
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(path.join(context.extensionPath, name)));
}
