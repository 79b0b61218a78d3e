// The engine processes this window started: `qrpo run`, `resume`, `eval` and `demo`, each a child process with
// --json events, a cancellable progress notification (cancel = stop the run, which the engine finishes between
// steps), and output in the QRPO log. The status bar and the commands observe the jobs here; the run folders
// themselves are observed through RunsModel, like runs started from a terminal.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { qrpoLog } from '../log';
import { describeFailure, engineCliPath, startEngineCli, type CliRunResult, type EngineProcess } from './engineCli';
import { parseRunEvent, type EngineRunEvent } from './runEvents';

export type JobKind = 'run' | 'resume' | 'eval' | 'demo';

export interface JobOutcome {
  /** done/stopped/failed as the engine reported it; failed also when the process ended without saying. */
  readonly state: 'done' | 'stopped' | 'failed';
  readonly result: CliRunResult;
  /** Why it failed, in words for a message. */
  readonly message?: string;
  /** The run folder (run_finished's runDir), when the engine said. */
  readonly runDir?: string;
  /** `qrpo eval`: the evals/<step>/ folder written. */
  readonly evalDir?: string;
}

export interface JobProgress {
  readonly stage?: string;
  readonly done?: number;
  readonly total?: number | null;
  readonly etaSeconds?: number | null;
  /** Stage index (1-based) and count, from stage_started. */
  readonly stageIndex?: number;
  readonly stageCount?: number;
}

export interface JobStart {
  readonly kind: JobKind;
  readonly title: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly runFolder?: vscode.Uri;
  readonly configFile?: vscode.Uri;
  /** Shown and cancellable as a notification (default true). */
  readonly notify?: boolean;
}

export class RunJob {
  private static nextId = 1;
  readonly id = RunJob.nextId++;
  progress: JobProgress = {};
  runFolder: vscode.Uri | undefined;
  stopRequested = false;
  readonly outcome: Promise<JobOutcome>;
  private finished: JobOutcome | undefined;

  constructor(
    readonly start: JobStart,
    private readonly process: EngineProcess,
    outcome: Promise<JobOutcome>,
    private readonly stopper: (job: RunJob) => Promise<void>,
  ) {
    this.runFolder = start.runFolder;
    this.outcome = outcome.then((o) => (this.finished = o));
  }

  get kind(): JobKind {
    return this.start.kind;
  }

  get title(): string {
    return this.start.title;
  }

  get running(): boolean {
    return this.finished === undefined;
  }

  get pid(): number | undefined {
    return this.process.child.pid;
  }

  /** Asks the engine to stop between steps (it saves what it has and exits with state stopped). */
  stop(): Promise<void> {
    if (!this.running || this.stopRequested) return Promise.resolve();
    this.stopRequested = true;
    return this.stopper(this);
  }

  /** For the stopper: SIGTERM to our own child, which the engine handles like `qrpo stop`. */
  signal(): void {
    if (this.running) this.process.child.kill('SIGTERM');
  }
}

export class RunJobs implements vscode.Disposable {
  private readonly jobs = new Set<RunJob>();
  private readonly changed = new vscode.EventEmitter<RunJob>();
  /** A job started, reported progress or finished. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly extensionPath: string) {}

  active(): RunJob[] {
    return [...this.jobs].filter((job) => job.running);
  }

  /** The job running a run folder, or running the config that created it. */
  jobFor(runFolder: vscode.Uri, configFile?: string): RunJob | undefined {
    return this.active().find(
      (job) => job.runFolder?.toString() === runFolder.toString() || (configFile !== undefined && job.start.configFile?.fsPath === configFile),
    );
  }

