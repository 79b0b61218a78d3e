// The host's model of the runs in the workspace: which folders are runs, what their status says, and (for runs
// someone expanded) their checkpoints and evaluations. The Runs tree, the status bar and the panels observe it
// through `onDidChange` and never read run folders for this themselves.
// Discovery uses `workspace.findFiles` with the `qrpo.runGlobs` setting, once. After that, file watchers say which
// run changed and what part of it (runFiles.ts), and only that run's files are read again, debounced per run
// because the engine rewrites status.json and appends to metrics.jsonl at every logging step.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { ConfigKey } from '../contributionIds';
import { qrpoLog } from '../log';
import { readRunConfigSummary, readRunDetails, type RunConfigSummary, type RunDetails } from './runDetails';
import { runFolderOf, watchedRunFiles, type RunPart } from './runFiles';
import { readRunSummary, type RunSummary } from './runSummary';

const debounceMs = 250;
const excludeGlob = '**/{node_modules,.git}/**';

export interface RunChange {
  readonly folder: vscode.Uri;
  readonly parts: ReadonlySet<RunPart>;
}

export interface RunsChange {
  /** The runs whose files changed; undefined when the set of runs itself changed (a run appeared or went away). */
  readonly runs?: readonly RunChange[];
}

export class RunsModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsChange>();
  readonly onDidChange = this.changed.event;

  private runsByFolder = new Map<string, RunSummary>();
  private readonly details = new Map<string, Promise<RunDetails>>();
  private readonly configs = new Map<string, Promise<RunConfigSummary>>();
  private watchers: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, Set<RunPart>>();
  private pendingRediscover = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loading: Promise<void>;
  /** Discoveries and summary reads overlap; only the latest one started may write its result. */
  private discovery = 0;
  private readonly summaryReads = new Map<string, number>();

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

  /** Runs sorted by name; waits for the first discovery so an empty list really means "no runs". */
  async runs(): Promise<readonly RunSummary[]> {
    await this.loading;
    return this.sorted();
  }

  /** The runs known now, without waiting for a discovery in progress. */
  knownRuns(): readonly RunSummary[] {
    return this.sorted();
  }

  run(folder: vscode.Uri): RunSummary | undefined {
    return this.runsByFolder.get(folder.toString());
  }

  /** The run folder that contains `uri` (a file anywhere inside a run), if any. */
  runContaining(uri: vscode.Uri): RunSummary | undefined {
    for (let candidate = uri; ; candidate = vscode.Uri.joinPath(candidate, '..')) {
      const run = this.runsByFolder.get(candidate.toString());
      if (run) return run;
      if (candidate.path === '/' || candidate.path === '') return undefined;
    }
  }

  /** Checkpoints and evaluations, read on first request and kept until the folder changes. */
  runDetails(folder: vscode.Uri): Promise<RunDetails> {
    const key = folder.toString();
    let details = this.details.get(key);
    if (!details) {
      details = readRunDetails(folder);
      this.details.set(key, details);
    }
    return details;
  }

  /** The run's details if they were read already; the tree shows the latest evaluation only then. */
  loadedDetails(folder: vscode.Uri): Promise<RunDetails> | undefined {
    return this.details.get(folder.toString());
  }

  runConfig(folder: vscode.Uri): Promise<RunConfigSummary> {
    const key = folder.toString();
    let config = this.configs.get(key);
    if (!config) {
      config = readRunConfigSummary(folder);
      this.configs.set(key, config);
    }
    return config;
  }

  refresh(): Promise<void> {
    this.details.clear();
    this.configs.clear();
    this.loading = this.rediscover();
    return this.loading;
  }

  dispose(): void {
    clearTimeout(this.timer);
    vscode.Disposable.from(...this.watchers, ...this.disposables, this.changed).dispose();
  }

  private sorted(): RunSummary[] {
    return [...this.runsByFolder.values()].sort((a, b) => a.name.localeCompare(b.name) || a.folder.path.localeCompare(b.folder.path));
  }

  private globs(): string[] {
    const configured = vscode.workspace.getConfiguration(ConfigKey.section).get<unknown>(ConfigKey.runGlobs);
    const globs = Array.isArray(configured) ? configured.filter((g): g is string => typeof g === 'string' && g.length > 0) : [];
    return globs.length ? globs : ['**/run.json'];
  }

  private watch(): void {
    vscode.Disposable.from(...this.watchers).dispose();
    this.watchers = [];
    for (const glob of this.globs()) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      watcher.onDidCreate(() => this.schedule({ rediscover: true }));
      watcher.onDidDelete(() => this.schedule({ rediscover: true }));
      watcher.onDidChange((uri) => this.schedule({ folder: runFolderOf(uri), part: 'manifest' }));
      this.watchers.push(watcher);
    }
    // A folder copied in or deleted whole (`cp -r`, `rm -rf runs/x`) can be reported as that folder only, without
    // events for the run.json inside it, so new folders outside known runs and deleted run folders rediscover.
    const folders = vscode.workspace.createFileSystemWatcher('**', false, true, false);
    folders.onDidCreate((uri) => {
      if (uri.scheme !== 'file' || this.runContaining(uri)) return;
      void fs.stat(uri.fsPath).then(
        (stat) => stat.isDirectory() && this.schedule({ rediscover: true }),
        () => undefined,
      );
    });
    folders.onDidDelete((uri) => {
      if (uri.path.endsWith('.tmp')) return;
      const prefix = `${uri.toString()}/`;
      if ([...this.runsByFolder.keys()].some((key) => key === uri.toString() || key.startsWith(prefix))) this.schedule({ rediscover: true });
    });
    this.watchers.push(folders);
    // These files matter only inside a known run folder; which run is found when the event arrives.
    for (const { glob, part } of watchedRunFiles) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      const onEvent = (uri: vscode.Uri) => {
        const run = this.runContaining(uri);
        if (run) this.schedule({ folder: run.folder, part });
      };
      watcher.onDidCreate(onEvent);
      watcher.onDidChange(onEvent);
      watcher.onDidDelete(onEvent);
      this.watchers.push(watcher);
    }
  }

  private schedule(change: { rediscover?: boolean; folder?: vscode.Uri; part?: RunPart }): void {
    if (change.rediscover) this.pendingRediscover = true;
    if (change.folder && change.part && this.runsByFolder.has(change.folder.toString())) {
      const key = change.folder.toString();
      const parts = this.pending.get(key) ?? new Set<RunPart>();
      parts.add(change.part);
      this.pending.set(key, parts);
    }
    if (!this.pendingRediscover && this.pending.size === 0) return;
    // Coalesce, but never postpone: a run writing every few milliseconds would otherwise starve the flush forever.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, debounceMs);
  }

  private async flush(): Promise<void> {
    const rediscover = this.pendingRediscover;
    const pending = [...this.pending];
    this.pendingRediscover = false;
    this.pending.clear();
    if (rediscover) {
      await this.refresh();
      return;
    }
    await this.loading;
    const changes: RunChange[] = [];
    await Promise.all(
      pending.map(async ([key, parts]) => {
        const known = this.runsByFolder.get(key);
        if (!known) return;
        if (parts.has('checkpoints') || parts.has('evals')) this.reloadDetails(key, known.folder);
        if (parts.has('manifest')) this.configs.delete(key);
        if (parts.has('status') || parts.has('metrics') || parts.has('lock')) {
          const read = (this.summaryReads.get(key) ?? 0) + 1;
          this.summaryReads.set(key, read);
          const summary = await readRunSummary(known.folder);
          if (this.summaryReads.get(key) === read && this.runsByFolder.has(key)) this.runsByFolder.set(key, summary);
        }
        changes.push({ folder: known.folder, parts });
      }),
    );
    if (changes.length) this.changed.fire({ runs: changes });
  }

  /** Details someone looked at are read again at once; others wait until they are asked for. */
  private reloadDetails(key: string, folder: vscode.Uri): void {
    if (this.details.has(key)) this.details.set(key, readRunDetails(folder));
  }

  private async rediscover(): Promise<void> {
    const discovery = ++this.discovery;
    try {
      const found = await Promise.all(this.globs().map((glob) => vscode.workspace.findFiles(glob, excludeGlob)));
      const folders = new Map<string, vscode.Uri>();
      for (const runJson of found.flat()) folders.set(runFolderOf(runJson).toString(), runFolderOf(runJson));
      const summaries = await Promise.all([...folders.values()].map(readRunSummary));
      // A later discovery (a run appeared meanwhile) has newer results: this one's would hide that run.
      if (discovery !== this.discovery) return;
      this.runsByFolder = new Map(summaries.map((run) => [run.folder.toString(), run]));
      for (const key of [...this.details.keys()]) if (!folders.has(key)) this.details.delete(key);
    } catch (error) {
      qrpoLog().error(`Could not search the workspace for runs: ${String(error)}`);
    }
    this.changed.fire({});
  }
}
