// The stage pipeline: runs a run's stages in order under the folder's lock, skips those whose output is already
// complete (so a killed or stopped run resumes where it was), and records every stage's state and progress in
// status.json. Stages do the compute; the pipeline owns the bookkeeping: status, events, metrics, stop requests.
import { promises as fs } from 'node:fs';
import { QrpoError } from '../errors';
import type { RunConfig } from './config';
import { displayPath } from './displayPath';
import { stamp, type RunEvent, type RunEventInput, type RunEventListener, type RunOutcomeState } from './events';
import { MetricsLog } from './metricsLog';
import { ProgressReporter } from './progressReporter';
import { RunFolder, RUN_FILES } from './runFolder';
import { acquireRunLock } from './runLock';
import { removeTemporaryFiles } from './atomicFile';
import { RunLog } from './runLog';
import { initialStatus, StatusWriter, type RunStatus } from './runStatus';
import { clearStopRequest, watchStopRequests } from './stopRequest';

export interface Stage {
  readonly name: string;
  /** True when the stage's outputs are complete, so a resumed run skips it. */
  isComplete(context: StageContext): Promise<boolean>;
  run(context: StageContext): Promise<void>;
}

export interface StageContext {
  readonly folder: RunFolder;
  readonly config: RunConfig;
  /** stages/<name>/, created before the stage runs. */
  readonly stageDir: string;
  /** done/total of this stage → status.json (throttled), progress events and the ETA. */
  readonly progress: ProgressReporter;
  /** Aborted when a stop is requested; check it between steps (signal.throwIfAborted()). */
  readonly signal: AbortSignal;
  readonly log: RunLog;
  emit(event: RunEventInput): void;
  /**
   * Appends one line to metrics.jsonl and emits a metrics event; false (nothing written) for a step the log already
   * holds, as when a resumed run replays the steps after its last checkpoint.
   */
  appendMetrics(step: number, metrics: Record<string, unknown>): Promise<boolean>;
  /** The optimizer step for status.json. */
  setStep(step: number, totalSteps?: number): void;
  /** Reports a checkpoint written (atomically, by the stage) to checkpoint-<step>/. */
  checkpointSaved(step: number): void;
}

export interface RunPipelineOptions {
  onEvent?: RunEventListener;
  /** Stops the run when aborted, like `qrpo stop`. */
  signal?: AbortSignal;
  /** Turn SIGTERM and SIGINT into a graceful stop (the CLI does; tests and the extension host do not). */
  handleSignals?: boolean;
  /** How often stop.request is checked. */
  stopPollMs?: number;
  /** Least time between two progress writes of status.json. */
  statusIntervalMs?: number;
}

export interface RunOutcome {
  state: RunOutcomeState;
  /** For a failed run: the message status.json holds. */
  error?: string;
  /** For a failed run: the error itself, for a caller that renders it (a QrpoError has no stack worth showing). */
  cause?: unknown;
}

/**
 * Runs `stages` in `folder` under its lock and returns how the run ended (status.json says the same). Throws only
 * when the folder cannot be taken: RunLockedError while another live process holds it.
 */
