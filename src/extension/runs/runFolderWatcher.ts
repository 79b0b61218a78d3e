// A watch of its own on a run folder that appeared while the window was open. The workspace's recursive watcher can
// miss such a folder for good: when `runs/` and `runs/<name>/` are created together (the engine's `mkdir -p`), it may
// add its watch on `runs/` only after `<name>` exists and never learn of it, so not one event from inside the run
// arrives. Node's fs.watch on the run folder (and on its evals/ folder, where evaluations are renamed into place)
// reports the names the engine writes there, whichever way the workspace watcher went.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { qrpoLog } from '../log';
import { RunFile, runPartOfEntry, type RunPart } from './runFiles';

export class RunFolderWatcher implements vscode.Disposable {
  private readonly folderWatch: FSWatcher | undefined;
  private evalsWatch: FSWatcher | undefined;

  constructor(
    folder: vscode.Uri,
    private readonly onChange: (part: RunPart) => void,
  ) {
    const evalsDir = join(folder.fsPath, RunFile.evals);
    this.folderWatch = watchNames(folder.fsPath, (name) => {
      const part = runPartOfEntry(name);
      // evals/ may be new (or replaced): watch the folder that is there now.
      if (part === 'evals') this.watchEvals(evalsDir);
      if (part) this.onChange(part);
    });
    this.watchEvals(evalsDir);
  }

  dispose(): void {
    this.folderWatch?.close();
    this.evalsWatch?.close();
  }

  private watchEvals(dir: string): void {
    this.evalsWatch?.close();
    // Evaluations are renamed into place whole; names starting with a dot are the engine's temporary folders.
    this.evalsWatch = watchNames(dir, (name) => {
      if (!name.startsWith('.')) this.onChange('evals');
    });
  }
}

/** fs.watch on `dir` if it exists; a watch that fails later (its folder deleted) just ends. */
function watchNames(dir: string, onName: (name: string) => void): FSWatcher | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name) onName(name.toString());
    });
    watcher.on('error', (error) => {
      watcher.close();
      qrpoLog().debug(`Stopped watching ${dir}: ${String(error)}`);
    });
    return watcher;
  } catch {
    return undefined; // not there (yet)
  }
}
