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

/**
 * Watched inside every workspace folder; each pattern maps to one RunPart. `depth` is how many folders below the run
 * folder the matched path lies, so an event in a folder that is not a known run yet says where to look for its run.json.
 */
export const watchedRunFiles: readonly { glob: string; part: RunPart; depth: number }[] = [
  { glob: `**/${RunFile.status}`, part: 'status', depth: 1 },
  { glob: `**/${RunFile.metrics}`, part: 'metrics', depth: 1 },
  { glob: `**/${RunFile.lock}`, part: 'lock', depth: 1 },
  // A checkpoint or evaluation folder appears whole (renamed into place), which some watchers report only as the
  // folder itself, so the folders are watched as well as the file inside them.
  { glob: '**/checkpoint-*', part: 'checkpoints', depth: 1 },
  { glob: `**/checkpoint-*/${RunFile.trainerState}`, part: 'checkpoints', depth: 2 },
  { glob: `**/${RunFile.evals}/*`, part: 'evals', depth: 2 },
  { glob: `**/${RunFile.evals}/*/${RunFile.evalSummary}`, part: 'evals', depth: 3 },
];

export function runFolderOf(runJson: vscode.Uri): vscode.Uri {
  return folderAbove(runJson, 1);
}

/** What a change to an entry directly inside a run folder touched, by its name; undefined for anything else. */
export function runPartOfEntry(name: string): RunPart | undefined {
  switch (name) {
    case RunFile.manifest:
      return 'manifest';
    case RunFile.status:
      return 'status';
    case RunFile.metrics:
      return 'metrics';
    case RunFile.lock:
      return 'lock';
    case RunFile.evals:
      return 'evals';
    default:
      return /^checkpoint-\d+$/.test(name) ? 'checkpoints' : undefined;
  }
}

/** The folder `depth` levels above `uri`: the run folder a watched path would belong to. */
export function folderAbove(uri: vscode.Uri, depth: number): vscode.Uri {
  return vscode.Uri.joinPath(uri, ...Array<string>(depth).fill('..'));
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