export async function runPipeline(folder: RunFolder, stages: readonly Stage[], options: RunPipelineOptions = {}): Promise<RunOutcome> {
  const started = Date.now();
  const emit = (event: RunEventInput) => options.onEvent?.(stamp(event));
  const log = new RunLog(folder.path(RUN_FILES.log));
  const lock = await acquireRunLock(folder.dir, { onTakeover: (message) => warn(message) });
  function warn(message: string, stage?: string): void {
    log.warn(message);
    emit({ event: 'warning', message, ...(stage ? { stage } : {}) });
  }

  const controller = new AbortController();
  const forward = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  let status: StatusWriter | undefined;
  let metrics: MetricsLog | undefined;
  let stopWatch: { dispose(): void } | undefined;
  try {
    await clearStopRequest(folder.dir);
    const leftovers = await removeTemporaryFiles(folder.dir);
    if (leftovers > 0) log.info(`removed ${leftovers} temporary files left by a killed run`);
    if (options.signal?.aborted) forward();
    stopWatch = watchStopRequests(folder.dir, controller, { pollMs: options.stopPollMs, signals: options.handleSignals });
    const config = await folder.config();
    status = new StatusWriter(folder.path(RUN_FILES.status), resumedStatus(await folder.readStatus(), stages), { minIntervalMs: options.statusIntervalMs });
    const writer = status;
    metrics = await MetricsLog.open(folder.path(RUN_FILES.metrics));
    if (metrics.repaired) warn(`${displayPath(metrics.repaired.file)} ended in a torn line (${metrics.repaired.bytes} bytes from a killed run); it was cut away`);
    log.info(`run ${displayPath(folder.dir)} started by process ${process.pid}`);
    writer.update((s) => {
      s.state = 'running';
      s.pid = process.pid;
      delete s.error;
    }, true);
    controller.signal.addEventListener('abort', () => writer.update((s) => void (s.state = 'stopping'), true), { once: true });

    for (const [index, stage] of stages.entries()) {
      if (controller.signal.aborted) return await finish('stopped');
      const stageStarted = Date.now();
      const context = stageContext(folder, config, stage, controller.signal, writer, metrics, log, emit);
      const progress = writer.stage(stage.name);
      let complete: boolean;
      try {
        complete = await stage.isComplete(context);
      } catch (error) {
        return await fail(error, stage.name);
      }
      if (complete) {
        writer.update((s) => {
          s.stage = stage.name;
          Object.assign(progress, { state: 'done', skipped: true, etaSeconds: 0 });
        }, true);
        log.info(`stage ${stage.name}: output already complete, skipped`);
        emit({ event: 'stage_finished', stage: stage.name, state: 'done', skipped: true, seconds: 0 });
        continue;
      }
      writer.update((s) => {
        s.stage = stage.name;
        Object.assign(progress, { state: 'running', skipped: undefined, startedAt: new Date().toISOString(), finishedAt: null, etaSeconds: null });
      }, true);
      log.info(`stage ${stage.name} started`);
      emit({ event: 'stage_started', stage: stage.name, index, stages: stages.length, total: progress.total });
      try {
        await fs.mkdir(context.stageDir, { recursive: true });
        await stage.run(context);
      } catch (error) {
        if (controller.signal.aborted) {
          writer.update(() => Object.assign(progress, { state: 'stopped', etaSeconds: null }), true);
          emit({ event: 'stage_finished', stage: stage.name, state: 'stopped', skipped: false, seconds: (Date.now() - stageStarted) / 1000 });
          return await finish('stopped');
        }
        return await fail(error, stage.name);
      }
      writer.update(() => Object.assign(progress, { state: 'done', finishedAt: new Date().toISOString(), etaSeconds: 0 }), true);
      log.info(`stage ${stage.name} done in ${((Date.now() - stageStarted) / 1000).toFixed(1)} s`);
      emit({ event: 'stage_finished', stage: stage.name, state: 'done', skipped: false, seconds: (Date.now() - stageStarted) / 1000 });
    }
    return await finish('done');
  } catch (error) {
    return await fail(error);
  } finally {
    stopWatch?.dispose();
    options.signal?.removeEventListener('abort', forward);
    await metrics?.close();
    await log.flush();
    await lock.release();
  }

  async function finish(state: RunOutcomeState, error?: string, cause?: unknown): Promise<RunOutcome> {
    status?.update((s) => {
      s.state = state;
      if (error !== undefined) s.error = error;
      for (const stage of s.stages) if (stage.state === 'running') stage.state = state === 'failed' ? 'failed' : 'stopped';
    }, true);
    await status?.flush();
    log.info(`run ${state}${error ? `: ${error}` : ''}`);
    emit({ event: 'run_finished', state, runDir: folder.dir, seconds: (Date.now() - started) / 1000, ...(error ? { error } : {}) });
    return { state, ...(error !== undefined ? { error, cause } : {}) };
  }

  async function fail(error: unknown, stage?: string): Promise<RunOutcome> {
    const message = describeFailure(error, folder);
    if (!(error instanceof QrpoError)) log.error(`${stage ? `stage ${stage}: ` : ''}${(error as Error)?.stack ?? String(error)}`);
    else log.error(`${stage ? `stage ${stage}: ` : ''}${message}`);
    emit({ event: 'error', message, ...(stage ? { stage } : {}) });
    if (stage) emit({ event: 'stage_finished', stage, state: 'failed', skipped: false, seconds: 0 });
    try {
      return await finish('failed', message, error);
    } catch {
      return { state: 'failed', error: message, cause: error };
    }
  }
}

/** A QrpoError is a user's mistake: its message says it all. Anything else is a bug; its stack goes to run.log. */
function describeFailure(error: unknown, folder: RunFolder): string {
  if (error instanceof QrpoError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `internal error: ${message} (stack trace in ${displayPath(folder.path(RUN_FILES.log))})`;
}

/** The previous status with stages kept by name (their progress survives a resume), or a fresh one. */
function resumedStatus(previous: RunStatus | undefined, stages: readonly Stage[]): RunStatus {
  const fresh = initialStatus(stages.map((stage) => stage.name));
  if (previous === undefined || !Array.isArray(previous.stages)) return fresh;
  fresh.stages = fresh.stages.map((stage) => {
    const old = previous.stages.find((candidate) => candidate.name === stage.name);
    return old ? { ...old, state: old.state === 'done' ? 'done' : 'pending', etaSeconds: null } : stage;
  });
  fresh.step = previous.step ?? null;
  fresh.totalSteps = previous.totalSteps ?? null;
  return fresh;
}

function stageContext(
  folder: RunFolder,
  config: RunConfig,
  stage: Stage,
  signal: AbortSignal,
  status: StatusWriter,
  metrics: MetricsLog,
  log: RunLog,
  emit: (event: RunEventInput) => void,
): StageContext {
  const progressEntry = status.stage(stage.name);
  const progress = new ProgressReporter((snapshot, notify) => {
    status.update(() => Object.assign(progressEntry, { done: snapshot.done, total: snapshot.total, etaSeconds: snapshot.etaSeconds }));
    if (notify) emit({ event: 'progress', stage: stage.name, ...snapshot });
  });
  return {
    folder,
    config,
    stageDir: folder.stageDir(stage.name),
    progress,
    signal,
    log,
    emit,
    async appendMetrics(step, record) {
      const written = await metrics.append(step, record);
      if (written) emit({ event: 'metrics', step, metrics: record });
      return written;
    },
    setStep(step, totalSteps) {
      status.update((s) => {
        s.step = step;
        if (totalSteps !== undefined) s.totalSteps = totalSteps;
      });
    },
    checkpointSaved(step) {
      log.info(`checkpoint-${step} saved`);
      emit({ event: 'checkpoint', step, path: folder.checkpointDir(step) });
    },
  };
}

export type { RunEvent };
