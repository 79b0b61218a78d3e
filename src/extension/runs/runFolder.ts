// Reads what the Runs view shows about one run folder. The engine owns the folder and writes `status.json`
// atomically; a missing or half-written status just means "no status yet", never an error in the view.
import * as vscode from 'vscode';

export type RunState = 'running' | 'done' | 'failed' | 'pending' | string;

export interface RunSummary {
  /** The run folder: the folder that holds `run.json`. */
  readonly folder: vscode.Uri;
  readonly name: string;
  readonly state?: RunState;
  readonly step?: number;
}

export function runFolderOf(runJson: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(runJson, '..');
}

export async function readRunSummary(folder: vscode.Uri): Promise<RunSummary> {
  const name = folder.path.split('/').filter(Boolean).pop() ?? folder.path;
  const status = await readStatus(vscode.Uri.joinPath(folder, 'status.json'));
  return { folder, name, ...status };
}

async function readStatus(uri: vscode.Uri): Promise<{ state?: string; step?: number }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const { state, step } = parsed as Record<string, unknown>;
  return {
    state: typeof state === 'string' ? state : undefined,
    step: typeof step === 'number' && Number.isFinite(step) ? step : undefined,
  };
}

/** "running · step 12", "done", or undefined when the engine has not written a status. */
export function describeRunStatus(run: RunSummary): string | undefined {
  const parts = [run.state, run.step === undefined ? undefined : `step ${run.step}`].filter((p) => p !== undefined);
  return parts.length ? parts.join(' · ') : undefined;
}
