// The host's model of the runs in the workspace: which folders are runs, what their status says, and (for runs
// someone expanded) their checkpoints and evaluations. The Runs tree, the status bar and the panels observe it
// through `onDidChange` and never read run folders for this themselves.
// Discovery uses `workspace.findFiles` with the `qrpo.runGlobs` setting: in full at start and on Refresh, and again
// when run folders appear or go away, then reading only the runs it did not know. After that, file watchers say
// which run changed and what part of it (runFiles.ts), and only that run's files are read again, debounced because
// the engine rewrites status.json and appends to metrics.jsonl at every logging step. The workspace's watcher can
// miss the first events of a folder created together with its parent (`mkdir -p runs/new`), or all of them, so a
// later event in a folder that is not a known run but holds a run.json discovers it, and a run that appears during
// the session gets a watch of its own (runFolderWatcher.ts).
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { ConfigKey } from '../contributionIds';
import { qrpoLog } from '../log';
import { readRunConfigSummary, readRunDetails, type RunConfigSummary, type RunDetails } from './runDetails';
import { folderAbove, RunFile, runFolderOf, watchedRunFiles, type RunPart } from './runFiles';
import { RunFolderWatcher } from './runFolderWatcher';
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
  /** Runs that appeared after the first discovery, which the workspace watcher may not see into. */
  private readonly appearedRunWatchers = new Map<string, RunFolderWatcher>();
  private discoveredOnce = false;
  private readonly disposables: vscode.Disposable[] = [];
  /** Changes since the last flush, by folder: a known run's, or a folder's that may be a new run. */
  private readonly pending = new Map<string, { folder: vscode.Uri; parts: Set<RunPart> }>();
  private pendingRediscover = false;
  /** Folders holding a run.json that the configured globs do not match: their writes must not rediscover each time. */
  private readonly notRuns = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushQueued = false;
  /** Discoveries and flushes run one after another, so an older read never overwrites a newer one. */
  private queue: Promise<unknown> = Promise.resolve();
  private loading: Promise<unknown>;

  constructor() {
    this.watch();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(`${ConfigKey.section}.${ConfigKey.runGlobs}`)) return;
        this.notRuns.clear();
        this.watch();
        this.scheduleRediscovery();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.notRuns.clear();
        this.scheduleRediscovery();
      }),
    );
    this.loading = this.enqueue(() => this.discover('all'));
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

  /** Searches the workspace again and reads every run afresh. */
  refresh(): Promise<void> {
    this.details.clear();
    this.configs.clear();
    this.notRuns.clear();
    const discovery = this.enqueue(() => this.discover('all'));
    this.loading = discovery;
    return discovery.then(() => undefined);
  }

  dispose(): void {
    clearTimeout(this.timer);
    vscode.Disposable.from(...this.watchers, ...this.appearedRunWatchers.values(), ...this.disposables, this.changed).dispose();
    this.appearedRunWatchers.clear();
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
      watcher.onDidCreate(() => this.scheduleRediscovery());
      watcher.onDidDelete(() => this.scheduleRediscovery());
      watcher.onDidChange((uri) => this.scheduleChange(runFolderOf(uri), 'manifest'));
      this.watchers.push(watcher);
    }
    // A folder copied in or deleted whole (`cp -r`, `rm -rf runs/x`) can be reported as that folder only, without
    // events for the run.json inside it, so new folders outside known runs and deleted run folders rediscover.
    const folders = vscode.workspace.createFileSystemWatcher('**', false, true, false);
    folders.onDidCreate((uri) => {
      if (uri.scheme !== 'file' || this.runContaining(uri)) return;
      void fs.stat(uri.fsPath).then(
        (stat) => stat.isDirectory() && this.scheduleRediscovery(),
        () => undefined,
      );
    });
    folders.onDidDelete((uri) => {
      if (uri.path.endsWith('.tmp')) return;
      const prefix = `${uri.toString()}/`;
      if ([...this.runsByFolder.keys()].some((key) => key === uri.toString() || key.startsWith(prefix))) this.scheduleRediscovery();
    });
    this.watchers.push(folders);
    // These files belong to the run folder that contains them; outside known runs, to the folder `depth` levels up,
    // which the flush checks for a run.json.
    for (const { glob, part, depth } of watchedRunFiles) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      const onEvent = (uri: vscode.Uri) => this.scheduleChange(this.runContaining(uri)?.folder ?? folderAbove(uri, depth), part);
      watcher.onDidCreate(onEvent);
      watcher.onDidChange(onEvent);
      watcher.onDidDelete(onEvent);
      this.watchers.push(watcher);
    }
  }

  private scheduleRediscovery(): void {
    this.pendingRediscover = true;
    this.startTimer();
  }

  private scheduleChange(folder: vscode.Uri, part: RunPart): void {
    const key = folder.toString();
    if (this.notRuns.has(key)) return;
    const entry = this.pending.get(key) ?? { folder, parts: new Set<RunPart>() };
    entry.parts.add(part);
    this.pending.set(key, entry);
    this.startTimer();
  }

  /** Coalesces, but never postpones: a run writing every few milliseconds would otherwise starve the flush forever. */
  private startTimer(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      // A flush still waiting its turn takes whatever is pending when it starts.
      if (this.flushQueued) return;
      this.flushQueued = true;
      void this.enqueue(() => {
        this.flushQueued = false;
        return this.flush();
      });
    }, debounceMs);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T | undefined> {
    const done = this.queue.then(task).catch((error: unknown) => {
      qrpoLog().error(`Could not update the runs: ${String(error)}`);
      return undefined;
    });
    this.queue = done;
    return done;
  }

  private async flush(): Promise<void> {
    const rediscover = this.pendingRediscover;
    const pending = [...this.pending.values()];
    this.pendingRediscover = false;
    this.pending.clear();
    const newcomers = await this.holdingRunJson(pending.map((change) => change.folder).filter((folder) => !this.run(folder)));
    let discovered: ReadonlySet<string> = new Set();
    if (rediscover || newcomers.length) {
      const discovery = this.discover('new');
      this.loading = discovery;
      discovered = await discovery;
      for (const folder of newcomers) if (!this.run(folder)) this.notRuns.add(folder.toString());
    }
    // Changes that came in while a discovery was pending apply now; runs it has just read are current already.
    const changes: RunChange[] = [];
    await Promise.all(
      pending.map(async ({ folder, parts }) => {
        const key = folder.toString();
        const known = this.runsByFolder.get(key);
        if (!known || discovered.has(key)) return;
        if (parts.has('checkpoints') || parts.has('evals')) this.reloadDetails(key, known.folder);
        if (parts.has('manifest')) this.configs.delete(key);
        if (parts.has('status') || parts.has('metrics') || parts.has('lock')) {
          const summary = await readRunSummary(known.folder);
          if (this.runsByFolder.has(key)) this.runsByFolder.set(key, summary);
        }
        changes.push({ folder: known.folder, parts });
      }),
    );
    if (changes.length) this.changed.fire({ runs: changes });
  }

  private async holdingRunJson(folders: readonly vscode.Uri[]): Promise<vscode.Uri[]> {
    const holding = await Promise.all(
      folders.map((folder) =>
        vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, RunFile.manifest)).then(
          (stat) => (stat.type & vscode.FileType.File) !== 0,
          () => false,
        ),
      ),
    );
    return folders.filter((_, i) => holding[i]);
  }

  /** Runs found after the first discovery are watched before they are read, so no write falls between the two. */
  private watchAppearedRuns(appeared: readonly vscode.Uri[]): void {
    if (!this.discoveredOnce) return;
    for (const folder of appeared) {
      const key = folder.toString();
      if (this.appearedRunWatchers.has(key) || folder.scheme !== 'file') continue;
      this.appearedRunWatchers.set(key, new RunFolderWatcher(folder, (part) => this.scheduleChange(folder, part)));
    }
  }

  private unwatchGoneRuns(folders: ReadonlyMap<string, vscode.Uri>): void {
    for (const [key, watcher] of this.appearedRunWatchers) {
      if (folders.has(key)) continue;
      watcher.dispose();
      this.appearedRunWatchers.delete(key);
    }
  }

  /** Details someone looked at are read again at once; others wait until they are asked for. */
  private reloadDetails(key: string, folder: vscode.Uri): void {
    if (this.details.has(key)) this.details.set(key, readRunDetails(folder));
  }

  /**
   * Finds the run folders the globs match now. `all` reads every run; `new` reads only runs not known before and
   * keeps the others, which the watchers keep current. Returns the runs it read.
   */
  private async discover(scope: 'all' | 'new'): Promise<ReadonlySet<string>> {
    try {
      const found = await Promise.all(this.globs().map((glob) => vscode.workspace.findFiles(glob, excludeGlob)));
      const folders = new Map<string, vscode.Uri>();
      for (const runJson of found.flat()) folders.set(runFolderOf(runJson).toString(), runFolderOf(runJson));
      const before = this.runsByFolder;
      this.watchAppearedRuns([...folders].filter(([key]) => !before.has(key)).map(([, folder]) => folder));
      const unread = [...folders].filter(([key]) => scope === 'all' || !before.has(key)).map(([, folder]) => folder);
      const read = new Map((await Promise.all(unread.map(readRunSummary))).map((run) => [run.folder.toString(), run]));
      this.runsByFolder = new Map([...folders.keys()].map((key) => [key, read.get(key) ?? before.get(key)!]));
      for (const key of [...this.details.keys()]) if (!folders.has(key)) this.details.delete(key);
      for (const key of [...this.configs.keys()]) if (!folders.has(key)) this.configs.delete(key);
      this.unwatchGoneRuns(folders);
      const setChanged = before.size !== folders.size || [...folders.keys()].some((key) => !before.has(key));
      if (scope === 'all' || setChanged) this.changed.fire({});
      this.discoveredOnce = true;
      return new Set(read.keys());
    } catch (error) {
      qrpoLog().error(`Could not search the workspace for runs: ${String(error)}`);
      this.changed.fire({});
      return new Set();
    }
  }
}