  launch(start: JobStart): RunJob {
    const events: EngineRunEvent[] = [];
    let job: RunJob | undefined;
    const process = startEngineCli(engineCliPath(this.extensionPath), start.args, {
      cwd: start.cwd,
      parse: parseRunEvent,
      onEvent: (event) => {
        events.push(event);
        if (job) this.onEvent(job, event);
      },
    });
    const outcome = process.done.then((result) => outcomeOf(result, events));
    job = new RunJob(start, process, outcome, (j) => this.stopJob(j));
    this.jobs.add(job);
    const thisJob = job;
    void outcome.then(() => {
      this.jobs.delete(thisJob);
      this.changed.fire(thisJob);
    });
    if (start.notify !== false) this.showProgress(job);
    this.changed.fire(job);
    return job;
  }

  /**
   * `qrpo stop RUN_DIR` for a run this window does not own (started from a terminal or another window): it
   * writes stop.request and signals the owner. Resolves to a message for people when it could not.
   */
  async stopForeign(runFolder: vscode.Uri): Promise<string | undefined> {
    const process = startEngineCli(engineCliPath(this.extensionPath), ['stop', runFolder.fsPath], {
      cwd: runFolder.fsPath,
      parse: () => undefined,
      onEvent: () => undefined,
    });
    const result = await process.done;
    return result.exitCode === 0 ? undefined : describeFailure(result);
  }

  dispose(): void {
    for (const job of this.active()) job.signal();
    this.changed.dispose();
  }

  private async stopJob(job: RunJob): Promise<void> {
    this.changed.fire(job);
    // Our own child: SIGTERM is what `qrpo stop` sends to a run on this host, without starting another process.
    // The engine finishes the current step, writes status "stopped" and exits.
    job.signal();
  }

  private onEvent(job: RunJob, event: EngineRunEvent): void {
    switch (event.event) {
      case 'stage_started':
        job.progress = { stage: event.stage, done: 0, total: event.total, stageIndex: event.index + 1, stageCount: event.stages };
        break;
      case 'progress':
        job.progress = { ...job.progress, stage: event.stage, done: event.done, total: event.total, etaSeconds: event.etaSeconds };
        break;
      case 'run_finished':
        job.runFolder ??= vscode.Uri.file(event.runDir);
        break;
      case 'checkpoint':
        job.runFolder ??= vscode.Uri.file(path.dirname(event.path));
        break;
      default:
        return;
    }
    this.changed.fire(job);
  }

  private showProgress(job: RunJob): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: job.title, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => {
          qrpoLog().info(`Stopping ${job.title} (cancelled from its notification).`);
          void job.stop();
        });
        // Stages differ in length and some do not know their size, so the bar stays indeterminate and the message
        // carries the numbers.
        const subscription = this.onDidChange((changed) => {
          if (changed === job) progress.report({ message: job.stopRequested ? 'stopping…' : describeJobProgress(job.progress) });
        });
        try {
          await job.outcome;
        } finally {
          subscription.dispose();
        }
      },
    );
  }
}

/** "training 37/120 · 31%". */
export function describeJobProgress(progress: JobProgress): string {
  if (!progress.stage) return 'starting…';
  const stage = progress.stage.replace(/_/g, ' ');
  const counts = progress.total ? `${progress.done ?? 0}/${progress.total} · ${Math.floor((100 * (progress.done ?? 0)) / progress.total)}%` : progress.done ? String(progress.done) : '';
  const of = progress.stageIndex && progress.stageCount ? ` (${progress.stageIndex}/${progress.stageCount})` : '';
  return `${stage}${of}${counts ? ` ${counts}` : ''}`;
}

function outcomeOf(result: CliRunResult, events: readonly EngineRunEvent[]): JobOutcome {
  const finished = [...events].reverse().find((e) => e.event === 'run_finished');
  const summary = [...events].reverse().find((e) => e.event === 'summary');
  if (finished?.event === 'run_finished') {
    return { state: finished.state, result, runDir: finished.runDir, message: finished.error ?? (finished.state === 'failed' ? describeFailure(result) : undefined) };
  }
  if (result.exitCode === 0) return { state: 'done', result, evalDir: summary?.event === 'summary' ? summary.path : undefined };
  if (result.signal === 'SIGTERM' || result.exitCode === 143) return { state: 'stopped', result };
  return { state: 'failed', result, message: describeFailure(result) };
}
