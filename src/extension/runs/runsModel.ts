// The host's model of the runs in the workspace: which folders are runs and what their status says. Views (the
// Runs tree now, panels later) observe it through `onDidChange` and never read run folders themselves.
// Discovery uses `workspace.findFiles` with the `qrpo.runGlobs` setting; updates come from file watchers on
// run.json and status.json, debounced because the engine rewrites status.json every logging step.
import * as vscode from 'vscode';
import { ConfigKey } from '../contributionIds';
import { qrpoLog } from '../log';
import { readRunSummary, runFolderOf, RunSummary } from './runFolder';

const debounceMs = 300;
const excludeGlob = '**/{node_modules,.git}/**';

export class RunsModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  private runsByFolder = new Map<string, RunSummary>();
  private watchers: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private pendingStatus = new Set<string>();
  private pendingRediscover = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loading: Promise<void>;

  constructor() {
    this.watch();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(`${ConfigKey.section}.${ConfigKey.runGlobs}`)) return;
        this.watch();
        this.schedule({ rediscover: true });
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule({ rediscover: true })),
    );
    this.loading = this.rediscover();
  }

  /** Runs sorted by folder name; waits for the first discovery so an empty list really means "no runs". */
  async runs(): Promise<readonly RunSummary[]> {
    await this.loading;
    return [...this.runsByFolder.values()].sort((a, b) => a.name.localeCompare(b.name) || a.folder.path.localeCompare(b.folder.path));
  }

  run(folder: vscode.Uri): RunSummary | undefined {
    return this.runsByFolder.get(folder.toString());
  }

  refresh(): Promise<void> {
    this.loading = this.rediscover();
    return this.loading;
  }

  dispose(): void {
    clearTimeout(this.timer);
    vscode.Disposable.from(...this.watchers, ...this.disposables, this.changed).dispose();
  }

  private globs(): string[] {
    const configured = vscode.workspace.getConfiguration(ConfigKey.section).get<unknown>(ConfigKey.runGlobs);
    const globs = Array.isArray(configured) ? configured.filter((g): g is string => typeof g === 'string' && g.length > 0) : [];
    return globs.length ? globs : ['**/run.json'];
  }

  private watch(): void {
    vscode.Disposable.from(...this.watchers).dispose();
    const runJson = this.globs().map((glob) => vscode.workspace.createFileSystemWatcher(glob));
    // A status.json matters only inside a known run folder; the check happens when the event arrives.
    const status = vscode.workspace.createFileSystemWatcher('**/status.json');
    for (const watcher of runJson) {
      watcher.onDidCreate(() => this.schedule({ rediscover: true }));
      watcher.onDidDelete(() => this.schedule({ rediscover: true }));
      watcher.onDidChange((uri) => this.schedule({ status: runFolderOf(uri) }));
    }
    const onStatus = (uri: vscode.Uri) => this.schedule({ status: runFolderOf(uri) });
    status.onDidCreate(onStatus);
    status.onDidChange(onStatus);
    status.onDidDelete(onStatus);
    this.watchers = [...runJson, status];
  }

  private schedule(change: { rediscover?: boolean; status?: vscode.Uri }): void {
    if (change.rediscover) this.pendingRediscover = true;
    if (change.status && this.runsByFolder.has(change.status.toString())) this.pendingStatus.add(change.status.toString());
    if (!this.pendingRediscover && this.pendingStatus.size === 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), debounceMs);
  }

  private async flush(): Promise<void> {
    const rediscover = this.pendingRediscover;
    const folders = [...this.pendingStatus];
    this.pendingRediscover = false;
    this.pendingStatus.clear();
    if (rediscover) {
      await this.refresh();
      return;
    }
    await this.loading;
    for (const key of folders) {
      const known = this.runsByFolder.get(key);
      if (known) this.runsByFolder.set(key, await readRunSummary(known.folder));
    }
    this.changed.fire();
  }

  private async rediscover(): Promise<void> {
    try {
      const found = await Promise.all(this.globs().map((glob) => vscode.workspace.findFiles(glob, excludeGlob)));
      const folders = new Map<string, vscode.Uri>();
      for (const runJson of found.flat()) folders.set(runFolderOf(runJson).toString(), runFolderOf(runJson));
      const summaries = await Promise.all([...folders.values()].map(readRunSummary));
      this.runsByFolder = new Map(summaries.map((run) => [run.folder.toString(), run]));
    } catch (error) {
      qrpoLog().error(`Could not search the workspace for runs: ${String(error)}`);
    }
    this.changed.fire();
  }
}
