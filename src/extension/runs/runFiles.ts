// The files of a run folder the extension reads (src/qrpo/run/runFolder.ts lists them all), and which of a run's
// parts a changed path belongs to, so a watcher event refreshes only what changed.
import * as vscode from 'vscode';

export const RunFile = {
  manifest: 'run.json',
  status: 'status.json',
  metrics: 'metrics.jsonl',
  lock: 'run.lock',
  log: 'run.log',
  evals: 'evals',
  evalSummary: 'summary.json',
  evalSamples: 'samples.jsonl',
  trainerState: 'trainer_state.json',
} as const;

/** What a change touched: the summary (status, metrics, lock), the run's config, or its checkpoints/evaluations. */
export type RunPart = 'manifest' | 'status' | 'metrics' | 'lock' | 'checkpoints' | 'evals';

/** Watched inside every workspace folder; each pattern maps to one RunPart. */
export const watchedRunFiles: readonly { glob: string; part: RunPart }[] = [
  { glob: `**/${RunFile.status}`, part: 'status' },
  { glob: `**/${RunFile.metrics}`, part: 'metrics' },
  { glob: `**/${RunFile.lock}`, part: 'lock' },
  // A checkpoint or evaluation folder appears whole (renamed into place), which some watchers report only as the
  // folder itself, so the folders are watched as well as the file inside them.
  { glob: '**/checkpoint-*', part: 'checkpoints' },
  { glob: `**/checkpoint-*/${RunFile.trainerState}`, part: 'checkpoints' },
  { glob: `**/${RunFile.evals}/*`, part: 'evals' },
  { glob: `**/${RunFile.evals}/*/${RunFile.evalSummary}`, part: 'evals' },
];

export function runFolderOf(runJson: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(runJson, '..');
}

export function runName(folder: vscode.Uri): string {
  return folder.path.split('/').filter(Boolean).pop() ?? folder.path;
}

export function checkpointUri(folder: vscode.Uri, step: number): vscode.Uri {
  return vscode.Uri.joinPath(folder, `checkpoint-${step}`);
}

export function evalUri(folder: vscode.Uri, step: number): vscode.Uri {
  return vscode.Uri.joinPath(folder, RunFile.evals, String(step));
}
